// An informer keeps a read-only cache of one resource in step with etcd:
//   1. subscribe first (a JetStream ordered consumer on the resource's subjects, delivering
//      only new messages), so no event after this point can be missed;
//   2. list through the API; the list's resourceVersion R is a consistent snapshot;
//   3. apply buffered and new events newer than R; per key, ignore revisions already applied
//      (at-least-once delivery replays duplicates).
// A consumer lost (NATS reconnect, a delivery gap, missed heartbeats) is recreated right after
// the last message seen; only when the stream no longer holds that message (or a RESYNC marker
// arrives) may events be missing, and the informer relists, converging to a fresh list.
// An event whose object was too large for the bus carries only its identity (`omitted`): the
// informer GETs the object (for DELETED it uses the state it holds).
import type { NatsConnection, Subscription } from 'nats';
import type { KubeObject } from '@keelson/api';
import { decodeEnvelope, EVENTS_STREAM, eventSubject, HEADERS, RESYNC_SUBJECT, resourceSubject, withoutManagedFields, type EventEnvelope, type OmittedObject } from '@keelson/bus';
import { isNotFound, type KeelsonClient, type ResourceRef } from '@keelson/client';
import { createLogger, type Logger } from '@keelson/telemetry';
import { keyOf, type ReadOnlyCache } from './cache';
import { EventConsumer, type StreamMessage } from './event-consumer';
import { InformerStore } from './informer-store';
import type { RuntimeMetrics } from './metrics';

/** Where a notification came from; `traceparent` is the triggering write's trace, when known. */
export interface EventInfo {
  revision: number;
  traceparent?: string;
  tracestate?: string;
  /** A periodic resync re-delivery, not a change. */
  resync?: boolean;
}

export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T, info: EventInfo): void;
  onUpdate?(oldObj: T, newObj: T, info: EventInfo): void;
  onDelete?(obj: T, info: EventInfo): void;
}

export interface InformerOptions {
  client: KeelsonClient;
  nats: NatsConnection;
  resource: ResourceRef;
  /** Only this namespace (default: all). */
  namespace?: string;
  /** Re-deliver every cached object to onUpdate this often; 0 = never (default). */
  resyncPeriodMs?: number;
  /** Default KEELSON_EVENTS. */
  stream?: string;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

export class Informer<T extends KubeObject = KubeObject> {
  // Cache, handlers, per-key revisions, tombstones, the list's revision, the sync latch: shared
  // with the operator SDK's WatchInformer (informer-store.ts).
  private readonly s: InformerStore<T>;
  private readonly log: Logger;
  private readonly name: string;
  private listing = false;
  private buffer: { env: EventEnvelope; info: EventInfo; stored: number }[] = [];
  private relistAgain = false;
  private resyncAfterList = false;
  private relisting?: Promise<void>;
  private stopped = false;
  private consumer?: EventConsumer;
  private resyncSub?: Subscription;
  private resyncTimer?: NodeJS.Timeout;

  constructor(private readonly opts: InformerOptions) {
    const r = opts.resource;
    this.name = r.group ? `${r.resource}.${r.group}` : r.resource;
    this.log = (opts.logger ?? createLogger('informer')).child({ informer: this.name });
    this.s = new InformerStore<T>(this.log);
  }

  get cache(): ReadOnlyCache<T> {
    return this.s.cache;
  }

  /** The revision of the last list (exposed for tests and debugging). */
  get listRevision(): number {
    return this.s.floor;
  }

  hasSynced(): boolean {
    return this.s.hasSynced();
  }

  waitForSync(): Promise<void> {
    return this.s.waitForSync();
  }

  /** Handlers added after the first sync first get every cached object as an add. */
  addEventHandler(h: ResourceEventHandler<T>): void {
    this.s.addEventHandler(h);
  }

  /** Subscribes, lists and resolves once the cache holds a consistent snapshot. */
  async start(): Promise<void> {
    const nc = this.opts.nats;
    this.resyncSub = nc.subscribe(RESYNC_SUBJECT, { callback: () => this.relist('resync-marker') });
    await this.subscribeEvents();
    if (this.stopped) return;
    this.relist('initial');
    await this.waitForSync();
    if (this.opts.resyncPeriodMs) this.resyncTimer = setInterval(() => this.resyncNow(), this.opts.resyncPeriodMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    this.resyncSub?.unsubscribe();
    await this.consumer?.stop();
    await this.relisting;
  }

  /** Replaces the cache with a fresh list (coalesced while one is running). */
  relist(reason: string): void {
    if (this.stopped) return;
    this.opts.metrics?.informerRelists.inc({ resource: this.name, reason });
    if (this.relisting) {
      this.relistAgain = true;
      return;
    }
    this.log.info('relisting', { reason });
    this.listing = true; // buffer events from here until the list is applied
    this.relisting = this.relistLoop().finally(() => {
      this.relisting = undefined;
      this.listing = false;
      if (this.resyncAfterList && !this.stopped) this.resyncNow();
    });
  }

  private async relistLoop(): Promise<void> {
    let delay = 100;
    do {
      this.relistAgain = false;
      try {
        const list = await this.opts.client.list<T>(this.opts.resource, this.opts.namespace);
        if (this.stopped) return;
        // Held as events carry them: without managedFields (withoutManagedFields in @keelson/bus).
        this.s.replace(list.items.map(withoutManagedFields), Number(list.metadata.resourceVersion));
        const pending = this.buffer;
        this.buffer = [];
        for (const p of pending) this.apply(p.env, p.info, p.stored);
        delay = 100;
        this.s.markSynced();
      } catch (err) {
        // Level-based: keep buffering and try again; nothing is applied from a failed list.
        this.log.warn('list failed; retrying', { err, delayMs: delay });
        this.relistAgain = true;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    } while (this.relistAgain && !this.stopped);
  }

  private onMessage(m: StreamMessage): void {
    let env: EventEnvelope;
    try {
      env = decodeEnvelope(m.data);
    } catch (err) {
      this.log.warn('dropping a message that is not an event envelope', { subject: m.subject, err });
      return;
    }
    const info: EventInfo = { revision: env.revision };
    const tp = m.headers?.get(HEADERS.traceparent);
    if (tp) info.traceparent = tp;
    const ts = m.headers?.get(HEADERS.tracestate);
    if (ts) info.tracestate = ts;
    const stored = m.timestampMs;
    if (env.type === 'RESYNC') return this.relist('resync-marker');
    if (this.listing) this.buffer.push({ env, info, stored });
    else this.apply(env, info, stored);
  }

  private apply(env: EventEnvelope, info: EventInfo, storedMs: number): void {
    if (!env.object && env.omitted) return this.applyOmitted(env, env.omitted, info, storedMs);
    const obj = env.object as T | undefined;
    if (!obj || env.revision <= this.s.floor) return; // already in the list we hold
    this.applyObject(env.type, keyOf(obj), obj, env.revision, info, storedMs);
  }

  /**
   * An event whose object was too large for the bus names the object instead: a deletion is
   * applied to the state we hold; an add or update is fetched through the API (its current
   * state, at or after the event's revision). Events for other keys keep flowing meanwhile;
   * per-key revisions keep the fetched state from overwriting anything newer.
   */
  private applyOmitted(env: EventEnvelope, ref: OmittedObject, info: EventInfo, storedMs: number): void {
    const key = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
    if (this.s.isStale(key, env.revision)) return;
    if (env.type === 'DELETED') {
      const old = this.s.cache.get(key);
      const last = old ? ({ ...old, metadata: { ...old.metadata, resourceVersion: String(env.revision) } } as T) : undefined;
      return this.applyObject('DELETED', key, last, env.revision, info, storedMs);
    }
    void this.opts.client.get<T>(this.opts.resource, ref.namespace, ref.name).then(
      (obj) => {
        if (this.stopped) return;
        const rev = Number(obj.metadata.resourceVersion);
        if (this.s.isStale(key, rev)) return;
        this.applyObject(env.type, key, withoutManagedFields(obj), rev, { ...info, revision: rev }, storedMs);
      },
      (err: unknown) => {
        if (this.stopped) return;
        // Gone since: its DELETED event follows on the stream. Anything else: converge by a list.
        if (isNotFound(err)) return;
        this.log.warn('cannot fetch an object its event left out; relisting', { key, revision: env.revision, err });
        this.relist('omitted-object-fetch-failed');
      },
    );
  }

  private applyObject(type: EventEnvelope['type'], key: string, obj: T | undefined, revision: number, info: EventInfo, storedMs: number): void {
    if (type === 'RESYNC' || this.s.isStale(key, revision)) return;
    this.opts.metrics?.informerLag.observe({ resource: this.name }, Math.max(0, Date.now() - storedMs) / 1000);
    this.s.apply(type, key, obj, revision, info);
  }

  /** Re-delivers every cached object to onUpdate now (what the periodic resync does). */
  resyncNow(): void {
    // Mid-relist the cache is about to be replaced: re-deliver once the list is applied (a new
    // leader's catch-up must not be dropped because a NATS reconnect started a relist).
    if (this.listing) {
      this.resyncAfterList = true;
      return;
    }
    this.resyncAfterList = false;
    this.s.resync();
  }

  /** Creates the event consumer, retrying while the stream does not exist yet. */
  private async subscribeEvents(): Promise<void> {
    const r = this.opts.resource;
    const filter = this.opts.namespace ? eventSubject(r.group, r.resource, this.opts.namespace) : resourceSubject(r.group, r.resource);
    let delay = 100;
    while (!this.stopped) {
      const consumer = new EventConsumer({
        nats: this.opts.nats, stream: this.opts.stream ?? EVENTS_STREAM, filter, logger: this.log,
        onMessage: (m) => this.onMessage(m),
        onReset: (reason) => this.relist(reason),
        onResumed: (reason, fromSeq) => this.log.info('event consumer recreated; resumed from the stream, no relist', { reason, fromSeq }),
      });
      try {
        await consumer.start();
        this.consumer = consumer;
        return;
      } catch (err) {
        await consumer.stop();
        this.log.warn('cannot subscribe to events yet; retrying', { err, delayMs: delay });
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
