// Leader election on a coordination.k8s.io/v1 Lease through the API, like client-go's
// leaderelection: candidates poll every retryPeriod and take the lease once its holder has
// not renewed for leaseDuration (measured on their own clock from when they saw the last
// change, so clock skew does not matter); the leader renews every retryPeriod and gives up
// — stops acting at once — if it could not renew within renewDeadline of its last renewal,
// which is before anyone else may take the lease (renewDeadline < leaseDuration).
import { LEASES, microTime, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type CallOptions, type ResourceRef } from '@keelson/client';
import { createLogger, type Logger } from '@keelson/telemetry';
import type { RuntimeMetrics } from './metrics';

export { LEASES };

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec & Record<string, unknown>;
}

/** The API calls the elector makes (a KeelsonClient fits; tests inject failures). */
export interface LeaseClient {
  get<T extends KubeObject>(r: ResourceRef, namespace: string | undefined, name: string, call?: CallOptions): Promise<T>;
  create<T extends KubeObject>(r: ResourceRef, obj: T, opts?: CallOptions): Promise<T>;
  update<T extends KubeObject>(r: ResourceRef, obj: T, opts?: CallOptions): Promise<T>;
}

export interface LeaderElectionOptions {
  client: LeaseClient;
  namespace: string;
  /** The Lease's name: one per controller. */
  name: string;
  /** This replica (pod name, hostname + pid). */
  identity: string;
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** Default 10 s; must be below leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  /** On a graceful stop, hand the lease back so a standby takes over at its next poll. Default true. */
  releaseOnCancel?: boolean;
  /** Called when this replica becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called at once when leadership is lost or given up. */
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

export class LeaderElector {
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly log: Logger;
  private leading = false;
  private stopped = false;
  private wake = new AbortController();
  private leadership?: AbortController;
  private observed?: { key: string; at: number; holder: string };
  private current?: Lease;
  private running?: Promise<void>;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseMs) throw new Error('renewDeadline must be shorter than leaseDuration');
    if (this.retryMs >= this.renewDeadlineMs) throw new Error('retryPeriod must be shorter than renewDeadline');
    this.log = (opts.logger ?? createLogger('leader-election')).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder this replica last saw (itself when leading). */
  leader(): string | undefined {
    return this.observed?.holder || undefined;
  }

  /** Campaigns, leads, and after losing the lease campaigns again, until stop(). */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops acting, then releases the lease (unless releaseOnCancel is false). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.acquire())) break;
      this.leading = true;
      this.leadership = new AbortController();
      this.opts.metrics?.leader.set({ name: this.opts.name }, 1);
      this.log.info('became leader');
      this.safely(() => this.opts.onStartedLeading(this.leadership!.signal));
      await this.renewUntilLost();
      this.leading = false;
      this.leadership.abort(new Error('leadership lost'));
      this.opts.metrics?.leader.set({ name: this.opts.name }, 0);
      this.safely(() => this.opts.onStoppedLeading());
      if (this.stopped && this.opts.releaseOnCancel !== false) await this.release();
    }
  }

  /** Polls until the lease is ours; false when stopped first. */
  private async acquire(): Promise<boolean> {
    while (!this.stopped) {
      if (await this.tryAcquireOrRenew(AbortSignal.timeout(this.renewDeadlineMs))) return true;
      await this.sleep(this.retryMs * (1 + Math.random() * 0.2));
    }
    return false;
  }

  private async renewUntilLost(): Promise<void> {
    let lastRenew = performance.now();
    while (!this.stopped) {
      await this.sleep(this.retryMs);
      if (this.stopped) return;
      for (;;) {
        const left = lastRenew + this.renewDeadlineMs - performance.now();
        if (left <= 0) {
          this.log.warn('could not renew the lease within the renew deadline; stopping', { renewDeadlineMs: this.renewDeadlineMs });
          return;
        }
        const started = performance.now();
        // Bounded by the deadline, so a hanging call cannot keep a partitioned leader acting.
        if (await this.tryAcquireOrRenew(AbortSignal.timeout(Math.ceil(left)))) {
          lastRenew = started;
          break;
        }
        if (!this.leading || this.stopped) return;
        await this.sleep(Math.min(this.retryMs, Math.max(0, lastRenew + this.renewDeadlineMs - performance.now())));
        if (this.stopped) return;
      }
    }
  }

  /** One round of client-go's tryAcquireOrRenew. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name, identity } = this.opts;
    const now = new Date();
    let lease: Lease;
    try {
      lease = await client.get<Lease>(LEASES, namespace, name, { signal });
    } catch (err) {
      if (!isNotFound(err)) return this.failed('get', err);
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: this.leaseSeconds(), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      try {
        this.current = await client.create(LEASES, fresh, { signal });
        this.observe(this.current);
        return true;
      } catch (e) {
        return this.failed('create', e);
      }
    }
    const spec = lease.spec ?? {};
    this.observe(lease);
    const holder = spec.holderIdentity ?? '';
    const mine = holder === identity;
    if (holder && !mine && this.observed!.at + this.leaseMs > performance.now()) return false; // held and not expired
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseSeconds(),
        renewTime: microTime(now),
        acquireTime: mine ? spec.acquireTime : microTime(now),
        leaseTransitions: mine ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
      },
    };
    try {
      // Optimistic concurrency: `lease.metadata.resourceVersion` makes a racing writer's update a 409.
      this.current = await client.update(LEASES, next, { signal });
      this.observe(this.current);
      return true;
    } catch (err) {
      return this.failed('update', err);
    }
  }

  private observe(lease: Lease): void {
    const s = lease.spec ?? {};
    const key = `${s.holderIdentity}|${s.renewTime}|${s.leaseTransitions}`;
    if (this.observed?.key === key) return;
    const before = this.observed?.holder;
    this.observed = { key, at: performance.now(), holder: s.holderIdentity ?? '' };
    if (s.holderIdentity && s.holderIdentity !== before) this.safely(() => this.opts.onNewLeader?.(s.holderIdentity!));
  }

  private failed(op: string, err: unknown): false {
    if (!isConflict(err)) this.log.debug(`lease ${op} failed`, { err });
    return false;
  }

  /** Gives the lease up: empty holder, so a standby takes it at its next poll. */
  private async release(): Promise<void> {
    const lease = this.current;
    if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
    try {
      const now = microTime(new Date());
      await this.opts.client.update(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { signal: AbortSignal.timeout(this.renewDeadlineMs) });
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn('could not release the lease; it expires on its own', { err });
    }
  }

  private leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseMs / 1000));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.wake.signal.aborted) this.wake = new AbortController();
    const signal = this.wake.signal;
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private safely(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error('leader election callback threw', { err });
    }
  }
}

