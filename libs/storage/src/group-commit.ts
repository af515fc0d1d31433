// Group commit: concurrent, independent conditional writes share one etcd transaction.
//
// Every write the store makes is a compare-and-swap on one key (create: the key is absent;
// update/delete: its mod_revision is the one read, or it exists). Writes that are waiting at
// the same time — submitted in the same event-loop turn, or while earlier groups are at etcd —
// go out as ONE txn: the AND of all their compares, then all their puts and deletes. etcd
// applies it at one revision, which every member's resourceVersion becomes (a multi-key txn is
// ordinary etcd; the watch cache and the relay keep every key's event of a revision).
//
// When any compare fails, etcd applies none of the group, and each member is then sent alone,
// exactly as without grouping, so each request gets its own answer (AlreadyExists, Conflict,
// NotFound or success). A key is never twice in one group (etcd refuses such a txn), and a key
// with a write at etcd waits for its answer before its next write goes: writes to one key are
// applied in the order they were submitted.
//
// No timers: a group leaves as soon as fewer than `maxInFlight` groups are at etcd (after the
// current event-loop turn, so requests parsed together travel together); under load the
// batches grow by themselves while earlier groups are at etcd, like a write-behind queue.
//
// Writes without an answer. An etcd leader killed with proposals it had not committed leaves the
// members that forwarded them waiting for etcd's request timeout (5 s + 2 election timeouts) before
// they answer "request timed out": every write at etcd then stalled that long. So each attempt has
// a deadline (`attemptTimeoutMs`), and a write whose attempt got no answer (deadline, etcd
// unavailable) is sent again, alone, until `budgetMs`. The deadline is ours, not the gRPC call's:
// etcd3 answers a DEADLINE_EXCEEDED or CANCELLED call by resetting its whole channel to that etcd
// member (every call and watch on it fails), so the late call is left to finish on its own and
// its answer ignored. Sending a compare-and-swap again is safe: if
// the first attempt was applied after all, the compare now fails, and the key then holds exactly
// the bytes this write put (or is gone, for a delete): that is this write's success, at the
// revision the key shows. The stale attempt itself can no longer apply once the key moved on.
import { CompareResult, CompareTarget, type ICompare, type IKeyValue, type IRequestOp, type ITxnResponse } from 'etcd3';
import { isBrokenCircuitError } from 'cockatiel';
import { isEtcdUnavailable, retryPause } from './etcd-fault-handling';
import type { KvCalls } from './etcd-endpoints';

/** Where writes go: etcd3's client (`client.kv`), or EtcdEndpoints (etcd-endpoints.ts). */
export interface KvSource { readonly kv: Pick<KvCalls, 'txn'> }

/** What must hold of a key for its write to apply. */
export type WriteCondition =
  | { kind: 'absent' } // create_revision == 0
  | { kind: 'present' } // create_revision > 0
  | { kind: 'modRevision'; revision: number }; // mod_revision == revision

export interface ConditionalWrite {
  key: string;
  condition: WriteCondition;
  /** `put` writes `value`; `delete` removes the key. */
  op: 'put' | 'delete';
  value?: string | Buffer;
}

export type WriteResult =
  /** Applied at `revision` (shared with the rest of its group). */
  | { succeeded: true; revision: number; groupSize: number }
  /** The condition did not hold: `current` is the key as it was then (undefined: absent). */
  | { succeeded: false; revision: number; current?: IKeyValue; groupSize: number };

export interface GroupCommitOptions {
  /** Groups at etcd at once (default 2); further writes gather into the next group. */
  maxInFlight?: number;
  /** Writes per txn (default 128: etcd's default `--max-txn-ops`). */
  maxOps?: number;
  /** Keys and values per txn, in bytes (default 1 MiB, under etcd's default 1.5 MiB `--max-request-bytes`). */
  maxBytes?: number;
  /** Deadline of one attempt, and how long unanswered writes are sent again (see the top of this file). */
  retry?: WriteRetry;
}

/** How a write that got no answer is sent again. */
export interface WriteRetry {
  /** One attempt's deadline in ms (0: none, etcd's own request timeout applies). Default 2000. */
  attemptTimeoutMs?: number;
  /** Attempts stop once this long has passed since the first (the last error is the answer). Default 15000. */
  budgetMs?: number;
}

const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;
const DEFAULT_BUDGET_MS = 15_000;

export interface GroupCommitStats {
  /** Transactions sent: groups of two or more, plus writes sent alone. */
  txns: number;
  /** Groups of two or more writes sent as one txn. */
  groups: number;
  /** Writes that were members of such groups. */
  groupedWrites: number;
  /** Groups whose txn failed a compare (their members were then sent alone). */
  fallbacks: number;
  /** Largest group so far. */
  largestGroup: number;
}

interface Pending {
  write: ConditionalWrite;
  bytes: number;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/** One member's answer, handed out once its group has left the in-flight set. */
type Settled = { result: WriteResult } | { error: unknown };

// etcd refuses these before applying anything; the group was too big or odd, not the writes.
const GROUP_REFUSED = /too many operations in txn request|request is too large|duplicate key given in txn request|grpc: received message larger than max/i;

export class GroupCommitter {
  private queue: Pending[] = [];
  private readonly busy = new Set<string>(); // keys with a write at etcd
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxOps: number;
  private readonly maxBytes: number;
  private readonly retry: WriteRetry;
  private readonly counters: GroupCommitStats = { txns: 0, groups: 0, groupedWrites: 0, fallbacks: 0, largestGroup: 0 };

  constructor(private readonly client: KvSource, opts: GroupCommitOptions = {}) {
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    this.maxOps = Math.max(1, opts.maxOps ?? 128);
    this.maxBytes = Math.max(1, opts.maxBytes ?? 1024 * 1024);
    this.retry = opts.retry ?? {};
  }

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  /** Queues `write`; resolves with its own result once its txn (grouped or alone) is answered. */
  submit(write: ConditionalWrite): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ write, bytes: Buffer.byteLength(write.key) + byteLength(write.value), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight) {
      const group = this.take();
      if (group.length === 0) return;
      this.inFlight++;
      for (const p of group) this.busy.add(p.write.key);
      void this.send(group).then((answers) => {
        // Free the slot and the keys first: writes the callers send next must not wait behind
        // this group's slot or keys; then answer.
        for (const p of group) this.busy.delete(p.write.key);
        this.inFlight--;
        group.forEach((p, i) => {
          const a = answers[i];
          if ('result' in a) p.resolve(a.result);
          else p.reject(a.error);
        });
        this.schedule();
      });
    }
  }

  // The next group: queued writes in order, skipping keys already at etcd or in the group
  // (they stay queued, in order, for a later group), within the op and byte limits.
  private take(): Pending[] {
    const group: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    let bytes = 0;
    for (let i = 0; i < this.queue.length; i++) {
      const p = this.queue[i];
      const full = group.length >= this.maxOps || (group.length > 0 && bytes + p.bytes > this.maxBytes);
      if (full) {
        this.queue = rest.concat(this.queue.slice(i));
        return group;
      }
      if (this.busy.has(p.write.key) || keys.has(p.write.key)) {
        rest.push(p);
        continue;
      }
      group.push(p);
      keys.add(p.write.key);
      bytes += p.bytes;
    }
    this.queue = rest;
    return group;
  }

  // Never rejects: every member's answer, in group order.
  private async send(group: Pending[]): Promise<Settled[]> {
    this.counters.txns++;
    if (group.length === 1) return [await settle(() => commitOne(this.client, group[0].write, this.retry))];
    this.counters.groups++;
    this.counters.groupedWrites += group.length;
    this.counters.largestGroup = Math.max(this.counters.largestGroup, group.length);
    const startedAt = Date.now();
    let res: ITxnResponse;
    try {
      res = await withinAttempt(this.client.kv.txn({ compare: group.map((p) => compareOf(p.write)), success: group.map((p) => requestOf(p.write)), failure: [] }), this.retry);
    } catch (e) {
      if (e instanceof Error && GROUP_REFUSED.test(e.message)) return this.fallback(group);
      // No answer: the group may or may not have been applied. Each member is sent again alone,
      // and a compare that then fails is checked against what the member wrote.
      if (isUnanswered(e)) return this.fallback(group, startedAt);
      if (isBrokenCircuitError(e)) return this.fallback(group); // never sent: each member alone, as it is
      return group.map(() => ({ error: e }));
    }
    if (!res.succeeded) return this.fallback(group);
    const revision = Number(res.header.revision);
    return group.map(() => ({ result: { succeeded: true, revision, groupSize: group.length } }));
  }

  // A compare failed, so nothing was applied (or the group got no answer: `unansweredSince`):
  // each member alone, for its own exact answer.
  private fallback(group: Pending[], unansweredSince?: number): Promise<Settled[]> {
    this.counters.fallbacks++;
    this.counters.txns += group.length;
    return Promise.all(group.map((p) => settle(() => commitOne(this.client, p.write, this.retry, unansweredSince))));
  }
}

/**
 * One write as its own txn; on a failed condition the key's current state comes back with it.
 * An attempt without an answer is sent again within `retry`'s budget; `unansweredSince`: an
 * earlier attempt (this write's group) already went unanswered then.
 */
export async function commitOne(client: KvSource, write: ConditionalWrite, retry: WriteRetry = {}, unansweredSince?: number): Promise<WriteResult> {
  const budgetMs = retry.budgetMs ?? DEFAULT_BUDGET_MS;
  const firstAt = unansweredSince ?? Date.now();
  let uncertain = unansweredSince !== undefined;
  for (let attempt = 0; ; attempt++) {
    let res: ITxnResponse;
    try {
      res = await withinAttempt(client.kv.txn({
        compare: [compareOf(write)],
        success: [requestOf(write)],
        failure: [{ request_range: { key: Buffer.from(write.key) } }],
      }), retry);
    } catch (e) {
      if (Date.now() - firstAt >= budgetMs) throw e;
      // Refused by the client's breaker for that member: never sent, so sent again as it is.
      if (!isBrokenCircuitError(e)) {
        // A create, or a compare on mod_revision, cannot apply twice: safe to send again.
        if (!isUnanswered(e) || write.condition.kind === 'present') throw e;
        uncertain = true;
      }
      // etcd without a leader answers at once: do not spin while it elects one.
      await retryPause(attempt);
      continue;
    }
    const revision = Number(res.header.revision);
    if (res.succeeded) return { succeeded: true, revision, groupSize: 1 };
    const current = res.responses[0]?.response_range?.kvs[0];
    if (uncertain && appliedEarlier(write, current)) return { succeeded: true, revision: current ? Number(current.mod_revision) : revision, groupSize: 1 };
    return { succeeded: false, revision, current, groupSize: 1 };
  }
}

/** After an unanswered attempt: whether the key shows that attempt applied (it holds this write's bytes, or is gone). */
function appliedEarlier(write: ConditionalWrite, current: IKeyValue | undefined): boolean {
  if (write.op === 'delete') return current === undefined;
  if (!current) return false;
  const value = write.value ?? '';
  return Buffer.from(current.value).equals(Buffer.isBuffer(value) ? value : Buffer.from(value));
}

/** An attempt that got no answer within its deadline (the call itself goes on; its answer is ignored). */
export class WriteAttemptTimeout extends Error {
  constructor(ms: number) {
    super(`etcd did not answer the write within ${ms} ms`);
    this.name = 'WriteAttemptTimeout';
  }
}

/** No answer came: our deadline, or etcd unavailable ("request timed out", "leader changed", no connection). */
function isUnanswered(e: unknown): boolean {
  return e instanceof WriteAttemptTimeout || (e instanceof Error && isEtcdUnavailable(e));
}

/** `call`, or WriteAttemptTimeout once the attempt's deadline passes; a late answer or error is dropped. */
function withinAttempt<T>(call: Promise<T>, retry: WriteRetry): Promise<T> {
  const ms = retry.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  if (ms <= 0) return call;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new WriteAttemptTimeout(ms)), ms);
    call.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}

function byteLength(v: string | Buffer | undefined): number {
  return v === undefined ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(v);
}

async function settle(fn: () => Promise<WriteResult>): Promise<Settled> {
  try {
    return { result: await fn() };
  } catch (error) {
    return { error };
  }
}

function compareOf(w: ConditionalWrite): ICompare {
  const key = Buffer.from(w.key);
  switch (w.condition.kind) {
    case 'absent':
      return { key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 };
    case 'present':
      return { key, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 };
    case 'modRevision':
      return { key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: w.condition.revision };
  }
}

function requestOf(w: ConditionalWrite): IRequestOp {
  const key = Buffer.from(w.key);
  if (w.op === 'delete') return { request_delete_range: { key } };
  const value = w.value ?? '';
  return { request_put: { key, value: Buffer.isBuffer(value) ? value : Buffer.from(value) } };
}
