// The gateway's etcd access: one object per key, optimistic concurrency on
// mod_revision, consistent paginated lists. Mirrors k8s.io/apiserver's etcd3 store.
import { isDeepStrictEqual } from 'node:util';
import type { Etcd3, IKeyValue, IRangeResponse } from 'etcd3';
import type { Tracer } from '@opentelemetry/api';
import type { KubeObject } from '@keelson/api';
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
   * Read-modify-write that retries when another writer got in between, like
   * kube's GuaranteedUpdate. `tryUpdate` gets a private copy of the current
   * object and may throw to abort. Returning an unchanged object writes nothing.
   */
  async guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { expectedRevision?: number } = {},
  ): Promise<KubeObject> {
    let kv = await this.getKv(key);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!kv) throw new StorageError('NotFound', key, `key ${key} not found`);
      const currentRev = rev(kv.mod_revision);
      if (opts.expectedRevision !== undefined && opts.expectedRevision !== currentRev) {
        throw conflict(key, currentRev, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const current = decodeObject(kv.value, currentRev, key);
      const next = await tryUpdate(decodeObject(kv.value, currentRev, key));
      // Unchanged writes nothing, unless the stored value is encrypted with an older key (kube's stale read).
      if (isDeepStrictEqual(stripRv(next), stripRv(current)) && !storedValueIsStale(kv.value, key)) return current;
      const res = await this.call('update', key, () => this.write({ key, condition: { kind: 'modRevision', revision: currentRev }, op: 'put', value: encodeObject(next, key) }));
      if (res.succeeded) return withRevision(next, res.revision);
      kv = res.current; // lost the race: retry on what won
    }
    throw conflict(key, kv ? rev(kv.mod_revision) : undefined, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
  }

  /**
   * Deletes the key if the preconditions hold against its latest state and
   * returns that state, with resourceVersion = the delete's revision.
   */
  async delete(key: string, preconditions: DeletePreconditions = {}): Promise<KubeObject> {
    let kv = await this.getKv(key);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!kv) throw new StorageError('NotFound', key, `key ${key} not found`);
      const currentRev = rev(kv.mod_revision);
      const current = decodeObject(kv.value, currentRev, key);
      if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
        throw conflict(key, currentRev, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }
      if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== String(currentRev)) {
        throw conflict(key, currentRev, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${currentRev}`);
      }
      const res = await this.call('delete', key, () => this.write({ key, condition: { kind: 'modRevision', revision: currentRev }, op: 'delete' }));
      if (res.succeeded) return withRevision(current, res.revision);
      kv = res.current;
    }
    throw conflict(key, kv ? rev(kv.mod_revision) : undefined, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
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

function conflict(key: string, currentRevision: number | undefined, why: string): StorageError {
  return new StorageError('Conflict', key, why, currentRevision);
}

function stripRv(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}
