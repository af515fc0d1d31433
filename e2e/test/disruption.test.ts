// PodDisruptionBudgets kept by the disruption-controller (issue 13 item 6): the controller
// writes the budget's status from the pods it selects; pods/eviction spends it as kube's
// eviction REST does; `kubectl drain` of a node running a PDB-protected Deployment evicts until
// the budget blocks it, and finishes once replacements are Ready elsewhere.
// Chain: deployment → replicaset → scheduler → simulated kubelets (nodes pdb-0, pdb-1).
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(240_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const SERVICES = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet', 'disruption-controller'];
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES });
  const env = (n: string): Record<string, string> =>
    n === 'kubelet' ? { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'pdb', NODE_COUNT: '2', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') } : FAST;
  // One at a time: several services connecting to NATS at once time out on a loaded machine.
  for (const n of SERVICES) await cp.startService(n, { env: env(n) });
}, 300_000); // a loaded CI machine takes minutes to start the services
afterAll(async () => {
  await cp?.stop();
});

interface Pod { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string } }
interface Pdb { metadata: { generation: number }; status?: Record<string, unknown> & { conditions?: Array<Record<string, unknown>>; disruptedPods?: Record<string, string> } }

async function json<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const pods = async () => (await json<{ items: Pod[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dguarded')).items.filter((p) => !p.metadata.deletionTimestamp);
const pdb = () => json<Pdb>('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded');

test('the controller keeps the budget; drain evicts until it blocks, then finishes once replacements are Ready', async () => {
  // Every replica on pdb-0: pdb-1 is cordoned while the Deployment rolls out.
  await cp.k('cordon', 'pdb-1');
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'guarded' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'guarded' } },
      template: { metadata: { labels: { app: 'guarded' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) }).then((r) => expect(r.stderr).toBe(''));
  await cp.k('rollout', 'status', 'deployment/guarded', '--timeout=60s');
  expect((await pods()).map((p) => p.spec.nodeName)).toEqual(['pdb-0', 'pdb-0', 'pdb-0']);

  await cp.k('create', 'pdb', 'guarded', '--selector=app=guarded', '--min-available=2');
  const first = await until('the controller computed the budget', async () => {
    const b = await pdb();
    return b.status?.observedGeneration === 1 && b.status.currentHealthy === 3 ? b : undefined;
  });
  expect(first.status).toMatchObject({ expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
  expect(first.status!.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', observedGeneration: 1 })]);
  expect(await cp.k('get', 'pdb', 'guarded')).toMatch(/guarded\s+2\s+N\/A\s+1\s/);

  // Drain pdb-0: one eviction is allowed; its replacement cannot run (both nodes cordoned), so
  // the budget blocks the rest and drain gives up at its timeout with kube's message.
  const blocked = await cp.kubectl(['drain', 'pdb-0', '--timeout=8s']);
  expect(blocked.code).not.toBe(0);
  const out = blocked.stdout + blocked.stderr;
  expect(out).toMatch(/evicting pod default\/guarded-/);
  expect(out).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
  expect((await pods()).filter((p) => p.spec.nodeName === 'pdb-0')).toHaveLength(2);
  const spent = await until('the budget settles at no disruption left', async () => {
    const b = await pdb();
    return b.status?.disruptionsAllowed === 0 && b.status.currentHealthy === 2 && b.status.expectedPods === 3 ? b : undefined;
  }, 60_000);
  expect(spent.status!.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
  // Raw eviction: kube's 429 with the DisruptionBudget cause naming the counts.
  const victim = (await pods()).find((p) => p.spec.nodeName === 'pdb-0')!;
  const refused = await cp.request('POST', `/api/v1/namespaces/default/pods/${victim.metadata.name}/eviction`, {
    body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata.name, namespace: 'default' } }),
    headers: { 'content-type': 'application/json' },
  });
  expect(refused.status).toBe(429);
  expect(JSON.parse(refused.body)).toMatchObject({
    reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guarded needs 2 healthy pods and has 2 currently' }] },
  });

  // Room elsewhere: each replacement that becomes Ready on pdb-1 lets one more eviction through.
  await cp.k('uncordon', 'pdb-1');
  const drained = await cp.kubectl(['drain', 'pdb-0', '--timeout=90s']);
  expect(drained.stdout + drained.stderr).toContain('node/pdb-0 drained');
  await until('three Ready replicas on pdb-1', async () => {
    const ps = await pods();
    return ps.length === 3 && ps.every((p) => p.spec.nodeName === 'pdb-1' && p.status.phase === 'Running');
  }, 60_000);
  await until('the budget allows one disruption again', async () => (await pdb()).status?.disruptionsAllowed === 1, 60_000);
});
