// A light API Priority and Fairness (kube-apiserver's APF filter, simplified): every
// authenticated request is classified into a priority level the way kube's default
// FlowSchemas do, so that a flood from one user cannot starve the control plane's own
// identities (they have their own levels, with their own seats).
//
// - Per level: at most `seats` requests execute at once; the rest wait in per-user queues
//   served round-robin (fair queuing by user, kube's `ByUser` distinguisher), each queue at
//   most `queueLength` long and a request waits at most `queueWaitMs`; beyond that 429.
// - User-facing levels (workload-low, global-default, catch-all) also rate-limit each user
//   with a token bucket (`userQps`, `userBurst`); an empty bucket is 429 with Retry-After.
// - Watches and pod logs are long-running: they take no seat and have no timeout, but each
//   user may hold at most `maxWatchesPerUser` watches at once.
// - Other requests time out after `requestTimeoutMs` (kube's --request-timeout, 60 s) or the
//   request's own `?timeout=`, whichever is shorter: 504 Timeout like kube's timeout filter.
// The exempt level (system:masters, as kube's `exempt` FlowSchema) bypasses all of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '@keelson/api';
import { envNumber } from '@keelson/controller-runtime';
import type { UserInfo } from './auth';
import type { ResourceRequest } from './request-info';

export type PriorityLevel = 'exempt' | 'system' | 'leader-election' | 'workload-high' | 'workload-low' | 'global-default' | 'catch-all';

export interface LevelLimits {
  /** Requests of this level executing at once. */
  seats: number;
  /** Requests of one user waiting for a seat. */
  queueLength: number;
}

export interface FlowControlConfig {
  /** Off: no limits at all (`KEELSON_FLOW_CONTROL=false`). */
  enabled: boolean;
  userQps: number;
  userBurst: number;
  maxWatchesPerUser: number;
  requestTimeoutMs: number;
  queueWaitMs: number;
  levels: Record<Exclude<PriorityLevel, 'exempt'>, LevelLimits>;
}

const DEFAULT_LEVELS: FlowControlConfig['levels'] = {
  // After kube's default PriorityLevelConfigurations (shares system 30, leader-election 10,
  // workload-high 40, workload-low 100, global-default 20, catch-all 5), scaled for one
  // process; the control plane's own levels get long queues (a ReplicaSet burst or many
  // simulated nodes share one identity), and Keelson's client retries 429 after Retry-After.
  system: { seats: 100, queueLength: 1000 },
  'leader-election': { seats: 20, queueLength: 100 },
  'workload-high': { seats: 200, queueLength: 1000 },
  'workload-low': { seats: 100, queueLength: 100 },
  'global-default': { seats: 50, queueLength: 100 },
  'catch-all': { seats: 10, queueLength: 20 },
};

export function flowControlConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FlowControlConfig {
  const num = (name: string, fallback: number): number => envNumber(env, name, fallback);
  const levels = { ...DEFAULT_LEVELS };
  for (const name of Object.keys(levels) as (keyof FlowControlConfig['levels'])[]) {
    const key = name.toUpperCase().replace(/-/g, '_');
    levels[name] = { seats: num(`KEELSON_FLOW_${key}_SEATS`, levels[name].seats), queueLength: num(`KEELSON_FLOW_${key}_QUEUE_LENGTH`, levels[name].queueLength) };
  }
  return {
    enabled: env.KEELSON_FLOW_CONTROL !== 'false',
    userQps: num('KEELSON_FLOW_USER_QPS', 50),
    userBurst: num('KEELSON_FLOW_USER_BURST', 100),
    maxWatchesPerUser: num('KEELSON_FLOW_MAX_WATCHES_PER_USER', 100),
    requestTimeoutMs: num('KEELSON_REQUEST_TIMEOUT_SECONDS', 60) * 1000,
    queueWaitMs: num('KEELSON_FLOW_QUEUE_WAIT_SECONDS', 15) * 1000,
    levels,
  };
}

export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

/** 429 as a Status (kube's apierrors.NewTooManyRequests) with the Retry-After header set. */
function tooManyRequests(res: ServerResponse, retryAfterSeconds: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  if (!res.headersSent) res.setHeader('Retry-After', String(seconds));
  return new ApiError(429, 'TooManyRequests', TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds: seconds });
}

const CONTROL_PLANE_USERS = new Set(['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver']);
const LEASE_VERBS = new Set(['get', 'create', 'update']);

/** kube's default FlowSchemas, in their matching precedence, reduced to what Keelson serves. */
export function classify(user: UserInfo, rr: ResourceRequest | undefined): PriorityLevel {
  const groups = new Set(user.groups);
  if (groups.has('system:masters')) return 'exempt';
  // system-nodes / system-node-high: kubelets (and their leases and node status).
  if (groups.has('system:nodes') || user.name.startsWith('system:node:')) return 'system';
  const controlPlane =
    CONTROL_PLANE_USERS.has(user.name) || groups.has('system:keelson') || user.name.startsWith('system:keelson:') || user.name.startsWith('system:serviceaccount:kube-system:');
  if (controlPlane && rr?.group === 'coordination.k8s.io' && rr.resource === 'leases' && LEASE_VERBS.has(rr.verb)) return 'leader-election';
  if (controlPlane) return 'workload-high';
  if (groups.has('system:serviceaccounts') || user.name.startsWith('system:serviceaccount:')) return 'workload-low';
  if (groups.has('system:authenticated')) return 'global-default';
  return 'catch-all';
}

/** kube's long-running check: watches and the streaming subresources. */
export function isLongRunning(rr: ResourceRequest | undefined): boolean {
  if (!rr) return false;
  return rr.verb === 'watch' || (rr.subresource !== undefined && ['log', 'exec', 'attach', 'portforward', 'proxy'].includes(rr.subresource));
}

/** A token bucket per user; refilled lazily. */
class UserRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly qps: number, private readonly burst: number, private readonly now: () => number) {}

  /** 0 when admitted, else seconds until a token is available. */
  take(user: string): number {
    if (this.qps <= 0 && this.burst <= 0) return 0; // both 0: unlimited
    const now = this.now();
    const b = this.buckets.get(user) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.qps);
    b.at = now;
    this.buckets.set(user, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    if (this.buckets.size > 10_000) this.prune(now);
    return this.qps > 0 ? (1 - b.tokens) / this.qps : 60;
  }

  /** Full buckets carry no state worth keeping. */
  private prune(now: number): void {
    for (const [user, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.qps >= this.burst) this.buckets.delete(user);
  }
}

interface Waiter {
  grant(): void;
}

/** Seats of one priority level, granted round-robin across per-user queues. */
class PriorityLevelQueues {
  private executing = 0;
  private readonly queues = new Map<string, Waiter[]>();
  constructor(readonly limits: LevelLimits) {}

  /**
   * Resolves with a release function, or rejects (429) when the user's queue is full or the wait
   * too long. A waiter whose client left (`gone` aborts) leaves the queue at once: granted a seat,
   * nobody would ever give it back.
   */
  acquire(flow: string, waitMs: number, rejected: () => ApiError, gone: AbortSignal): Promise<() => void> {
    if (this.executing < this.limits.seats && this.queues.size === 0) {
      this.executing++;
      return Promise.resolve(this.releaser());
    }
    const queue = this.queues.get(flow) ?? [];
    if (queue.length >= this.limits.queueLength) return Promise.reject(rejected());
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        gone.removeEventListener('abort', leave);
        const q = this.queues.get(flow);
        const i = q ? q.indexOf(waiter) : -1;
        if (q && i >= 0) q.splice(i, 1);
        if (q && q.length === 0) this.queues.delete(flow);
        reject(rejected());
      };
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          gone.removeEventListener('abort', leave);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(leave, waitMs);
      gone.addEventListener('abort', leave, { once: true });
      queue.push(waiter);
      this.queues.set(flow, queue);
    });
  }

  /** Seats taken, and requests waiting for one. */
  get state(): { executing: number; waiting: number } {
    let waiting = 0;
    for (const q of this.queues.values()) waiting += q.length;
    return { executing: this.executing, waiting };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.executing--;
      this.dispatch();
    };
  }

  /** Round-robin: the queue served first moves to the back (Map keeps insertion order). */
  private dispatch(): void {
    while (this.executing < this.limits.seats && this.queues.size > 0) {
      const [flow, queue] = this.queues.entries().next().value as [string, Waiter[]];
      this.queues.delete(flow);
      const waiter = queue.shift()!;
      if (queue.length > 0) this.queues.set(flow, queue);
      this.executing++;
      waiter.grant();
    }
  }
}

export class FlowControl {
  private readonly rate: UserRateLimiter;
  private readonly levels = new Map<PriorityLevel, PriorityLevelQueues>();
  private readonly watches = new Map<string, number>();

  constructor(private readonly config: FlowControlConfig, now: () => number = Date.now) {
    this.rate = new UserRateLimiter(config.userQps, config.userBurst, now);
    for (const [name, limits] of Object.entries(config.levels)) this.levels.set(name as PriorityLevel, new PriorityLevelQueues(limits));
  }

  /** Per priority level: seats taken and requests queued (kube's apiserver_flowcontrol_current_* gauges). */
  levelStates(): { level: PriorityLevel; executing: number; waiting: number }[] {
    return [...this.levels].map(([level, q]) => ({ level, ...q.state }));
  }

  /**
   * Admits an authenticated request or throws 429; once admitted, the seat, watch count and
   * timeout are tied to the response's life (released when it closes).
   */
  async admit(req: IncomingMessage, res: ServerResponse, user: UserInfo, rr: ResourceRequest | undefined, query: URLSearchParams): Promise<void> {
    if (!this.config.enabled) return;
    const level = classify(user, rr);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', level);
    if (level === 'exempt') return;
    if (level === 'workload-low' || level === 'global-default' || level === 'catch-all') {
      const wait = this.rate.take(user.name);
      if (wait > 0) throw tooManyRequests(res, wait);
    }
    if (isLongRunning(rr)) {
      if (rr?.verb === 'watch') this.holdWatch(res, user.name);
      return;
    }
    const queues = this.levels.get(level)!;
    if (queues.limits.seats <= 0) return; // 0 seats: this level is not limited
    // The response closes when the client leaves: an HTTP/2 client resets the stream when its own
    // deadline passes (a leader's lease renewal), and neither `req.destroyed` nor
    // `res.writableEnded` tells afterwards. Listened to from before the wait, so a seat granted
    // later cannot be held by a request nobody waits for (each such seat was lost for good).
    const gone = new AbortController();
    const leave = (): void => gone.abort();
    res.once('close', leave);
    let release: () => void;
    try {
      release = await queues.acquire(user.name, this.config.queueWaitMs, () => tooManyRequests(res, 1), gone.signal);
    } finally {
      res.removeListener('close', leave);
    }
    // Granted, then closed before this continuation ran (a lost connection closes all its streams
    // in one go): give the seat back and run nothing for a client that is gone.
    if (gone.signal.aborted) {
      release();
      throw tooManyRequests(res, 1);
    }
    res.once('close', release);
    res.once('finish', release);
    this.armTimeout(req, res, query);
  }

  private holdWatch(res: ServerResponse, user: string): void {
    const held = this.watches.get(user) ?? 0;
    if (this.config.maxWatchesPerUser > 0 && held >= this.config.maxWatchesPerUser) throw tooManyRequests(res, 1);
    this.watches.set(user, held + 1);
    res.once('close', () => {
      const n = (this.watches.get(user) ?? 1) - 1;
      if (n <= 0) this.watches.delete(user);
      else this.watches.set(user, n);
    });
  }

  /** kube's WithTimeoutForNonLongRunningRequests: 504 once the deadline passes; later writes are dropped. */
  private armTimeout(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const asked = parseGoDuration(query.get('timeout'));
    const ms = asked !== undefined && asked > 0 ? Math.min(asked, this.config.requestTimeoutMs) : this.config.requestTimeoutMs;
    if (ms <= 0) return;
    const timer = setTimeout(() => {
      if (res.writableEnded) return;
      if (res.headersSent) {
        res.destroy(); // kube aborts a response already under way
        return;
      }
      const status = errors.timeout('Timeout: request did not complete within requested timeout - context deadline exceeded', 0).toStatus();
      const body = JSON.stringify(status);
      res.writeHead(504, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      // The handler is still running: whatever it writes now goes nowhere.
      res.writeHead = (() => res) as unknown as ServerResponse['writeHead'];
      res.setHeader = (() => res) as unknown as ServerResponse['setHeader'];
      res.write = (() => true) as unknown as ServerResponse['write'];
      res.end = (() => res) as unknown as ServerResponse['end'];
      req.resume();
    }, Math.min(ms, 2 ** 31 - 1));
    res.once('close', () => clearTimeout(timer));
  }
}

/** Go's time.ParseDuration for what clients send (`30s`, `1m30s`, `500ms`); undefined if absent or malformed. */
export function parseGoDuration(raw: string | null): number | undefined {
  if (!raw) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  return matched === raw.length ? total : undefined;
}
