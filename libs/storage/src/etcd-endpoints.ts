// Which etcd member a read or write goes to, and what happens when one stops answering.
//
// etcd3's client picks a member at random for every call and only learns that a member is gone
// from an error on its channel. A member that is frozen, partitioned or whose container vanished
// answers nothing and raises no error: a third of all calls then hang on it (reads forever: etcd3
// puts no deadline on them), and a write re-sent after its deadline lands on the same member a
// third of the time. Measured on a 3-member cluster with the leader frozen (SIGSTOP): 6 writes
// acknowledged in the 15 s after, against ~60 per second before.
//
// So the store sends its unary calls (range, txn, compact) through here: one etcd3 client per
// member; calls go to one preferred member (etcd forwards writes to the leader, so any member
// serves); a member that leaves a call unanswered for `attemptTimeoutMs`, or whose connection
// fails, is passed over for `suspectMs`. That alone can pick wrong: when the leader dies, the
// writes a live follower forwarded to it go unanswered too, and the follower looks as dead as the
// leader. So every member is also asked for its status (answered locally, no leader needed) every
// `probeIntervalMs`: one whose last answer is older than `staleMs` is passed over as well, and
// among members that are both, the one that answered last is taken. Reads are hedged: after
// `attemptTimeoutMs` without an answer the same read goes to the next member and the first
// answer wins (a slow but healthy member still answers, nothing is abandoned). Writes are not
// hedged here: the committer (group-commit.ts) abandons an attempt after its deadline and
// re-sends it; the re-send goes to another member because this one is suspect by then. Watches stay on etcd3's multi-member
// client, whose gRPC keepalive (etcdClientOptions) ends a stream to a member that stopped answering.
import { Etcd3, type ICompactionRequest, type ICompactionResponse, type IOptions, type IRangeRequest, type IRangeResponse, type ITxnRequest, type ITxnResponse } from 'etcd3';
import { isBrokenCircuitError } from 'cockatiel';
import { isEtcdUnavailable, retryPause } from './etcd-fault-handling';

/** The unary KV calls the store makes; etcd3's `client.kv` has this shape. */
export interface KvCalls {
  range(req: IRangeRequest): Promise<IRangeResponse>;
  txn(req: ITxnRequest): Promise<ITxnResponse>;
  compact(req: ICompactionRequest): Promise<ICompactionResponse>;
}

export interface EtcdEndpointsOptions {
  /** A call this long unanswered marks its member suspect (reads then go to the next one too). Default 2000. */
  attemptTimeoutMs?: number;
  /** How long a suspect member is passed over (unless every member is). Default 10000. */
  suspectMs?: number;
  /** How long a read is tried again (every member unreachable, or etcd electing a leader). Default 15000. */
  readBudgetMs?: number;
  /** How often each member is asked for its status (with two or more members). Default 500. */
  probeIntervalMs?: number;
  /** A member whose last answer is older than this is passed over. Default 1500. */
  staleMs?: number;
}

/** No member excluded (pick's default, without a Set per call). */
const NONE: ReadonlySet<never> = new Set();

interface Member {
  readonly endpoint: string;
  readonly client: Etcd3;
  /** Passed over until then: a call it left unanswered, or its connection failed. */
  suspectUntil: number;
  /** Its last answer to anything (a status probe or a call). */
  answeredAt: number;
  probing: boolean;
}

export interface EndpointState {
  endpoint: string;
  preferred: boolean;
  suspect: boolean;
}

export class EtcdEndpoints {
  readonly kv: KvCalls;
  private readonly members: Member[];
  private preferred = 0;
  private readonly attemptTimeoutMs: number;
  private readonly suspectMs: number;
  private readonly readBudgetMs: number;
  private readonly staleMs: number;
  private readonly prober?: NodeJS.Timeout;

  /** `optionsFor(endpoint)`: etcd3 options for a client of that member alone. */
  constructor(endpoints: string[], optionsFor: (endpoint: string) => IOptions, opts: EtcdEndpointsOptions = {}) {
    if (endpoints.length === 0) throw new Error('no etcd endpoints');
    const now = Date.now();
    this.members = endpoints.map((endpoint) => ({ endpoint, client: new Etcd3(optionsFor(endpoint)), suspectUntil: 0, answeredAt: now, probing: false }));
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 2000;
    this.suspectMs = opts.suspectMs ?? 10_000;
    this.readBudgetMs = opts.readBudgetMs ?? 15_000;
    this.staleMs = opts.staleMs ?? 1500;
    if (this.members.length > 1) {
      this.prober = setInterval(() => this.probe(), opts.probeIntervalMs ?? 500);
      this.prober.unref();
    }
    this.kv = {
      range: (req) => this.read((kv) => kv.range(req)),
      compact: (req) => this.read((kv) => kv.compact(req)),
      txn: (req) => this.write((kv) => kv.txn(req)),
    };
  }

  /** Each member, whether calls go to it first, and whether it is passed over. */
  state(now = Date.now()): EndpointState[] {
    return this.members.map((m, i) => ({ endpoint: m.endpoint, preferred: i === this.preferred, suspect: this.rank(m, now) > 0 }));
  }

  close(): void {
    if (this.prober) clearInterval(this.prober);
    for (const m of this.members) m.client.close();
  }

  // One status call per member, unless its last one is still unanswered (a frozen member gets
  // no pile of calls).
  private probe(): void {
    for (const m of this.members) {
      if (m.probing) continue;
      m.probing = true;
      m.client.maintenance.status().then(
        () => { m.answeredAt = Date.now(); },
        () => undefined, // unreachable: its answeredAt ages
      ).finally(() => { m.probing = false; });
    }
  }

  // 0: fine; 1: no answer lately (stale); 2: left a call unanswered or failed to connect; 3: both.
  private rank(m: Member, now: number): number {
    return (m.suspectUntil > now ? 2 : 0) + (now - m.answeredAt > this.staleMs ? 1 : 0);
  }

  // The preferred member unless another ranks better; among equals, the preferred one, else the
  // one that answered last. `exclude`: members this call already tried.
  private pick(exclude: ReadonlySet<Member> = NONE): Member | undefined {
    const now = Date.now();
    let best: Member | undefined;
    let bestRank = Infinity;
    for (let i = 0; i < this.members.length; i++) {
      const m = this.members[(this.preferred + i) % this.members.length];
      if (exclude.has(m)) continue;
      const r = this.rank(m, now);
      if (r < bestRank || (r === bestRank && best && m.answeredAt > best.answeredAt && bestRank > 0)) {
        best = m;
        bestRank = r;
      }
    }
    if (best && bestRank === 0 && !exclude.size) this.preferred = this.members.indexOf(best);
    return best;
  }

  private suspect(m: Member): void {
    m.suspectUntil = Date.now() + this.suspectMs;
  }

  private answered(m: Member): void {
    m.suspectUntil = 0;
    m.answeredAt = Date.now();
  }

  // A write attempt on one member. Its answer, or its error, is the caller's; a member that
  // has not answered by the deadline is suspect from then on (the caller's own deadline decides
  // when to give up on the attempt).
  private async write<T>(call: (kv: KvCalls) => Promise<T>): Promise<T> {
    const m = this.pick()!;
    const timer = setTimeout(() => this.suspect(m), this.attemptTimeoutMs);
    try {
      const out = await call(m.client.kv);
      this.answered(m);
      return out;
    } catch (e) {
      if (noAnswer(e)) this.suspect(m);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  // A read: hedged across members, and tried again while etcd is unavailable (every member
  // unreachable, or electing a leader) within the read budget.
  private async read<T>(call: (kv: KvCalls) => Promise<T>): Promise<T> {
    const until = Date.now() + this.readBudgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.hedged(call);
      } catch (e) {
        if (!retryable(e) || Date.now() >= until) throw e;
        await retryPause(attempt);
      }
    }
  }

  // Sends `call` to a member; after attemptTimeoutMs without an answer, or at once when that
  // member cannot be reached, to the next one too. The first answer (or a member's error that is
  // an answer, such as a compacted revision) settles it; unreachable everywhere: the last error.
  private hedged<T>(call: (kv: KvCalls) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tried = new Set<Member>();
      let pending = 0;
      let settled = false;
      let lastError: unknown;
      const launch = (): boolean => {
        const m = this.pick(tried);
        if (!m) return false;
        tried.add(m);
        pending++;
        const timer = setTimeout(() => {
          this.suspect(m);
          if (!settled) launch();
        }, this.attemptTimeoutMs);
        call(m.client.kv).then(
          (v) => {
            clearTimeout(timer);
            pending--;
            this.answered(m);
            if (!settled) { settled = true; resolve(v); }
          },
          (e: unknown) => {
            clearTimeout(timer);
            pending--;
            if (settled) return;
            if (noAnswer(e)) {
              this.suspect(m);
              lastError = e;
              if (launch() || pending > 0) return;
              settled = true;
              reject(lastError);
              return;
            }
            settled = true;
            reject(e);
          },
        );
        return true;
      };
      launch();
    });
  }
}

/**
 * The member gave no answer: its connection failed or its breaker is open. etcd's own
 * "etcdserver: ..." errors (leader changed, no leader, request timed out) are answers from a live
 * member and do not make it suspect.
 */
function noAnswer(e: unknown): boolean {
  if (isBrokenCircuitError(e)) return true;
  return e instanceof Error && isEtcdUnavailable(e) && !/etcdserver:/.test(e.message);
}

/** Worth another round: nothing answered, or etcd answered that it cannot serve yet. */
function retryable(e: unknown): boolean {
  return isBrokenCircuitError(e) || (e instanceof Error && isEtcdUnavailable(e));
}
