// A rate-limited work queue with client-go's guarantees:
// - a key is queued at most once (dirty set), however often it is added;
// - a key is never handed to two workers at once: added while processing, it is queued
//   again only when `done` is called;
// - failures wait per-key exponential back-off (and the overall bucket) before coming back;
// - shutdown with drain hands out what is queued and waits for in-flight work.
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter';

/** What triggered a key: the event's trace context, so the reconcile can continue it. */
export interface ItemMeta {
  traceparent?: string;
  tracestate?: string;
  /** Other triggers' traceparents, coalesced into the same reconcile: its span links to them. */
  links?: string[];
  /** Background work (a resync): the reconcile runs under a non-sampled parent, never a root trace. */
  background?: boolean;
}

// A key added many times before it is processed still links each distinct cause, up to this many.
const MAX_LINKS = 32;

/**
 * The trigger a reconcile continues when `next` arrives while `prev` is queued: the newest
 * traced one is the parent and the others become links; a background add never replaces a
 * traced trigger (a resync must not hide the write that queued the key).
 */
export function mergeMeta(prev: ItemMeta | undefined, next: ItemMeta): ItemMeta {
  if (!prev) return next;
  if (!next.traceparent) return prev.traceparent || !next.background ? prev : next;
  if (!prev.traceparent || prev.traceparent === next.traceparent) return { ...next, links: prev.links ?? next.links };
  const links = [...new Set([...(prev.links ?? []), prev.traceparent, ...(next.links ?? [])])].filter((l) => l !== next.traceparent).slice(-MAX_LINKS);
  return { ...next, links };
}

export interface QueueItem {
  key: string;
  meta: ItemMeta;
}

export interface QueueMetrics {
  depth(n: number): void;
  added(): void;
  retried(): void;
  /** Seconds a key waited in the queue before a worker took it. */
  queued?(seconds: number): void;
  /** Seconds a worker held a key (take → done). */
  worked?(seconds: number): void;
  /** Called once with the start times (performance.now()) of the keys being processed now. */
  inFlight?(starts: () => Iterable<number>): void;
}

export interface WorkQueueOptions {
  rateLimiter?: RateLimiter;
  metrics?: QueueMetrics;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly metas = new Map<string, ItemMeta>();
  private readonly waiting = new Map<string, { timer: NodeJS.Timeout; at: number; meta: ItemMeta }>();
  // When each queued key entered the queue and each in-flight key was taken (for the metrics).
  private readonly queuedAt = new Map<string, number>();
  private readonly takenAt = new Map<string, number>();
  private readonly getters: ((item: QueueItem | undefined) => void)[] = [];
  private readonly idle: (() => void)[] = [];
  private shuttingDown = false;
  readonly rateLimiter: RateLimiter;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter();
    opts.metrics?.inFlight?.(() => this.takenAt.values());
  }

  /** Queues `key` now unless it is already queued. Ignored after shutdown. */
  add(key: string, meta: ItemMeta = {}): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.added();
    // The newest traced trigger is the parent of the reconcile; earlier ones become its links.
    this.metas.set(key, mergeMeta(this.metas.get(key), meta));
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  /** Queues `key` after `delayMs`; an earlier pending add of the same key wins. */
  addAfter(key: string, delayMs: number, meta: ItemMeta = {}): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key, meta);
    const at = Date.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key, meta);
    }, delayMs);
    this.waiting.set(key, { timer, at, meta });
  }

  /** Queues `key` after its back-off: the retry path of a failed reconcile. */
  addRateLimited(key: string, meta: ItemMeta = {}): void {
    this.opts.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key), meta);
  }

  /** `key` succeeded: its next failure starts the back-off from the beginning again. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, or undefined once shut down and empty (or when `signal` aborts
   * the wait). Call `done(key)` after processing it.
   */
  get(signal?: AbortSignal): Promise<QueueItem | undefined> {
    const next = this.take();
    if (next || this.shuttingDown || signal?.aborted) return Promise.resolve(next);
    return new Promise((resolve) => {
      const getter = (item: QueueItem | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(item);
      };
      const onAbort = (): void => {
        const i = this.getters.indexOf(getter);
        if (i >= 0) this.getters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.getters.push(getter);
    });
  }

  /** Processing of `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    const taken = this.takenAt.get(key);
    if (taken !== undefined) {
      this.takenAt.delete(key);
      this.opts.metrics?.worked?.(seconds(taken));
    }
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    else if (this.processing.size === 0 && this.queue.length === 0) this.idle.splice(0).forEach((f) => f());
  }

  /** Keys waiting to be handed out (not counting back-off timers or in-flight keys). */
  len(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys and drops back-off timers; waiting getters get undefined once the queue is empty. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    if (this.queue.length === 0) this.getters.splice(0).forEach((g) => g(undefined));
  }

  /** shutDown, then wait until every queued key has been handed out and marked done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.queue.length === 0 && this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private push(key: string): void {
    if (this.opts.metrics) this.queuedAt.set(key, performance.now());
    const getter = this.getters.shift();
    if (getter) {
      this.queue.push(key);
      getter(this.take());
    } else {
      this.queue.push(key);
    }
    this.opts.metrics?.depth(this.queue.length);
  }

  private take(): QueueItem | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    const queued = this.queuedAt.get(key);
    if (queued !== undefined) {
      this.queuedAt.delete(key);
      this.opts.metrics?.queued?.(seconds(queued));
      this.takenAt.set(key, performance.now());
    }
    const meta = this.metas.get(key) ?? {};
    this.metas.delete(key);
    this.opts.metrics?.depth(this.queue.length);
    if (this.shuttingDown && this.queue.length === 0) this.getters.splice(0).forEach((g) => g(undefined));
    return { key, meta };
  }
}

function seconds(sinceMs: number): number {
  return (performance.now() - sinceMs) / 1000;
}
