// Runs a Reconciler over a work queue with bounded concurrency (sample-controller's
// processNextWorkItem): success forgets the key's back-off, a thrown error re-adds the key
// with back-off, `requeueAfter` comes back later. Each reconcile is a span continuing the
// trace of the event that queued it.
import { setMaxListeners } from 'node:events';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { backgroundContext, contextFromTraceparent, createLogger, linksTo, tracer, type Logger } from '@keelson/telemetry';
import type { RuntimeMetrics } from './metrics';
import type { RateLimiter } from './rate-limiter';
import { WorkQueue, type ItemMeta, type QueueItem } from './work-queue';

export interface ReconcileResult {
  /** Reconcile this key again after this many ms (a success: back-off is reset). */
  requeueAfter?: number;
}

export interface ReconcileContext {
  /** Aborted when this replica must stop acting (lost leadership, shutdown): stop writing. */
  signal: AbortSignal;
  logger: Logger;
  /** Failures of this key since its last success. */
  requeues: number;
  /** Queue a key of this controller (this one or another) now, or after `delayMs`. */
  enqueue(key: string, meta?: ItemMeta): void;
  enqueueAfter(key: string, delayMs: number, meta?: ItemMeta): void;
}

/** Level-based: read desired and actual state for `key` (`ns/name` or `name`), close the gap. */
export interface Reconciler {
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void>;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Keys processed in parallel (never the same key twice). Default 1. */
  concurrency?: number;
  rateLimiter?: RateLimiter;
  metrics?: RuntimeMetrics;
  logger?: Logger;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly log: Logger;
  private workers: Promise<void>[] = [];
  private stopWorkers?: AbortController;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.log = (opts.logger ?? createLogger('controller')).child({ controller: opts.name });
    this.queue = new WorkQueue({ rateLimiter: opts.rateLimiter, metrics: opts.metrics?.queue(opts.name) });
  }

  /** Queues a key (handlers call this); the trace of the triggering event rides along. */
  enqueue(key: string, meta?: ItemMeta): void {
    this.queue.add(key, meta);
  }

  /** Queues a key after `delayMs` (an earlier pending add of the same key wins). */
  enqueueAfter(key: string, delayMs: number, meta?: ItemMeta): void {
    this.queue.addAfter(key, delayMs, meta);
  }

  get running(): boolean {
    return this.stopWorkers !== undefined;
  }

  /** Starts the workers (idempotent). */
  start(): void {
    if (this.stopWorkers || this.queue.isShuttingDown) return;
    const stop = new AbortController();
    this.stopWorkers = stop;
    const n = Math.max(1, this.opts.concurrency ?? 1);
    // Every worker waits on the queue and on its API calls with this signal: many listeners
    // by design (each removed when done), not a leak.
    setMaxListeners(Math.max(10, n * 4), stop.signal);
    this.workers = Array.from({ length: n }, () => this.worker(stop.signal));
  }

  /**
   * Stops acting at once (lost leadership): in-flight reconciles see their signal aborted and
   * no new key is taken. Keys stay queued; in-flight keys are queued again for whoever resumes.
   */
  async pause(): Promise<void> {
    const stop = this.stopWorkers;
    if (!stop) return;
    this.stopWorkers = undefined;
    // Take this generation's workers now: leadership may come back (start()) before they have
    // wound down, and the new generation's workers must not be forgotten by this pause.
    const workers = this.workers;
    this.workers = [];
    stop.abort(new Error(`controller ${this.name} paused`));
    await Promise.all(workers);
  }

  /** Graceful stop: no new keys, finish what is queued and in flight, then end the workers. */
  async stop(): Promise<void> {
    const drained = this.queue.shutDownWithDrain();
    if (!this.stopWorkers) {
      this.queue.shutDown();
      return;
    }
    await drained;
    await this.pause();
  }

  private async worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const item = await this.queue.get(signal);
      if (!item) return;
      try {
        await this.process(item, signal);
      } finally {
        this.queue.done(item.key);
      }
    }
  }

  private async process(item: QueueItem, signal: AbortSignal): Promise<void> {
    const { key, meta } = item;
    // The triggering write's trace; other writes coalesced into this reconcile are linked, not
    // lost. A reconcile no traced write caused (a resync, an initial list of untraced objects, a
    // timer) runs under a non-sampled parent: it is no root trace per key and period.
    const parent = meta.traceparent ? contextFromTraceparent(meta.traceparent, meta.tracestate) : backgroundContext();
    const span = tracer().startSpan(`reconcile ${this.name}`, {
      attributes: { 'keelson.controller': this.name, 'keelson.key': key, ...(meta.links?.length ? { 'keelson.causes': meta.links.length + 1 } : {}) },
      links: linksTo(meta.links ?? []),
    }, parent);
    const started = process.hrtime.bigint();
    let result = 'success';
    try {
      const out = await context.with(trace.setSpan(parent, span), () =>
        this.opts.reconciler.reconcile(key, { signal, logger: this.log.child({ key }), requeues: this.queue.numRequeues(key), enqueue: this.enqueue.bind(this), enqueueAfter: this.enqueueAfter.bind(this) }),
      );
      if (signal.aborted) {
        // Paused mid-reconcile: whatever it did may be partial; the next leader redoes it.
        result = 'aborted';
        this.queue.add(key, meta);
        return;
      }
      this.queue.forget(key);
      if (out?.requeueAfter !== undefined) {
        result = 'requeue';
        this.queue.addAfter(key, out.requeueAfter, meta);
      }
    } catch (err) {
      if (signal.aborted) {
        result = 'aborted';
        this.queue.add(key, meta);
        return;
      }
      result = 'error';
      this.opts.metrics?.reconcileErrors.inc({ controller: this.name });
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      context.with(trace.setSpan(parent, span), () =>
        this.log.warn('reconcile failed; retrying with back-off', { key, err, requeues: this.queue.numRequeues(key) }),
      );
      this.queue.addRateLimited(key, meta);
    } finally {
      span.setAttribute('keelson.result', result);
      span.end();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.opts.metrics?.reconcileDuration.observe({ controller: this.name, result }, seconds);
    }
  }
}
