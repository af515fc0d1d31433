// The scheduler against the whole control plane: Node objects created through the API (no
// kubelet), pods created with the real kubectl, bound by services/scheduler through
// NATS events and the binding subresource.
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, type ControlPlane, until as waitUntil } from '@keelson/testing';

jest.setTimeout(90_000);

const NODES = BUILTIN_RESOURCES.find((r) => r.resource === 'nodes')!;
let cp: ControlPlane;
let client: KeelsonClient;

function nodeObj(name: string, cpu: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { taints },
    status: {
      capacity: { cpu, memory: '4Gi', pods: '110' },
      allocatable: { cpu, memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    },
  };
}

function podManifest(name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): string {
  const { cpu, ...rest } = spec as { cpu?: string };
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ...meta },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], resources: cpu ? { requests: { cpu } } : {} }], ...rest },
  });
}

async function apply(...manifests: string[]): Promise<void> {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: manifests.join('\n') });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

async function nodeOf(name: string): Promise<string> {
  return (await cp.k('get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}')).trim();
}

const until = <T>(f: () => Promise<T | undefined | false | ''>, what: string, ms = 20_000): Promise<T> => waitUntil(what, f, ms, 200);

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['scheduler'] });
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  await client.create(NODES, nodeObj('node-a', '2', { disk: 'ssd', zone: 'a' }));
  await client.create(NODES, nodeObj('node-b', '2', { zone: 'b', generation: '5' }));
  await client.create(NODES, nodeObj('node-gpu', '2', { zone: 'c' }, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]));
  await cp.startService('scheduler', { env: { KEELSON_SCHEDULER_BACKOFF_INITIAL_MS: '200', KEELSON_SCHEDULER_BACKOFF_MAX_MS: '1000' } });
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

test('nodeSelector and required node affinity (In, Gt) pick the matching node', async () => {
  await apply(
    podManifest('on-ssd', { nodeSelector: { disk: 'ssd' } }),
    podManifest('in-zone-b', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'zone', operator: 'In', values: ['b', 'c'] }, { key: 'generation', operator: 'Gt', values: ['4'] },
    ] }] } } } }),
  );
  expect(await until(() => nodeOf('on-ssd'), 'on-ssd bound')).toBe('node-a');
  expect(await until(() => nodeOf('in-zone-b'), 'in-zone-b bound')).toBe('node-b');
  const wide = await cp.k('get', 'pod', 'on-ssd', '-o', 'wide');
  expect(wide).toMatch(/on-ssd\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+node-a/);
});

test('a NoSchedule taint keeps pods off unless they tolerate it', async () => {
  const toGpu = { nodeSelector: { zone: 'c' } };
  await apply(
    podManifest('tolerates-gpu', { ...toGpu, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
    podManifest('intolerant', toGpu),
  );
  expect(await until(() => nodeOf('tolerates-gpu'), 'tolerating pod bound')).toBe('node-gpu');
  const message = await until(async () => (await cp.k('get', 'pod', 'intolerant', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}')).trim(), 'PodScheduled=False');
  expect(message).toBe("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector.");
  expect(await nodeOf('intolerant')).toBe('');
  await cp.k('delete', 'pod', 'intolerant', '--wait=false');
});

test('pods of one owner are spread across the nodes', async () => {
  const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'b2c1a6e0-0000-4000-8000-000000000001', controller: true }] };
  const tolerateAll = { tolerations: [{ operator: 'Exists' }] };
  const names = Array.from({ length: 6 }, (_, i) => `web-5d8f-${i}`);
  await apply(...names.map((n) => podManifest(n, tolerateAll, owner)));
  const nodes = await until(async () => {
    const got = await Promise.all(names.map(nodeOf));
    return got.every(Boolean) && got;
  }, 'all replicas bound');
  const perNode = new Map<string, number>();
  for (const n of nodes) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  expect([...perNode.values()]).toEqual([2, 2, 2]);
});

test('a pod too big stays Pending with a FailedScheduling event; a node with room schedules it', async () => {
  await apply(podManifest('too-big', { cpu: '3' }));
  const want = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.';
  const describe = await until(async () => {
    const out = await cp.k('describe', 'pod', 'too-big');
    return out.includes('FailedScheduling') && out;
  }, 'FailedScheduling event');
  expect(describe).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\./);
  expect(describe).toMatch(/PodScheduled\s+False/);
  expect(await cp.k('get', 'pod', 'too-big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}')).toBe(want);
  expect(await nodeOf('too-big')).toBe('');

  await client.create(NODES, nodeObj('node-big', '8'));
  expect(await until(() => nodeOf('too-big'), 'too-big bound after a node was added')).toBe('node-big');
  const events = await cp.k('get', 'events', '--field-selector', 'involvedObject.name=too-big', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
  expect(events).toMatch(/Scheduled/);
});
