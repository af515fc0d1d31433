// Per-resource watch cache, like kube's cacher + watchCache: one etcd watch
// feeds the current state and a bounded window of events, from which any
// number of API watches are served (from "now", or replayed from an exact
// resourceVersion still inside the window).
import type { Etcd3, IKeyValue } from 'etcd3';
import type { KubeObject } from '@keelson/api';
import { createLogger, type Logger } from '@keelson/telemetry';
import { fromEtcdError, StorageError } from './errors';
import { openEtcdWatch, WatchCanceledError, type EtcdWatch, type RawKeyValue, type WatchEvent } from './etcd-watch';
import { EventRing, type CacheEvent, type WatchEventKind } from './event-ring';
import { StoredEvent, StoredValue } from './stored-value';
import { prefixEnd } from './keys';
import { toWatchEvent } from './watch-filter';

export interface WatchCacheOptions {
  /** Events kept for replay; default 10000. */
  capacity?: number;
  logger?: Logger;
}

export interface CacheWatchEvent {
  type: WatchEventKind;
  /** Shared with other watchers: never mutate. */
  object: KubeObject;
  revision: number;
}

export interface CacheWatchOptions {
  /** Unset, "" or "0": current state as synthetic ADDED events, then live. "N": every event after N. */
  resourceVersion?: string;
  /** Default: true when resourceVersion is unset or "0". */
  sendInitialEvents?: boolean;
  /**
   * With initial events: the snapshot must include every change up to this revision (a
   * consistent read: the caller passes etcd's current revision). The named resourceVersion
   * is such a floor too ("NotOlderThan").
   */
  minRevision?: number;
  filter?: (o: KubeObject) => boolean;
  /**
   * Text every object `filter` accepts holds in its stored JSON (a field's name such as
   * `"deletionTimestamp"`): a change whose stored values, before and after, lack it is skipped
   * without decoding either. Decoding is what a cached change otherwise never needs (stored-value.ts).
   */
  filterText?: string;
  /** Only keys under this prefix (a full key prefix such as `prefixFor(info, ns)`). */
  namespacePrefix?: string;
  /** Called once if the cache ends this watch (relist after an etcd watch failure, or stop). */
  onClose?: (reason: StorageError) => void;
}

export interface CacheWatchHandle {
  cancel(): void;
  /** The revision the watch starts after (initial events are as of this revision). */
  revision: number;
}

interface Registration {
  from: number;
  opts: CacheWatchOptions;
  onEvent: (e: CacheWatchEvent) => void;
}

const RELIST_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];
/** Before re-opening an etcd watch whose stream failed (etcd restarting, a member lost). */
const REWATCH_BACKOFF_MS = [0, 100, 250, 500, 1000, 2000];
const LIST_CHUNK = 1000;

export class WatchCache {
  /** The current objects, as stored (stored-value.ts: decoded when first read). */
  private state = new Map<string, StoredValue>();
  private readonly ring: EventRing;
  private revision = 0;
  private started = false;
  private stopped = false;
  private etcdWatch: EtcdWatch | undefined;
  /** Counts etcd watches opened: a callback of an older one is ignored. */
  private watchGen = 0;
  private relistTimer: NodeJS.Timeout | undefined;
  private relistAttempt = 0;
  private rewatchTimer: NodeJS.Timeout | undefined;
  private rewatchAttempt = 0;
  private readonly watchers = new Set<Registration>();
  private freshWaiters: { rev: number; resolve: () => void }[] = [];
  private readonly log: Logger;

  constructor(private readonly client: Etcd3, readonly prefix: string, opts: WatchCacheOptions = {}) {
    this.ring = new EventRing(opts.capacity ?? 10_000, 0);
    this.log = (opts.logger ?? createLogger('keelson-storage')).child({ component: 'watch-cache', prefix });
  }

  /** Lists the prefix and starts the etcd watch right after the list's revision. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.relist();
    this.started = true;
  }

  /** Cancels the etcd watch (before anyone closes the client) and ends every watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.relistTimer);
    clearTimeout(this.rewatchTimer);
    this.watchGen++;
    this.etcdWatch?.cancel();
    this.etcdWatch = undefined;
    this.closeAll(new StorageError('Unavailable', this.prefix, 'watch cache stopped'));
    for (const w of this.freshWaiters) w.resolve();
    this.freshWaiters = [];
  }

  /** Objects the cache holds (apiserver_storage_objects). */
  get objectCount(): number {
    return this.state.size;
  }

  /** Watches currently registered (apiserver_registered_watchers). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Highest revision the cache has seen (for bookmarks). */
  currentRevision(): number {
    return this.revision;
  }

  /** Oldest revision a watch may resume from. */
  oldestRevision(): number {
    return this.ring.windowStart;
  }

  /** The cached object at `key` (as of `currentRevision()`), if any. */
  get(key: string): KubeObject | undefined {
    const v = this.state.get(key);
    return v && this.decoded(v);
  }

  /** Current state, sorted by key, as of `revision`. */
  list(opts: { filter?: (o: KubeObject) => boolean; namespacePrefix?: string } = {}): { items: KubeObject[]; revision: number } {
    return { items: this.snapshot(opts.filter, opts.namespacePrefix), revision: this.revision };
  }

  /** Resolves once the cache has seen `rev`; else Unavailable ("Too large resource version") after `timeoutMs`. */
  waitUntilFresh(rev: number, timeoutMs: number): Promise<void> {
    if (this.revision >= rev || this.stopped) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        rev,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.freshWaiters = this.freshWaiters.filter((w) => w !== waiter);
        reject(new StorageError('Unavailable', this.prefix, `Too large resource version: ${rev}, current: ${this.revision}`, this.revision));
      }, timeoutMs);
      this.freshWaiters.push(waiter);
    });
  }

  /**
   * Starts a watch with Kubernetes semantics. Initial and replayed events are
   * delivered synchronously, before this returns; live events follow.
   * Throws Expired when `resourceVersion` is older than the cache's window, and
   * Unavailable when initial events are asked for as of a revision the cache has
   * not reached yet (its snapshot would be older than what the client saw):
   * callers wait with `watchWhenFresh`.
   */
  watch(opts: CacheWatchOptions, onEvent: (e: CacheWatchEvent) => void): CacheWatchHandle {
    if (!this.started || this.stopped) throw new StorageError('Unavailable', this.prefix, 'watch cache is not running');
    const rv = parseResourceVersion(opts.resourceVersion);
    const initial = opts.sendInitialEvents ?? (rv === undefined || rv === 0);
    const reg: Registration = { from: this.revision, opts, onEvent };
    if (initial) {
      const required = requiredRevision(opts, rv);
      if (required > this.revision) {
        throw new StorageError('Unavailable', this.prefix, `Too large resource version: ${required}, current: ${this.revision}`, this.revision);
      }
      for (const object of this.snapshot(opts.filter, opts.namespacePrefix, opts.filterText)) {
        onEvent({ type: 'ADDED', object, revision: Number(object.metadata.resourceVersion) });
      }
    } else if (rv !== undefined && rv !== 0) {
      if (rv < this.ring.windowStart) {
        throw new StorageError('Expired', this.prefix, `too old resource version: ${rv} (${this.ring.windowStart})`, this.ring.windowStart);
      }
      reg.from = rv; // newer than the cache: events arrive as the cache catches up
      for (const e of this.ring.since(rv)) this.deliver(reg, e);
    }
    this.watchers.add(reg);
    return { cancel: () => this.watchers.delete(reg), revision: Math.max(reg.from, this.revision) };
  }

  /**
   * `watch()` once the cache has seen every change the initial events must include
   * (`minRevision`, and the named resourceVersion): kube's cacher waits the same way
   * before serving a snapshot. Unavailable ("Too large resource version") after `timeoutMs`.
   */
  async watchWhenFresh(opts: CacheWatchOptions, onEvent: (e: CacheWatchEvent) => void, timeoutMs: number): Promise<CacheWatchHandle> {
    const rv = parseResourceVersion(opts.resourceVersion);
    if (opts.sendInitialEvents ?? (rv === undefined || rv === 0)) await this.waitUntilFresh(requiredRevision(opts, rv), timeoutMs);
    // A watch resuming from a revision the cache has not reached waits for it the same way: a
    // lagging cache catches up in milliseconds, while a revision etcd never wrote would leave the
    // client silent forever; it gets "Too large resource version" and retries, as kube's clients do.
    else if (rv !== undefined && rv > 0) await this.waitUntilFresh(rv, timeoutMs);
    return this.watch(opts, onEvent);
  }

  private snapshot(filter?: (o: KubeObject) => boolean, keyPrefix?: string, filterText?: string): KubeObject[] {
    const keys = [...this.state.keys()].filter((k) => !keyPrefix || k.startsWith(keyPrefix)).sort();
    const out: KubeObject[] = [];
    for (const k of keys) {
      const v = this.state.get(k);
      if (filterText !== undefined && v && !v.mayContain(filterText)) continue;
      const o = v && this.decoded(v);
      if (o && (!filter || filter(o))) out.push(o);
    }
    return out;
  }

  /** The object a stored value holds; undefined (logged) when its bytes do not decode. */
  private decoded(v: StoredValue): KubeObject | undefined {
    try {
      return v.object;
    } catch (err) {
      this.log.error('skipping undecodable object', { key: v.key, revision: v.revision, err });
      return undefined;
    }
  }

  // Reads the whole prefix at one revision, replaces the state, resets the
  // window and watches from the next revision. Existing watches end, as in
  // kube: their clients resume from their last resourceVersion or relist.
  private async relist(): Promise<void> {
    const { kvs, revision } = await this.rangeAll();
    if (this.stopped) return;
    this.closeAll(new StorageError('Unavailable', this.prefix, 'watch cache relisted; watch again'));
    const state = new Map<string, StoredValue>();
    for (const kv of kvs) {
      const key = kv.key.toString();
      state.set(key, StoredValue.of(kv.value, Number(kv.mod_revision), key));
    }
    this.state = state;
    this.revision = revision;
    this.ring.reset(revision);
    this.relistAttempt = 0;
    this.watchEtcd(revision + 1);
    this.notifyFresh();
  }

  private async rangeAll(): Promise<{ kvs: IKeyValue[]; revision: number }> {
    const end = prefixEnd(this.prefix);
    const kvs: IKeyValue[] = [];
    let start = Buffer.from(this.prefix);
    let revision = 0;
    try {
      for (;;) {
        const res = await this.client.kv.range({ key: start, range_end: end, revision: revision || undefined, limit: LIST_CHUNK });
        if (!revision) revision = Number(res.header.revision);
        kvs.push(...res.kvs);
        if (!res.more || res.kvs.length === 0) return { kvs, revision };
        start = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
      }
    } catch (e) {
      throw fromEtcdError(e, this.prefix, revision);
    }
  }

  // The watch is this cache's own etcd Watch stream (etcd-watch.ts), which ends on any failure.
  // etcd cancelling it (its start revision compacted) is a relist, as kube's cacher does; a stream
  // that failed (etcd restarting, a member lost) is opened again right after the last revision
  // applied, so nothing is skipped and API watches go on.
  private watchEtcd(fromRevision: number): void {
    const gen = ++this.watchGen;
    this.etcdWatch?.cancel();
    this.etcdWatch = undefined;
    const current = (): boolean => gen === this.watchGen && !this.stopped;
    openEtcdWatch(this.client, Buffer.from(this.prefix), prefixEnd(this.prefix), fromRevision, {
      onEvents: (events) => {
        if (!current()) return;
        this.rewatchAttempt = 0;
        this.apply(events);
      },
      // Progress notifications move an idle cache forward (consistent reads wait on its revision).
      onProgress: (revision) => {
        if (!current() || revision <= this.revision) return;
        this.revision = revision;
        this.notifyFresh();
      },
      onEnd: (err) => {
        if (current()) this.watchEnded(err);
      },
    }).then(
      (w) => {
        if (current()) this.etcdWatch = w;
        else w.cancel();
      },
      (err: unknown) => {
        if (current()) this.watchEnded(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private watchEnded(err: Error): void {
    this.etcdWatch = undefined;
    if (err instanceof WatchCanceledError) {
      this.log.warn('etcd watch failed; relisting', { err });
      this.scheduleRelist();
      return;
    }
    const delay = REWATCH_BACKOFF_MS[Math.min(this.rewatchAttempt++, REWATCH_BACKOFF_MS.length - 1)];
    this.log.warn('etcd watch disconnected; watching again', { err, resumeAfter: this.revision, delayMs: delay });
    const gen = this.watchGen;
    this.rewatchTimer = setTimeout(() => {
      if (gen === this.watchGen && !this.stopped) this.watchEtcd(this.revision + 1);
    }, delay);
  }

  private scheduleRelist(): void {
    if (this.stopped) return;
    const delay = RELIST_BACKOFF_MS[Math.min(this.relistAttempt++, RELIST_BACKOFF_MS.length - 1)];
    this.relistTimer = setTimeout(() => {
      this.relist().catch((err: unknown) => {
        this.log.error('relist failed; retrying', { err });
        this.scheduleRelist();
      });
    }, delay);
  }

  private apply(events: WatchEvent[]): void {
    // Events of one txn share a revision; skip only revisions applied before this response.
    const applied = this.revision;
    for (const ev of events) {
      const revision = ev.kv.mod_revision;
      if (revision <= applied) continue;
      const key = ev.kv.key.toString();
      this.revision = Math.max(this.revision, revision);
      const event = this.toCacheEvent(ev.type, key, revision, ev.kv, ev.prev_kv);
      if (!event) continue;
      this.ring.push(event);
      for (const reg of this.watchers) this.deliver(reg, event);
    }
    this.notifyFresh();
  }

  private toCacheEvent(type: 'Put' | 'Delete', key: string, revision: number, kv: RawKeyValue, prevKv?: RawKeyValue): CacheEvent | undefined {
    const known = this.state.get(key);
    const prev = known ?? (prevKv ? StoredValue.of(prevKv.value, prevKv.mod_revision, key) : undefined);
    if (type === 'Delete') {
      this.state.delete(key);
      // resourceVersion of a deleted object is the delete's revision.
      return prev ? new StoredEvent('DELETED', key, revision, prev.atRevision(revision), prev) : undefined;
    }
    const value = StoredValue.of(kv.value, revision, key);
    this.state.set(key, value);
    return known ? new StoredEvent('MODIFIED', key, revision, value, known) : new StoredEvent('ADDED', key, revision, value);
  }

  private deliver(reg: Registration, e: CacheEvent): void {
    if (e.revision <= reg.from) return;
    if (reg.opts.namespacePrefix && !e.key.startsWith(reg.opts.namespacePrefix)) return;
    if (reg.opts.filterText !== undefined && e.mayContain?.(reg.opts.filterText) === false) return;
    let out;
    try {
      out = toWatchEvent(e, reg.opts.filter);
    } catch (err) {
      // Its object does not decode (stored-value.ts): nobody can be sent it.
      this.log.error('skipping undecodable watch event', { key: e.key, revision: e.revision, err });
      return;
    }
    if (!out) return;
    try {
      reg.onEvent(out);
    } catch (err) {
      this.log.error('watch consumer threw; ending its watch', { err });
      this.watchers.delete(reg);
      reg.opts.onClose?.(new StorageError('Unavailable', e.key, `watch consumer failed: ${String(err)}`));
    }
  }

  private closeAll(reason: StorageError): void {
    const regs = [...this.watchers];
    this.watchers.clear();
    for (const reg of regs) {
      try {
        reg.opts.onClose?.(reason);
      } catch (err) {
        this.log.error('watch onClose threw', { err });
      }
    }
  }

  private notifyFresh(): void {
    if (this.freshWaiters.length === 0) return;
    const ready = this.freshWaiters.filter((w) => w.rev <= this.revision);
    this.freshWaiters = this.freshWaiters.filter((w) => w.rev > this.revision);
    for (const w of ready) w.resolve();
  }
}

function requiredRevision(opts: CacheWatchOptions, rv: number | undefined): number {
  return Math.max(rv ?? 0, opts.minRevision ?? 0);
}

function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw new StorageError('InvalidContinue', '', `invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}
