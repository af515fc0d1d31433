// Issue 13 item 7 (autoscaling): `kubectl autoscale deployment --cpu-percent=50` creates an
// autoscaling/v2 HPA; services/hpa-controller reads the busy loop's real CPU from
// metrics.k8s.io (metrics-server scraping the process node's kubelet), scales the Deployment up
// through /scale, and back down once the load stops. Sync period and the scale-down window are
// shortened through the controller's environment (15 s and 300 s by default).
import { join } from 'node:path';
import { startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(300_000);

const KUBELET_SECRET = 'hpa-kubelet-secret';
const SERVICES = ['deployment-controller', 'replicaset-controller', 'kubelet', 'metrics-server', 'hpa-controller'];
let cp: ControlPlane;
const logs: Array<{ log(): string }> = [];
let lastSeen = '';

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES, nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  const common = { KEELSON_LEADER_ELECT: 'false' };
  const env: Record<string, Record<string, string>> = {
    kubelet: { ...common, KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET, KEELSON_NODE_LEASE_RENEW_MS: '1000', NODE_NAME: 'node-1', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'), KEELSON_KUBELET_POD_NETWORK: 'host' },
    'metrics-server': { ...common, KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET, KEELSON_METRICS_RESOLUTION_SECONDS: '1' },
    'hpa-controller': { ...common, KEELSON_HPA_SYNC_PERIOD_MS: '1000', KEELSON_HPA_DOWNSCALE_STABILIZATION_SECONDS: '3' },
  };
  // One at a time: several services connecting to NATS at once time out on a loaded machine.
  for (const n of SERVICES) logs.push(await cp.startService(n, { env: env[n] ?? common }));
}, 300_000);
afterAll(async () => {
  await cp?.kubectl(['delete', 'deployment', 'busy', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> =>
  waitUntil(what, fn, timeoutMs, 1000, () => `${lastSeen}\n${logs.map((l) => l.log().slice(-1500)).join('\n')}`);

interface Hpa { spec: { minReplicas: number; maxReplicas: number }; status?: { currentReplicas?: number; desiredReplicas?: number; lastScaleTime?: string; currentMetrics?: Array<{ type: string; resource?: { name: string; current: { averageUtilization?: number } } }>; conditions?: Array<{ type: string; status: string; reason: string }> } }

async function hpa(): Promise<Hpa> {
  const r = await cp.request('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/busy');
  lastSeen = r.body;
  return JSON.parse(r.body) as Hpa;
}
async function replicas(): Promise<number> {
  const r = await cp.request('GET', '/apis/apps/v1/namespaces/default/deployments/busy/scale');
  return (JSON.parse(r.body) as { spec: { replicas: number } }).spec.replicas;
}
async function rescaleEvents(): Promise<string[]> {
  const r = await cp.kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
  return r.stdout.split('\n').filter(Boolean);
}

const LOOP = { command: ['/usr/bin/python3', '-c', 'while True: pass'] };
const IDLE = { command: ['/usr/bin/python3', '-c', 'import time\nwhile True: time.sleep(1)'] };

test('an HPA scales a Deployment up under a busy loop and back down once it stops', async () => {
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'busy' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'busy' } },
      template: {
        metadata: { labels: { app: 'busy' } },
        spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'loop', image: 'python', ...LOOP, resources: { requests: { cpu: '100m' }, limits: { cpu: '200m', memory: '64Mi' } } }] },
      },
    },
  };
  expect((await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) })).code).toBe(0);
  expect(await cp.k('autoscale', 'deployment', 'busy', '--cpu-percent=50', '--min=1', '--max=3')).toMatch(/horizontalpodautoscaler.autoscaling\/busy autoscaled/);

  // ~200m used of a 100m request: 200% against 50%, so the most the HPA allows.
  await until('scaled up to 3', async () => (await replicas()) === 3);
  const up = await until('status after the scale-up', async () => {
    const h = await hpa();
    return h.status?.desiredReplicas === 3 && h.status.lastScaleTime ? h : undefined;
  });
  const cpu = up.status?.currentMetrics?.[0];
  expect(cpu?.type).toBe('Resource');
  expect(cpu?.resource?.name).toBe('cpu');
  expect(cpu?.resource?.current.averageUtilization).toBeGreaterThan(55);
  expect(up.status?.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
  expect((await rescaleEvents()).some((m) => /^New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/.test(m))).toBe(true);
  expect(await cp.k('get', 'hpa', 'busy', '--no-headers')).toMatch(/^busy\s+Deployment\/busy\s+cpu: \d+%\/50%\s+1\s+3\s+\d/);

  // The load stops: the pods are replaced by idle ones; the HPA scales back to minReplicas.
  const patch = [{ op: 'replace', path: '/spec/template/spec/containers/0/command', value: IDLE.command }];
  expect((await cp.kubectl(['patch', 'deployment', 'busy', '--type=json', '-p', JSON.stringify(patch)])).code).toBe(0);
  await until('scaled back down to 1', async () => (await replicas()) === 1);
  expect((await rescaleEvents()).some((m) => /^New size: [12]; reason: All metrics below target$/.test(m))).toBe(true);
  const down = await hpa();
  expect(down.status?.desiredReplicas).toBe(1);
});
