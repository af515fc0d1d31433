// Leader election among gateway replicas on one etcd key bound to a lease: the replica whose
// create-if-absent txn wins holds the key while it keeps the lease alive. A dead leader's key
// disappears when its lease expires (≤ TTL), and a standby watching the key takes over at once.
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '@keelson/telemetry';

export interface ElectionOptions {
  key: string;
  ttlSeconds: number;
  /** Stored as the key's value (who leads, for operators and tests). */
  identity: string;
  log: Logger;
}

/** Called when this replica becomes leader; `signal` aborts the moment leadership is lost. */
export type LeadFn = (signal: AbortSignal) => Promise<void>;

const RETRY_MS = 1000;

export class LeaseElection {
  private stopped = false;
  private current: { lease: Lease; abort: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly client: Etcd3, private readonly opts: ElectionOptions) {}

  /** Campaigns until stopped; runs `lead` each time this replica wins, until it returns or loses. */
  start(lead: LeadFn): void {
    this.loop ??= this.run(lead);
  }

  isLeader(): boolean {
    return this.current !== undefined && !this.current.abort.signal.aborted;
  }

  /** Steps down (revoking the lease, so a standby takes over now rather than after the TTL). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort.abort(new Error('election stopped'));
    this.wake?.();
    await this.loop;
  }

  private async run(lead: LeadFn): Promise<void> {
    while (!this.stopped) {
      try {
        await this.campaignOnce(lead);
      } catch (err) {
        this.opts.log.warn('relay election failed; retrying', { err: String(err) });
        await this.sleep(RETRY_MS);
      }
    }
  }

  private async campaignOnce(lead: LeadFn): Promise<void> {
    const { key, ttlSeconds, identity, log } = this.opts;
    const lease = this.client.lease(ttlSeconds);
    let renewedAt = Date.now(); // a lease lives TTL from the keepalive the server last processed
    let firedAt = renewedAt;
    lease.on('keepaliveFired', () => (firedAt = Date.now()));
    lease.on('keepaliveSucceeded', () => (renewedAt = firedAt));
    const abort = new AbortController();
    lease.on('lost', (err) => abort.abort(new Error(`relay lease lost: ${String(err)}`)));
    try {
      const leaseId = await lease.grant();
      for (;;) {
        if (this.stopped || abort.signal.aborted) return;
        const res = await this.client.if(key, 'Create', '==', 0)
          .then(this.client.put(key).value(identity).lease(leaseId))
          .else(this.client.get(key))
          .commit();
        if (res.succeeded) break;
        const holder = res.responses[0]?.response_range?.kvs[0]?.value.toString();
        log.debug('relay standing by', { leader: holder });
        await this.untilDeleted(key, Number(res.header.revision) + 1, ttlSeconds * 1000);
      }
      // Step down before the server could expire the lease: two missed renewals (of three per TTL).
      const deadlineMs = ttlSeconds * 1000 - Math.max(300, (ttlSeconds * 1000) / 6);
      const watchdog = setInterval(() => {
        if (Date.now() - renewedAt > deadlineMs) abort.abort(new Error('relay lease renewals are failing'));
      }, Math.min(250, deadlineMs / 4));
      this.current = { lease, abort };
      log.info('relay leading', { identity, ttlSeconds });
      try {
        await lead(abort.signal); // returns promptly once the signal aborts
      } finally {
        clearInterval(watchdog);
        abort.abort(new Error('leadership ended'));
        this.current = undefined;
        log.info('relay stepped down', { reason: String((abort.signal.reason as Error | undefined)?.message ?? '') });
      }
    } finally {
      await lease.revoke().catch(() => lease.release());
    }
  }

  /** Resolves when the key is deleted (its holder's lease ended), or after `timeoutMs` to re-check. */
  private async untilDeleted(key: string, fromRevision: number, timeoutMs: number): Promise<void> {
    const watcher = await this.client.watch().key(key).startRevision(String(fromRevision)).create();
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
        watcher.on('delete', () => this.wake?.());
        watcher.on('error', () => this.wake?.());
      });
    } finally {
      this.wake = undefined;
      await Promise.race([watcher.cancel(), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}
