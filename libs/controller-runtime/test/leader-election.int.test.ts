// Two electors against a real gateway: one leads; when it stops the other takes over within
// a lease duration; a leader whose renewals fail stops acting before its lease could expire.
import type { KubeObject } from '@keelson/api';
import { KeelsonClient, type CallOptions, type ResourceRef } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { LEASES, LeaderElector, type Lease, type LeaseClient } from '@keelson/controller-runtime';

jest.setTimeout(60_000);

const LEASE_MS = 3000;
const RENEW_DEADLINE_MS = 2000;
const RETRY_MS = 300;
const quiet = createLogger('test', { write: () => undefined });
let cp: ControlPlane;
let client: KeelsonClient;

beforeAll(async () => {
  cp = await startControlPlane();
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

/** A client whose calls can be made to fail, as if this replica were cut off from the API. */
class PartitionableClient implements LeaseClient {
  partitioned = false;
  constructor(private readonly inner: KeelsonClient) {}
  private check(): void {
    if (this.partitioned) throw Object.assign(new Error('connect ETIMEDOUT (partitioned)'), { code: 'ETIMEDOUT' });
  }
  async get<T extends KubeObject>(r: ResourceRef, ns: string | undefined, name: string, call?: CallOptions): Promise<T> {
    this.check();
    return this.inner.get<T>(r, ns, name, call);
  }
  async create<T extends KubeObject>(r: ResourceRef, obj: T, call?: CallOptions): Promise<T> {
    this.check();
    return this.inner.create<T>(r, obj, call);
  }
  async update<T extends KubeObject>(r: ResourceRef, obj: T, call?: CallOptions): Promise<T> {
    this.check();
    return this.inner.update<T>(r, obj, call);
  }
}

interface Replica {
  elector: LeaderElector;
  client: PartitionableClient;
  /** [start, stop] times of each leadership term (stop undefined while leading). */
  terms: { start: number; stop?: number; signal: AbortSignal }[];
}

function replica(id: string, lease: string, releaseOnCancel = true): Replica {
  const c = new PartitionableClient(client);
  const terms: Replica['terms'] = [];
  const elector = new LeaderElector({
    client: c, namespace: 'default', name: lease, identity: id, logger: quiet, releaseOnCancel,
    leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_DEADLINE_MS, retryPeriodMs: RETRY_MS,
    onStartedLeading: (signal) => terms.push({ start: Date.now(), signal }),
    onStoppedLeading: () => { terms[terms.length - 1].stop = Date.now(); },
  });
  return { elector, client: c, terms };
}

async function until(f: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

const leading = (r: Replica): boolean => r.elector.isLeader();

test('exactly one of two replicas leads, and the lease names it', async () => {
  const [a, b] = [replica('a', 'one-leader'), replica('b', 'one-leader')];
  a.elector.start();
  b.elector.start();
  await until(() => leading(a) || leading(b), 5000);
  await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
  expect([leading(a), leading(b)].filter(Boolean)).toHaveLength(1);
  const lease = await client.get<Lease>(LEASES, 'default', 'one-leader');
  expect(lease.spec?.holderIdentity).toBe(leading(a) ? 'a' : 'b');
  expect(lease.spec?.leaseDurationSeconds).toBe(3);
  expect(lease.spec?.renewTime).toMatch(/\.\d{6}Z$/);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a leader that stops without releasing is replaced within one lease duration (plus polling)', async () => {
  const [a, b] = [replica('a', 'handover', false), replica('b', 'handover', false)];
  a.elector.start();
  await until(() => leading(a), 5000);
  b.elector.start();
  await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
  expect(leading(b)).toBe(false);
  const stoppedAt = Date.now();
  await a.elector.stop(); // like a crash: the lease is left to expire
  await until(() => leading(b), LEASE_MS + 3 * RETRY_MS);
  const handover = Date.now() - stoppedAt;
  // client-go semantics: expiry is measured from when b last saw a renewal (≤ one poll before the stop).
  expect(handover).toBeLessThanOrEqual(LEASE_MS + 2 * RETRY_MS * 1.2 + 200);
  expect(handover).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS * 1.2 - 200);
  const lease = await client.get<Lease>(LEASES, 'default', 'handover');
  expect(lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  await b.elector.stop();
});

test('a gracefully stopped leader releases the lease, so the standby takes over at its next poll', async () => {
  const [a, b] = [replica('a', 'release'), replica('b', 'release')];
  a.elector.start();
  await until(() => leading(a), 5000);
  b.elector.start();
  await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
  await a.elector.stop();
  expect(a.terms[0].stop).toBeDefined();
  const took = await until(() => leading(b), LEASE_MS);
  expect(took).toBeLessThanOrEqual(RETRY_MS * 1.2 + 300);
  await b.elector.stop();
});

test('a partitioned leader stops acting before its lease expires; the other takes over after', async () => {
  const [a, b] = [replica('a', 'partition'), replica('b', 'partition')];
  a.elector.start();
  await until(() => leading(a), 5000);
  b.elector.start();
  await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
  const lastRenewBefore = Date.now();
  a.client.partitioned = true; // renewals fail from now on
  await until(() => !leading(a), RENEW_DEADLINE_MS + RETRY_MS + 500);
  const aStopped = a.terms[0].stop!;
  expect(a.terms[0].signal.aborted).toBe(true);
  // It gave up within renewDeadline of its last successful renewal: before anyone may take over.
  expect(aStopped - lastRenewBefore).toBeLessThan(RENEW_DEADLINE_MS + 100);
  await until(() => leading(b), LEASE_MS + 3 * RETRY_MS);
  expect(b.terms[0].start).toBeGreaterThan(aStopped);
  expect(b.terms[0].start - aStopped).toBeGreaterThan(LEASE_MS - RENEW_DEADLINE_MS - RETRY_MS * 1.2 - 200);
  a.client.partitioned = false;
  // The healed old leader stands by: the lease is held by b.
  await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
  expect(leading(a)).toBe(false);
  expect(leading(b)).toBe(true);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});
