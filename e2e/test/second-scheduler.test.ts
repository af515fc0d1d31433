// A second scheduler (issue 15 item 3): services/bin-packing-scheduler runs beside the default
// scheduler, both started as `npm start` starts them (their own identities, NATS users and
// leader Leases; the bin-packing one with its shipped profile file). Six simulated nodes of
// 4 cpu. Pods with `schedulerName: bin-packing` are packed onto the fewest nodes; other pods
// are spread by the default scheduler; each scheduler's Events name it; a pod naming a
// scheduler nobody runs is left Pending by both.
import { join } from 'node:path';
import { parsePrometheusText, sampleSum, startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(120_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const SERVICES = ['kubelet', 'scheduler', 'bin-packing-scheduler'];
const NODE_COUNT = 6;
let cp: ControlPlane;
let binPackingMetrics: string;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES });
  await cp.startService('kubelet', {
    env: { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'bp', NODE_COUNT: String(NODE_COUNT), KEELSON_NODE_CPU: '4', KEELSON_NODE_MEMORY: '8Gi', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') },
  });
  // One at a time: several services connecting to NATS at once time out on a loaded machine.
  await cp.startService('scheduler', { env: FAST });
  const binPacking = await cp.startService('bin-packing-scheduler', { env: FAST });
  binPackingMetrics = `http://127.0.0.1:${binPacking.healthPort}/metrics`;
  await until('the simulated nodes are registered', async () => (await nodes()).length === NODE_COUNT, 60_000);
}, 180_000);
afterAll(async () => {
  await cp?.stop();
});

interface Pod { metadata: { name: string }; spec: { nodeName?: string; schedulerName?: string }; status: { phase?: string; conditions?: Array<{ type: string; status: string }> } }
interface Event { reason: string; message: string; involvedObject: { name: string }; source: { component?: string }; reportingComponent?: string }

async function json<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const nodes = async () => (await json<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/nodes')).items.map((n) => n.metadata.name);
const podsOf = async (app: string) => (await json<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items;
const eventsFor = async (name: string) => (await json<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`)).items;

function podManifest(name: string, app: string, cpu: string, schedulerName?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } },
    spec: {
      ...(schedulerName ? { schedulerName } : {}), terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu, memory: '256Mi' } } }],
    },
  };
}

async function apply(manifests: Record<string, unknown>[]): Promise<void> {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: manifests.map((m) => JSON.stringify(m)).join('\n') });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

/** Waits until every pod of `app` is bound and Running; returns pod name → node. */
async function placed(app: string, count: number): Promise<Map<string, string>> {
  const pods = await until(`${count} ${app} pods bound and Running`, async () => {
    const ps = await podsOf(app);
    return ps.length === count && ps.every((p) => p.spec.nodeName && p.status.phase === 'Running') ? ps : undefined;
  }, 60_000);
  return new Map(pods.map((p) => [p.metadata.name, p.spec.nodeName!]));
}

const perNode = (placement: Map<string, string>): number[] => {
  const counts = new Map<string, number>();
  for (const n of placement.values()) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
};

let packedNodes: Set<string>;

test('pods with schedulerName bin-packing are packed onto the fewest nodes by the second scheduler, which its Events name', async () => {
  // Six pods of 1 cpu on 4-cpu nodes: two nodes at the least (4 + 2); spreading would use six.
  await apply(Array.from({ length: 6 }, (_, i) => podManifest(`packed-${i}`, 'packed', '1', 'bin-packing')));
  const placement = await placed('packed', 6);
  expect(perNode(placement)).toEqual([4, 2]);
  packedNodes = new Set(placement.values());

  const out = await cp.k('get', 'pods', '-l', 'app=packed', '-o', 'custom-columns=NAME:.metadata.name,SCHEDULER:.spec.schedulerName,NODE:.spec.nodeName', '--no-headers');
  for (const [name, node] of placement) expect(out).toMatch(new RegExp(`^${name}\\s+bin-packing\\s+${node}$`, 'm'));
  for (const name of placement.keys()) {
    const scheduled = await until(`${name}'s Scheduled event`, async () => (await eventsFor(name)).filter((e) => e.reason === 'Scheduled'));
    // Only the bin-packing scheduler scheduled it; the default scheduler left it alone.
    expect(scheduled).toEqual([expect.objectContaining({ source: { component: 'bin-packing', host: expect.any(String) }, reportingComponent: 'bin-packing', message: `Successfully assigned default/${name} to ${placement.get(name)}` })]);
  }
  const describe = await cp.k('describe', 'pod', 'packed-0');
  expect(describe).toMatch(/Normal\s+Scheduled\s+\S+\s+bin-packing\s+Successfully assigned default\/packed-0 to bp-\d/);
  // Each scheduler leads through its own Lease.
  for (const lease of ['bin-packing-scheduler', 'scheduler']) expect(await cp.k('get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}')).not.toBe('');
  // Its attempts are counted under its profile, as kube-scheduler labels them.
  const metrics = parsePrometheusText(await (await fetch(binPackingMetrics)).text());
  expect(sampleSum(metrics, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'bin-packing' })).toBe(6);
  expect(sampleSum(metrics, 'scheduler_schedule_attempts_total', { profile: 'default-scheduler' })).toBeUndefined();
});

test('a bin-packing pod that fits nowhere gets FailedScheduling from bin-packing', async () => {
  await apply([podManifest('packed-too-big', 'too-big', '8', 'bin-packing')]);
  const failed = await until('FailedScheduling', async () => (await eventsFor('packed-too-big')).find((e) => e.reason === 'FailedScheduling'));
  expect(failed).toMatchObject({ source: { component: 'bin-packing' }, reportingComponent: 'bin-packing', message: `0/${NODE_COUNT} nodes are available: ${NODE_COUNT} Insufficient cpu.` });
  expect(await cp.k('get', 'pod', 'packed-too-big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}')).toBe('Unschedulable');
  await cp.k('delete', 'pod', 'packed-too-big', '--wait=false');
});

test('other pods are spread by the default scheduler, which its Events name', async () => {
  // Four half-cpu pods: LeastAllocated puts each on its own empty node, none beside the packed pods.
  await apply(Array.from({ length: 4 }, (_, i) => podManifest(`spread-${i}`, 'spread', '500m')));
  const placement = await placed('spread', 4);
  expect(perNode(placement)).toEqual([1, 1, 1, 1]);
  for (const node of placement.values()) expect(packedNodes.has(node)).toBe(false);
  for (const name of placement.keys()) {
    const scheduled = await until(`${name}'s Scheduled event`, async () => (await eventsFor(name)).filter((e) => e.reason === 'Scheduled'));
    expect(scheduled).toEqual([expect.objectContaining({ source: { component: 'default-scheduler', host: expect.any(String) }, reportingComponent: 'default-scheduler' })]);
  }
});

test('a pod naming a scheduler nobody runs stays Pending, untouched by both', async () => {
  await apply([podManifest('orphan', 'orphan', '100m', 'nobody-runs-this')]);
  // Pods created after it, one per scheduler: once both are bound, each scheduler has seen the
  // orphan's creation (informers deliver in order) and passed it by.
  await apply([podManifest('after-default', 'after', '100m'), podManifest('after-bin-packing', 'after', '100m', 'bin-packing')]);
  await placed('after', 2);
  const orphan = (await podsOf('orphan'))[0];
  expect(orphan.spec).toMatchObject({ schedulerName: 'nobody-runs-this' });
  expect(orphan.spec.nodeName).toBeUndefined();
  expect(orphan.status.phase).toBe('Pending');
  expect(orphan.status.conditions ?? []).toEqual([]); // no PodScheduled=False either: nobody tried
  expect(await eventsFor('orphan')).toEqual([]);
  expect(await cp.k('get', 'pod', 'orphan', '--no-headers')).toMatch(/^orphan\s+0\/1\s+Pending\s+0\s/);
});
