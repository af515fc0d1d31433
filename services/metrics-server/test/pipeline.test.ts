// The metrics pipeline over real HTTP, in one process: a kubelet's authenticated server with
// the Summary API (simulated nodes' synthetic load), metrics-server's scraper and storage, and
// its metrics.k8s.io API, as the gateway's aggregation proxy calls it.
import { LogServer } from '../../kubelet/src/log-server';
import { statsRoute } from '../../kubelet/src/stats/stats-server';
import type { Pod } from '../../kubelet/src/types';
import type { KubeObject } from '@keelson/api';
import { MetricsApi } from '../src/api';
import { Scraper } from '../src/scraper';
import { MetricsStorage } from '../src/storage';

const TOKEN = 'pipeline-secret';
const started = new Date(Date.now() - 60_000).toISOString();
const pod = (name: string, node: string, labels: Record<string, string>): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', startTime: started, containerStatuses: [{ name: 'c', state: { running: { startedAt: started } }, ready: true, restartCount: 0, image: 'x', imageID: '', started: true }] },
} as unknown as Pod);
const pods = [pod('a', 'sim-0', { app: 'a' }), pod('b', 'sim-1', { app: 'b' })];
const node = (name: string, port: number): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { role: name } }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } });

let kubelet: LogServer;
let api: MetricsApi;
let nodes: KubeObject[];
const storage = new MetricsStorage();

beforeAll(async () => {
  kubelet = new LogServer({
    address: '127.0.0.1', port: 0, authToken: TOKEN, lookup: () => 'no-pod',
    routes: statsRoute({ nodeNames: ['sim-0', 'sim-1'], simulated: true, podsOf: (n) => pods.filter((p) => p.spec.nodeName === n), env: { KEELSON_KUBELET_SIM_CPU_MILLICORES: '250', KEELSON_KUBELET_SIM_MEMORY_BYTES: String(32 * 1024 * 1024) } }),
  });
  await kubelet.start();
  nodes = [node('sim-0', kubelet.port), node('sim-1', kubelet.port)];
  const cache = (items: KubeObject[]) => ({ list: () => items, getByName: (ns: string | undefined, n: string) => items.find((o) => o.metadata?.name === n && (o.metadata?.namespace ?? undefined) === (ns || undefined)) });
  api = new MetricsApi({ address: '127.0.0.1', port: 0, token: TOKEN, storage, pods: cache(pods as unknown as KubeObject[]), nodes: cache(nodes) });
  await api.start();
});
afterAll(async () => {
  await kubelet?.stop();
  await api?.stop();
});

const get = async (path: string, token = TOKEN): Promise<{ status: number; body: any }> => {
  const r = await fetch(`http://127.0.0.1:${api.port}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json() };
};

test('the Summary API needs the kubelet token and names its node', async () => {
  const denied = await fetch(`http://127.0.0.1:${kubelet.port}/stats/summary?nodeName=sim-0`);
  expect(denied.status).toBe(401);
  const r = await fetch(`http://127.0.0.1:${kubelet.port}/stats/summary?nodeName=sim-0`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const s = (await r.json()) as any;
  expect(s.node.nodeName).toBe('sim-0');
  expect(s.pods).toHaveLength(1);
  expect(s.pods[0]).toMatchObject({ podRef: { name: 'a', namespace: 'default', uid: 'uid-a' }, containers: [{ name: 'c', memory: { workingSetBytes: 32 * 1024 * 1024 } }] });
  expect(s.pods[0].containers[0].cpu.usageCoreNanoSeconds).toBeGreaterThan(0);
});

test('scraped twice, PodMetrics and NodeMetrics are served with label selectors', async () => {
  const scraper = new Scraper({ nodes: () => nodes, storage, token: TOKEN, log: { debug: () => undefined } as never });
  expect(await scraper.scrapeAll()).toEqual({ ok: 2, failed: 0 });
  expect((await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).body.items).toEqual([]); // one sample: no rate yet
  await new Promise((r) => setTimeout(r, 300));
  await scraper.scrapeAll();

  const list = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Da');
  expect(list.body).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items: [{ kind: 'PodMetrics', metadata: { name: 'a', namespace: 'default', labels: { app: 'a' } }, containers: [{ name: 'c', usage: { memory: '32Mi' } }] }] });
  const cpu = list.body.items[0].containers[0].usage.cpu as string;
  // 250m of synthetic load (to the nanocore: the window is measured in ms).
  const scale: Record<string, number> = { n: 1e-6, u: 1e-3, m: 1 };
  const m = /^(\d+)([num]?)$/.exec(cpu)!;
  expect(Math.abs(Number(m[1]) * (m[2] ? scale[m[2]] : 1000) - 250)).toBeLessThan(2);
  expect((await get('/apis/metrics.k8s.io/v1beta1/pods')).body.items.map((i: any) => i.metadata.name).sort()).toEqual(['a', 'b']);
  const one = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/b');
  expect(one.body.metadata.name).toBe('b');
  const nodesList = await get('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=role%3Dsim-1');
  expect(nodesList.body.items.map((i: any) => i.metadata.name)).toEqual(['sim-1']);
  expect(nodesList.body.items[0].window).toMatch(/^\d+(\.\d+)?s$/);
  const missing = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  expect(missing).toEqual({ status: 404, body: expect.objectContaining({ kind: 'Status', reason: 'NotFound', message: 'podmetrics.metrics.k8s.io "nope" not found' }) });
  expect((await get('/apis/metrics.k8s.io/v1beta1/nodes', 'wrong')).status).toBe(401);
  expect((await get('/apis/metrics.k8s.io/v1beta1')).body.resources.map((r: any) => r.kind)).toEqual(['NodeMetrics', 'PodMetrics']);
});
