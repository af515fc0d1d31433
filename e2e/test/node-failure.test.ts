// Chaos: a kubelet SIGKILLed. Its node goes NotReady (Ready=Unknown) and is tainted
// unreachable, its pods are evicted after their toleration, and the ReplicaSet's pods come
// back on the surviving node — all through events and API writes, no service talking to another.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(120_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const KUBELET = { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', KEELSON_NODE_LEASE_RENEW_MS: '500', KEELSON_NODE_STATUS_UPDATE_MS: '1000', KEELSON_NODE_CPU: '8', KEELSON_NODE_MEMORY: '16Gi' };
const LIFECYCLE = { ...FAST, KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS: '3', KEELSON_NODE_MONITOR_PERIOD_SECONDS: '1', KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS: '2', KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS: '2' };

const RS = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox:1.36
        command: ["sleep", "3600"]
`;

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string };
}
interface Node {
  metadata: { name: string };
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions?: { type: string; status: string }[] };
}

let cp: ControlPlane;
const kubelets: Record<string, ServiceProcess> = {};

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['replicaset-controller', 'scheduler', 'kubelet', 'node-lifecycle-controller'], nodes: ['node-a', 'node-b'] });
  const [a, b] = await Promise.all(
    ['node-a', 'node-b'].map((n) => cp.startService('kubelet', { instance: n, env: { ...KUBELET, NODE_NAME: n, KEELSON_KUBELET_ROOT: join(cp.dir, n) } })),
  );
  kubelets['node-a'] = a;
  kubelets['node-b'] = b;
  await Promise.all([
    cp.startService('replicaset-controller', { env: FAST }),
    cp.startService('scheduler', { env: FAST }),
    cp.startService('node-lifecycle-controller', { env: LIFECYCLE }),
  ]);
}, 240_000); // starting 2 kubelets and 3 services took over 120 s on a loaded 2-core machine
afterAll(async () => {
  await cp?.stop();
});

async function get<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const pods = async (): Promise<Pod[]> => (await get<{ items: Pod[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items;
const node = (name: string): Promise<Node> => get<Node>(`/api/v1/nodes/${name}`);
const ready = (n: Node): string | undefined => n.status.conditions?.find((c) => c.type === 'Ready')?.status;


test('a SIGKILLed kubelet: node NotReady and tainted, pods evicted and recreated on the other node', async () => {
  await until('both nodes Ready', async () => ready(await node('node-a')) === 'True' && ready(await node('node-b')) === 'True');
  await cp.kubectl(['apply', '-f', '-'], { input: RS }).then((r) => expect(r.code).toBe(0));
  const running = await until('4 pods Running', async () => {
    const ps = (await pods()).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
    return ps.length === 4 && ps;
  });
  const victim = running.some((p) => p.spec.nodeName === 'node-a') ? 'node-a' : 'node-b';
  const survivor = victim === 'node-a' ? 'node-b' : 'node-a';
  const onVictim = running.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
  expect(onVictim.length).toBeGreaterThan(0);

  await kubelets[victim].kill('SIGKILL');

  await until(`${victim} Ready=Unknown`, async () => ready(await node(victim)) === 'Unknown');
  expect(await cp.k('get', 'node', victim)).toMatch(new RegExp(`^${victim}\\s+NotReady\\s`, 'm'));
  await until(`${victim} tainted unreachable`, async () =>
    (await node(victim)).spec.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'),
  );

  // Evicted pods are gone once their (1 s) grace ends; replacements run on the survivor.
  await until('evicted pods removed', async () => {
    const names = new Set((await pods()).map((p) => p.metadata.name));
    return onVictim.every((n) => !names.has(n));
  });
  const after = await until('4 pods Running on the survivor', async () => {
    const ps = (await pods()).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
    return ps.length === 4 && ps.every((p) => p.spec.nodeName === survivor) && ps;
  });
  expect(after.map((p) => p.spec.nodeName)).toEqual([survivor, survivor, survivor, survivor]);
  expect(ready(await node(survivor))).toBe('True');
});
