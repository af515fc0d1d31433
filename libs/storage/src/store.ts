// The gateway's etcd access: one object per key, optimistic concurrency on
// mod_revision, consistent paginated lists. Mirrors k8s.io/apiserver's etcd3 store.
import type { Etcd3, IKeyValue, IRangeResponse } from 'etcd3';
import type { Tracer } from '@opentelemetry/api';
import { copyJson, jsonDeepEqual, type KubeObject } from '@keelson/api';
import { decodeObject, encodeObject, storedValueIsStale, withRevision } from './codec';
import { decodeContinue, encodeContinue } from './continue-token';
import { fromEtcdError, StorageError } from './errors';
import { commitOne, GroupCommitter, type ConditionalWrite, type GroupCommitOptions, type GroupCommitStats, type WriteResult, type WriteRetry } from './group-commit';
import { prefixEnd } from './keys';
import type { KvCalls } from './etcd-endpoints';
import { defaultTracer, inSpan } from './tracing';

/** Told of every etcd call's duration (etcd_request_duration_seconds); `key` is the key or prefix. */
export type EtcdRequestObserver = (operation: string, key: string, seconds: number, ok: boolean) => void;

export interface EtcdStoreOptions {
  tracer?: Tracer;
  observe?: EtcdRequestObserver;
  /**
   * Group commit (group-commit.ts): concurrent creates, updates and deletes of different keys
   * share one etcd txn; a failed compare sends each alone. Off when unset or false.
   */
  groupCommit?: boolean | GroupCommitOptions;
  /** Per-attempt deadline of writes and how long unanswered ones are re-sent (group-commit.ts). */
  writeRetry?: WriteRetry;
  /**
   * Where reads and writes go (etcd-endpoints.ts: a preferred member, unanswering members passed
   * over, reads hedged); default the client's own `kv` (a member at random per call).
   */
  kv?: KvCalls;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface ListOptions {
  limit?: number;
  continue?: string;
  /** Read at exactly this revision (ignored when `continue` is given). */
  revision?: number;
  filter?: (o: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The snapshot revision: the list's resourceVersion. */
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

// Retries of a read-modify-write losing to concurrent writers before giving up.
const MAX_UPDATE_ATTEMPTS = 100;
// Largest range a filtered list reads per round trip (kube's maxLimit).
const MAX_CHUNK = 10_000;

const rev = (v: string | number): number => Number(v);

export class EtcdStore {
  private readonly tracer: Tracer;
  private readonly observe?: EtcdRequestObserver;
  private readonly committer?: GroupCommitter;
  private readonly writeRetry: WriteRetry;
  private readonly kv: KvCalls;
  private readonly writes: { kv: KvCalls };
  private cachedExisting?: CachedExistingLookup;

  constructor(client: Etcd3, opts: EtcdStoreOptions = {}) {
    this.kv = opts.kv ?? client.kv;
    this.writes = { kv: this.kv };
    this.tracer = opts.tracer ?? defaultTracer();
    this.observe = opts.observe;
    this.writeRetry = opts.writeRetry ?? {};
    if (opts.groupCommit) this.committer = new GroupCommitter(this.writes, { ...(opts.groupCommit === true ? {} : opts.groupCommit), retry: this.writeRetry });
  }

  /** Group commit's counters; undefined when writes are not grouped. */
  groupCommitStats(): GroupCommitStats | undefined {
    return this.committer?.stats();
  }

  /** Fails with KeyExists when the key exists. */
  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const res = await this.call('create', key, () => this.write({ key, condition: { kind: 'absent' }, op: 'put', value: encodeObject(obj, key) }));
    if (!res.succeeded) throw new StorageError('KeyExists', key, `key ${key} already exists`);
    return withRevision(obj, res.revision);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const kv = await this.getKv(key);
    return kv ? decodeObject(kv.value, kv.mod_revision, key) : undefined;
  }

  /**
   * Writes `obj` over an existing key. With `expectedRevision` the write only
   * happens if the key's mod_revision still equals it (else Conflict).
   */
  async update(key: string, obj: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    const condition = expectedRevision === undefined ? { kind: 'present' as const } : { kind: 'modRevision' as const, revision: expectedRevision };
    const res = await this.call('update', key, () => this.write({ key, condition, op: 'put', value: encodeObject(obj, key) }));
    if (res.succeeded) return withRevision(obj, res.revision);
    const current = res.current;
    if (!current) throw new StorageError('NotFound', key, `key ${key} not found`);
    throw conflict(key, rev(current.mod_revision), `the object has been modified; please apply your changes to the latest version and try again`);
  }

  /**
   * Where guaranteedUpdate and delete may start: the object as a cache last saw it (the gateway's
   * watch cache), like kube's cachedExistingObject. Such a copy may be stale: etcd is read only when
   * it could matter (see guaranteedUpdate), and every write still compares the exact revision.
   */
  useCachedExisting(lookup: CachedExistingLookup | undefined): void {
    this.cachedExisting = lookup;
  }

  /**
   * Read-modify-write that retries when another writer got in between, like
   * kube's GuaranteedUpdate. `tryUpdate` gets a private copy of the current
   * object and may throw to abort. Returning an unchanged object writes nothing.
   *
   * With a cached copy to start from (useCachedExisting), the first attempt skips etcd's read, and
   * etcd is read when the copy may have misled: a failed compare (its answer carries the current
   * value), an expectedRevision or tryUpdate error against it (an error that the current revision
   * repeats is answered as it stands), and an unchanged result (a no-op must be confirmed on
   * current data, which also checks the stored value's encryption key).
   */
  async guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { expectedRevision?: number } = {},
  ): Promise<KubeObject> {
    let state = await this.startingState(key);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!state) throw new StorageError('NotFound', key, `key ${key} not found`);
      if (opts.expectedRevision !== undefined && opts.expectedRevision !== state.rev) {
        if (!fromCache(state)) throw conflict(key, state.rev, 'the object has been modified; please apply your changes to the latest version and try again');
        state = await this.currentState(key);
        continue;
      }
      let next: KubeObject;
      try {
        next = await tryUpdate(privateCopy(state, key));
      } catch (e) {
        state = await this.currentOr(key, state, e);
        continue;
      }
      if (jsonDeepEqual(stripRv(next), stripRv(state.obj))) {
        if (fromCache(state)) {
          state = await this.currentState(key);
          continue; // a no-op is only answered from current data
        }
        // Unchanged writes nothing, unless the stored value is encrypted with an older key (kube's stale read).
        if (!storedValueIsStale(state.kv!.value, key)) return state.obj;
      }
      const from = state.rev;
      const res = await this.call('update', key, () => this.write({ key, condition: { kind: 'modRevision', revision: from }, op: 'put', value: encodeObject(next, key) }));
      if (res.succeeded) return withRevision(next, res.revision);
      state = stateOf(res.current, key); // lost the race (or started stale): retry on what won
    }
    throw conflict(key, state?.rev, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
  }

  /**
   * Deletes the key if the preconditions hold against its latest state and
   * returns that state, with resourceVersion = the delete's revision. Starts from a
   * cached copy where there is one, as guaranteedUpdate does.
   */
  async delete(key: string, preconditions: DeletePreconditions = {}): Promise<KubeObject> {
    let state = await this.startingState(key);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!state) throw new StorageError('NotFound', key, `key ${key} not found`);
      const failed = deletePreconditionError(key, state, preconditions);
      if (failed) {
        state = await this.currentOr(key, state, failed);
        continue;
      }
      const from = state.rev;
      const res = await this.call('delete', key, () => this.write({ key, condition: { kind: 'modRevision', revision: from }, op: 'delete' }));
      if (res.succeeded) return withRevision(fromCache(state) ? privateCopy(state, key) : state.obj, res.revision);
      state = stateOf(res.current, key);
    }
    throw conflict(key, state?.rev, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
  }

  // The cached copy when there is one (not known to be current: fromCache), else etcd's.
  private async startingState(key: string): Promise<ObjectState | undefined> {
    const cached = this.cachedExisting?.(key);
    if (cached) return { obj: cached, rev: rev(cached.metadata.resourceVersion ?? '0') };
    return this.currentState(key);
  }

  private async currentState(key: string): Promise<ObjectState | undefined> {
    return stateOf(await this.getKv(key), key);
  }

  /**
   * `err` came from judging `state`: from etcd's data it stands; from a cached copy, etcd is read
   * and the error stands only if the copy was current after all (same revision); otherwise the
   * current state is returned to judge again.
   */
  private async currentOr(key: string, state: ObjectState, err: unknown): Promise<ObjectState | undefined> {
    if (!fromCache(state)) throw err;
    const current = await this.currentState(key);
    if (current?.rev === state.rev) throw err;
    return current;
  }

  /**
   * One consistent snapshot, possibly in pages: the first page fixes the
   * revision, later pages read at it through the continue token. With a
   * filter, reads on until `limit` items match or the range ends.
   */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const end = prefixEnd(prefix);
    let startKey: Buffer = Buffer.from(prefix);
    let revision = opts.revision ?? 0;
    if (opts.continue) {
      const pos = decodeContinue(opts.continue, prefix);
      startKey = Buffer.from(pos.startKey);
      revision = pos.revision;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KubeObject[] = [];
    let chunk = limit;
    let lastKey: Buffer | undefined;
    let hasMore = false;
    let total = 0;
    for (;;) {
      const res = await this.rangeAt(prefix, startKey, end, revision, chunk, opts.continue !== undefined);
      if (revision === 0) revision = rev(res.header.revision);
      if (total === 0) total = Number(res.count);
      hasMore = res.more;
      let i = 0;
      for (; i < res.kvs.length; i++) {
        if (limit && items.length >= limit) break;
        const kv = res.kvs[i];
        lastKey = kv.key;
        const key = kv.key.toString();
        const obj = decodeObject(kv.value, kv.mod_revision, key);
        if (!opts.filter || opts.filter(obj)) items.push(obj);
      }
      if (i < res.kvs.length) hasMore = true;
      if (!hasMore || !limit || items.length >= limit || !lastKey) break;
      // Filtered and short: read the next chunk, growing it like kube does.
      startKey = Buffer.concat([lastKey, Buffer.from([0])]);
      chunk = Math.min(chunk * 2, MAX_CHUNK);
    }
    const result: ListResult = { items, revision };
    if (hasMore && lastKey) {
      result.continue = encodeContinue(lastKey.toString() + '\x00', prefix, revision);
      // Like kube: only an unfiltered list knows how many items remain.
      if (!opts.filter) result.remainingItemCount = Math.max(0, total - items.length);
    }
    return result;
  }

  /** The store's current revision. */
  async currentRevision(): Promise<number> {
    const res = await this.call('range', '/', () => this.kv.range({ key: Buffer.from('/') }));
    return rev(res.header.revision);
  }

  /** Compacts etcd history up to `revision`; already compacted is not an error. */
  async compact(revision: number): Promise<void> {
    try {
      await this.call('compact', '', () => this.kv.compact({ revision, physical: true }));
    } catch (e) {
      if (e instanceof StorageError && e.code === 'Expired') return;
      throw e;
    }
  }

  // One conditional write: grouped with concurrent ones when group commit is on, else alone.
  private write(w: ConditionalWrite): Promise<WriteResult> {
    return this.committer ? this.committer.submit(w) : commitOne(this.writes, w, this.writeRetry);
  }

  private async getKv(key: string): Promise<IKeyValue | undefined> {
    const res = await this.call('get', key, () => this.kv.range({ key: Buffer.from(key) }));
    return res.kvs[0];
  }

  private async rangeAt(prefix: string, start: Buffer, end: Buffer, revision: number, limit: number, continuing: boolean): Promise<IRangeResponse> {
    try {
      return await this.call('list', prefix, () =>
        this.kv.range({ key: start, range_end: end, revision: revision || undefined, limit: limit || undefined }),
      );
    } catch (e) {
      if (e instanceof StorageError && e.code === 'Expired') {
        const msg = continuing
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'
          : `too old resource version: ${revision}`;
        throw new StorageError('Expired', prefix, msg, revision);
      }
      throw e;
    }
  }

  private async call<T>(op: string, key: string, fn: () => Promise<T>): Promise<T> {
    return inSpan(this.tracer, op, key, async () => {
      const started = performance.now();
      let ok = false;
      try {
        const out = await fn();
        ok = true;
        return out;
      } catch (e) {
        throw fromEtcdError(e, key);
      } finally {
        this.observe?.(op, key, (performance.now() - started) / 1000, ok);
      }
    });
  }
}

/** The object at `key` as a cache holds it (shared: never mutated), or undefined. */
export type CachedExistingLookup = (key: string) => KubeObject | undefined;

// An object and its etcd revision: read from etcd (`kv` set; `obj` is a private decode) or a
// cache's shared copy (no `kv`).
/** An object and its revision: read from etcd (with its `kv`), or a cached copy (without). */
interface ObjectState {
  obj: KubeObject;
  rev: number;
  kv?: IKeyValue;
}

/** A cached copy, not known to be current; etcd's answers carry their kv. */
const fromCache = (state: ObjectState): boolean => state.kv === undefined;

function stateOf(kv: IKeyValue | undefined, key: string): ObjectState | undefined {
  if (!kv) return undefined;
  const r = rev(kv.mod_revision);
  return { obj: decodeObject(kv.value, r, key), rev: r, kv };
}

// tryUpdate's own copy: decoded again from etcd's value, or the cached object copied.
function privateCopy(state: ObjectState, key: string): KubeObject {
  return state.kv ? decodeObject(state.kv.value, state.rev, key) : copyJson(state.obj);
}

function deletePreconditionError(key: string, state: ObjectState, pre: DeletePreconditions): StorageError | undefined {
  if (pre.uid !== undefined && pre.uid !== state.obj.metadata.uid) {
    return conflict(key, state.rev, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${state.obj.metadata.uid ?? ''}`);
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== String(state.rev)) {
    return conflict(key, state.rev, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${state.rev}`);
  }
  return undefined;
}

function conflict(key: string, currentRevision: number | undefined, why: string): StorageError {
  return new StorageError('Conflict', key, why, currentRevision);
}

function stripRv(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}
