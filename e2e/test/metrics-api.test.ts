// Issue 13 item 7 (metrics): kubelets serve the Summary API, services/metrics-server scrapes it
// and serves metrics.k8s.io/v1beta1 behind the gateway (an APIService, proxied after the
// gateway's RBAC), so the real `kubectl top` works: a busy loop on a process node shows its real
// CPU from its cgroup; simulated nodes report their configured synthetic load.
import { join } from 'node:path';
import { startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(120_000);

const KUBELET_SECRET = 'metrics-api-kubelet-secret';
let cp: ControlPlane;
const logs: Array<{ log(): string }> = [];
let lastSeen = '';

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet', 'metrics-server'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  const common = { KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET, KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_LEASE_RENEW_MS: '1000' };
  logs.push(await cp.startService('kubelet', {
    instance: 'node-1',
    env: { ...common, NODE_NAME: 'node-1', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'), KEELSON_KUBELET_POD_NETWORK: 'host' },
  }));
  logs.push(await cp.startService('kubelet', {
    instance: 'sim',
    env: { ...common, NODE_NAME: 'sim', NODE_COUNT: '2', KEELSON_KUBELET_RUNTIME: 'simulated', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'sim'), KEELSON_KUBELET_SIM_CPU_MILLICORES: '75', KEELSON_KUBELET_SIM_MEMORY_BYTES: String(64 * 1024 * 1024) },
  }));
  // Scraped every second here (15 s by default, as metrics-server's --metric-resolution).
  logs.push(await cp.startService('metrics-server', { env: { ...common, KEELSON_METRICS_RESOLUTION_SECONDS: '1' } }));
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> =>
  waitUntil(what, fn, timeoutMs, 500, () => `${lastSeen}\n${logs.map((l) => l.log().slice(-2000)).join('\n')}`);

/** kubectl top's rows: name → [cpu millicores, memory column]. */
async function top(...args: string[]): Promise<Map<string, string[]>> {
  const r = await cp.kubectl(['top', ...args, '--no-headers']);
  lastSeen = `${r.stdout}\n${r.stderr}`;
  const out = new Map<string, string[]>();
  if (r.code !== 0) return out;
  for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
    const [name, ...cols] = line.trim().split(/\s+/);
    out.set(name, cols);
  }
  return out;
}
const millicores = (s: string | undefined): number => (s && /^\d+m$/.test(s) ? Number(s.slice(0, -1)) : Number.NaN);

test('the APIService registers metrics.k8s.io and discovery lists it', async () => {
  await until('APIService v1beta1.metrics.k8s.io', async () => (await cp.kubectl(['get', 'apiservice', 'v1beta1.metrics.k8s.io'])).stdout.includes('kube-system/metrics-server'));
  const groups = JSON.parse((await cp.request('GET', '/apis')).body) as { groups: Array<{ name: string }> };
  expect(groups.groups.map((g) => g.name)).toContain('metrics.k8s.io');
  const resources = JSON.parse((await cp.request('GET', '/apis/metrics.k8s.io/v1beta1')).body) as { resources: Array<{ name: string; kind: string }> };
  expect(resources.resources.map((r) => `${r.name}:${r.kind}`).sort()).toEqual(['nodes:NodeMetrics', 'pods:PodMetrics']);
  expect(await cp.k('api-resources', '--api-group=metrics.k8s.io', '--no-headers')).toMatch(/pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/);
});

test('kubectl top pods shows the real CPU of a busy loop on a process node, and the synthetic load of a simulated one', async () => {
  const busy = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busy', labels: { app: 'busy' } }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'loop', image: 'python', command: ['/usr/bin/python3', '-c', 'while True: pass'], resources: { limits: { cpu: '200m', memory: '64Mi' } } }] } };
  const sim = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sim-pod', labels: { app: 'sim' } }, spec: { nodeName: 'sim-0', containers: [{ name: 'c', image: 'nginx' }] } };
  for (const m of [busy, sim]) expect((await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(m) })).code).toBe(0);

  // The cgroup's quota caps it at 200m: some CPU, never more than the limit (plus rounding).
  const row = await until('busy in kubectl top pods', async () => {
    const r = (await top('pods', '-l', 'app=busy')).get('busy');
    return r && millicores(r[0]) >= 50 ? r : undefined;
  });
  expect(millicores(row[0])).toBeLessThanOrEqual(230);
  expect(row[1]).toMatch(/^\d+Mi$/);

  const simRow = await until('sim-pod in kubectl top pods', async () => (await top('pods', '-l', 'app=sim')).get('sim-pod'));
  expect(simRow).toEqual(['75m', '64Mi']);
  // The label selector is applied: neither pod shows under the other's label.
  expect([...(await top('pods', '-l', 'app=sim')).keys()]).toEqual(['sim-pod']);

  // Per container, as metrics-server reports them.
  const containers = await cp.k('top', 'pod', 'busy', '--containers', '--no-headers');
  expect(containers).toMatch(/^busy\s+loop\s+\d+m\s+\d+Mi/);

  // The raw object is metrics-server's PodMetrics.
  const pm = JSON.parse((await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/sim-pod')).body) as Record<string, any>;
  expect(pm).toMatchObject({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'sim-pod', namespace: 'default', labels: { app: 'sim' } }, containers: [{ name: 'c', usage: { cpu: expect.stringMatching(/^\d+[nu m]?/), memory: '64Mi' } }] });
  expect(pm.window).toMatch(/s$/);
  const missing = await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  expect(missing.status).toBe(404);
  expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'podmetrics.metrics.k8s.io "nope" not found' });
});

test('kubectl top nodes lists every node', async () => {
  const rows = await until('three nodes in kubectl top nodes', async () => {
    const r = await top('nodes');
    return r.size === 3 ? r : undefined;
  });
  expect([...rows.keys()].sort()).toEqual(['node-1', 'sim-0', 'sim-1']);
  for (const [, cols] of rows) expect(cols[0]).toMatch(/^\d+m$/);
});

test('the gateway authorizes the metrics API with its RBAC before proxying', async () => {
  const denied = await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/pods', { token: 'not-a-token' });
  expect(denied.status).toBe(401);
  // An authenticated user without a grant (a fresh ServiceAccount) is refused by the gateway.
  await cp.k('create', 'serviceaccount', 'nobody');
  const token = (await cp.k('create', 'token', 'nobody')).trim();
  const forbidden = await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { token });
  expect(forbidden.status).toBe(403);
  expect(JSON.parse(forbidden.body)).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining('pods.metrics.k8s.io is forbidden') });
});
