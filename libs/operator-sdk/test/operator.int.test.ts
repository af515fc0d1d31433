// Two replicas of an operator against envtest's real gateway, with leader election: only the
// Lease holder reconciles; when it stops (handing the Lease back) the other takes over and
// catches up on what changed meanwhile. Also: the dynamic client maps a kind through discovery.
import { CONFIGMAPS, LEASES, Operator, type ConfigMap, type KubeObject } from '../src';
import { startEnvtest, type Envtest } from '../src/envtest';

jest.setTimeout(180_000);

let env: Envtest;
const replicas: Operator[] = [];
beforeAll(async () => {
  env = await startEnvtest({ nats: false });
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await env?.stop();
});

function replica(identity: string, seen: string[]): Operator {
  const op = new Operator({
    name: 'le-operator', config: env.config, resyncPeriodMs: 0,
    leaderElection: { identity, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 300 },
  });
  op.for<ConfigMap>(CONFIGMAPS, { namespace: 'default' }).reconcile((cm, req) => {
    if (cm?.metadata.name?.startsWith('le-')) seen.push(req.key);
  });
  replicas.push(op);
  return op;
}

test('only the leader reconciles; a standby takes over when it stops', async () => {
  const seenA: string[] = [];
  const seenB: string[] = [];
  const a = replica('replica-a', seenA);
  const b = replica('replica-b', seenB);
  await a.start();
  await env.eventually('replica-a leading', () => a.isLeader());
  await b.start();

  const cms = env.dynamic.resource<ConfigMap>(CONFIGMAPS).namespace('default');
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'le-1' }, data: { x: '1' } });
  await env.eventually('replica-a reconciled le-1', () => seenA.includes('default/le-1'));
  expect(b.isLeader()).toBe(false);
  expect(seenB).toEqual([]);
  const lease = await env.dynamic.resource<KubeObject>(LEASES).namespace('default').get('le-operator');
  expect(lease.spec?.holderIdentity).toBe('replica-a');

  await a.stop(); // releases the Lease
  await env.eventually('replica-b leading', () => b.isLeader(), 30_000);
  await env.eventually('replica-b caught up on le-1', () => seenB.includes('default/le-1'));
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'le-2' }, data: { x: '2' } });
  await env.eventually('replica-b reconciled le-2', () => seenB.includes('default/le-2'));
  expect(seenA).not.toContain('default/le-2');
});

test('forKind maps apiVersion and kind to the served resource through discovery', async () => {
  const leases = await env.dynamic.forKind('coordination.k8s.io/v1', 'Lease');
  expect(leases.resource).toEqual({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' });
  await expect(env.dynamic.forKind('example.com/v1', 'Nothing')).rejects.toThrow('no matches for kind "Nothing" in version "example.com/v1"');
});
