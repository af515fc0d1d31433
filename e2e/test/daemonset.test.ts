// The daemonset-controller end to end with real kubectl (daemonset-controller → scheduler →
// simulated kubelets): one pod per node, placed by node affinity and the automatic tolerations;
// a node that joins gets a pod and one that leaves loses it; a tainted node gets none unless
// tolerated; a rolling update, `kubectl rollout status|history|undo ds`.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(120_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
let controller: ServiceProcess;
const simulated = (node: string, count: number): Record<string, string> =>
  ({ ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: node, NODE_COUNT: String(count), KEELSON_KUBELET_ROOT: join(cp.dir, `kubelet-${node}`) });

beforeAll(async () => {
  const names = ['daemonset-controller', 'scheduler', 'kubelet'];
  cp = await startControlPlane({ nats: true, services: names });
  // One at a time: three processes connecting at once miss their NATS connect timeout on a loaded machine.
  await cp.startService('kubelet', { env: simulated('sim', 3) });
  await cp.startService('scheduler', { env: FAST });
  controller = await cp.startService('daemonset-controller', { env: FAST });
}, 240_000); // a loaded machine is slow to start a control plane and three services (no assertion on time)
afterAll(async () => {
  await cp?.stop();
});

interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[]; tolerations?: { key?: string; operator?: string; effect?: string }[]; affinity?: unknown };
  status?: { phase?: string };
}

const ds = (name: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }], ...extra } },
  },
});

async function getJson<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const pods = async (app: string): Promise<Pod[]> =>
  (await getJson<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items.filter((p) => !p.metadata.deletionTimestamp);
/** node → pod phase of the DaemonSet's live pods. */
const placement = async (app: string): Promise<Record<string, string | undefined>> =>
  Object.fromEntries((await pods(app)).map((p) => [p.spec.nodeName ?? '<unbound>', p.status?.phase]));
const log = (): string => controller.log().slice(-3000);
const apply = async (doc: string): Promise<void> => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: doc });
  if (r.code !== 0) throw new Error(r.stderr);
};

test('a DaemonSet runs one pod on each node, pinned by node affinity, with the automatic tolerations', async () => {
  await apply(ds('agent'));
  expect(await cp.k('rollout', 'status', 'ds/agent', '--timeout=60s')).toMatch(/daemon set "agent" successfully rolled out\n$/);
  expect(await placement('agent')).toEqual({ 'sim-0': 'Running', 'sim-1': 'Running', 'sim-2': 'Running' });
  const [p] = await pods('agent');
  expect(p.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
  expect(p.spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }] } } });
  for (const key of ['not-ready', 'unreachable', 'disk-pressure', 'memory-pressure', 'pid-pressure', 'unschedulable']) {
    expect(p.spec.tolerations).toContainEqual(expect.objectContaining({ key: `node.kubernetes.io/${key}`, operator: 'Exists' }));
  }
  const status = (await getJson<{ status: Record<string, number> }>('/apis/apps/v1/namespaces/default/daemonsets/agent')).status;
  expect(status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0 });
});

test('a node that joins gets a pod; one that leaves loses it', async () => {
  const kubelet = await cp.startService('kubelet', { instance: 'extra', env: simulated('extra', 1) });
  await until('a pod on the new node', async () => (await placement('agent')).extra === 'Running', 60_000, 200, log);
  expect(Object.keys(await placement('agent')).sort()).toEqual(['extra', 'sim-0', 'sim-1', 'sim-2']);
  await kubelet.kill('SIGTERM');
  await cp.k('delete', 'node', 'extra');
  await until('the pod of the removed node gone', async () => Object.keys(await placement('agent')).sort().join() === 'sim-0,sim-1,sim-2', 60_000, 200, log);
});

test('a tainted node gets no pod unless the DaemonSet tolerates the taint', async () => {
  await cp.k('taint', 'nodes', 'sim-2', 'dedicated=infra:NoSchedule');
  await apply(ds('plain'));
  await apply(ds('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] }));
  await cp.k('rollout', 'status', 'ds/plain', '--timeout=60s');
  await cp.k('rollout', 'status', 'ds/tolerant', '--timeout=60s');
  expect(await placement('plain')).toEqual({ 'sim-0': 'Running', 'sim-1': 'Running' });
  expect(await placement('tolerant')).toEqual({ 'sim-0': 'Running', 'sim-1': 'Running', 'sim-2': 'Running' });
  // NoSchedule does not evict: the pod placed before the taint stays.
  expect((await placement('agent'))['sim-2']).toBe('Running');
  const status = (await getJson<{ status: Record<string, number> }>('/apis/apps/v1/namespaces/default/daemonsets/plain')).status;
  expect(status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 });
  await cp.k('taint', 'nodes', 'sim-2', 'dedicated-');
  await until('the untainted node gets its pod', async () => (await placement('plain'))['sim-2'] === 'Running', 60_000, 200, log);
});

test('a rolling update replaces every pod; rollout undo goes back', async () => {
  const images = async (): Promise<string[]> => (await pods('agent')).map((p) => p.spec.containers[0].image).sort();
  await cp.k('set', 'image', 'ds/agent', 'main=busybox:1.37');
  expect(await cp.k('rollout', 'status', 'ds/agent', '--timeout=60s')).toContain('successfully rolled out');
  await until('every pod on the new image', async () => (await images()).join() === 'busybox:1.37,busybox:1.37,busybox:1.37', 30_000, 200, log);
  expect(await cp.k('rollout', 'history', 'ds/agent')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  expect(await cp.k('rollout', 'undo', 'ds/agent')).toContain('daemonset.apps/agent rolled back');
  expect(await cp.k('rollout', 'status', 'ds/agent', '--timeout=60s')).toContain('successfully rolled out');
  await until('every pod back on the old image', async () => (await images()).join() === 'busybox:1.36,busybox:1.36,busybox:1.36', 30_000, 200, log);
  expect(await cp.k('rollout', 'history', 'ds/agent')).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
});
