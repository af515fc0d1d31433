// Issue 15 item 2, the `process` provider: a NodePool whose machines are kubelet processes the
// autoscaler starts on its own host. No node at all at first: a pod that fits nowhere makes the
// autoscaler create a Node and start a process kubelet for it (the shared kubelet identity),
// which adopts the Node; the pod is scheduled there and really runs. Once the pod is gone the
// node stays empty past the (short) delay: its kubelet is stopped and the Node deleted. Machines
// outlive the autoscaler, as a cloud's do: a kill -9 of the autoscaler leaves the kubelet and its
// pod running, and the restarted autoscaler adopts the machine (it is the one that stops it on
// scale-down); a machine whose kubelet died is started again.
import { join } from 'node:path';
import { processCmdline, startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(180_000);

let cp: ControlPlane;
const logs: Array<{ log(): string }> = [];
let autoscaler: Awaited<ReturnType<ControlPlane['startService']>>;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['scheduler', 'cluster-autoscaler', 'kubelet'] });
  const kubelet = cp.nats!.users.kubelet;
  logs.push(await cp.startService('scheduler'));
  logs.push(autoscaler = await cp.startService('cluster-autoscaler', {
    env: {
      KEELSON_AUTOSCALER_SCAN_INTERVAL_MS: '1000',
      KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS: '3000',
      KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS: '3000',
      KEELSON_AUTOSCALER_KUBELET_TOKEN: cp.creds.serviceTokens.kubelet,
      KEELSON_AUTOSCALER_KUBELET_NATS_USER: kubelet.user,
      KEELSON_AUTOSCALER_KUBELET_NATS_PASSWORD: kubelet.password,
      KEELSON_AUTOSCALER_KUBELET_ROOT: join(cp.dir, 'autoscaler-kubelets'),
      KEELSON_AUTOSCALER_KUBELET_ENV: 'KEELSON_KUBELET_POD_NETWORK=host,KEELSON_NODE_STATUS_UPDATE_MS=2000,KEELSON_NODE_LEASE_RENEW_MS=1000',
    },
  }));
}, 120_000);
afterAll(async () => {
  await cp?.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> =>
  waitUntil(what, fn, timeoutMs, 500, () => logs.map((l) => l.log().slice(-2000)).join('\n'));

interface NodeItem { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; status?: { allocatable?: Record<string, string> } }
async function poolNodes(): Promise<NodeItem[]> {
  return (JSON.parse(await cp.k('get', 'nodes', '-l', 'autoscaling.keelson.dev/node-pool=procs', '-o', 'json')) as { items: NodeItem[] }).items;
}
async function events(reason: string): Promise<string[]> {
  const r = await cp.kubectl(['get', 'events', '-A', '--field-selector', `reason=${reason}`, '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name}: {.message}{"\\n"}{end}']);
  return r.stdout.split('\n').filter(Boolean);
}
const cmdline = processCmdline;

const POOL = `apiVersion: autoscaling.keelson.dev/v1alpha1
kind: NodePool
metadata: { name: procs }
spec:
  minNodes: 0
  maxNodes: 2
  provider: process
  nodeTemplate:
    allocatable: { cpu: "2", memory: 4Gi, pods: "20" }
    labels: { tier: procs }
`;
const POD = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'worker' },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'], resources: { requests: { cpu: '1500m', memory: '64Mi' } } }] },
});

let pid = 0;
let nodeName = '';

test('a pod that fits nowhere: a kubelet process is started for a new pool node, and the pod runs there', async () => {
  expect((await cp.kubectl(['apply', '-f', '-'], { input: POOL })).code).toBe(0);
  expect((await cp.kubectl(['create', '-f', '-'], { input: POD })).code).toBe(0);
  const pod = await until('the pod Running on a pool node', async () => {
    const p = JSON.parse(await cp.k('get', 'pod', 'worker', '-o', 'json')) as { spec: { nodeName?: string }; status: { phase?: string } };
    return p.status.phase === 'Running' && p.spec.nodeName ? p : undefined;
  });
  const nodes = await poolNodes();
  expect(nodes).toHaveLength(1);
  const [node] = nodes;
  nodeName = node.metadata.name;
  expect(pod.spec.nodeName).toBe(nodeName);
  expect(node.metadata.labels).toMatchObject({ tier: 'procs', 'autoscaling.keelson.dev/node-pool': 'procs' });
  expect(node.metadata.annotations?.['autoscaling.keelson.dev/provider']).toBe('process');
  expect(node.status?.allocatable).toMatchObject({ cpu: '2', memory: '4Gi', pods: '20' });
  pid = Number(node.metadata.annotations?.['autoscaling.keelson.dev/kubelet-pid']);
  expect(cmdline(pid)).toContain('kubelet/dist/main.js');
  expect(await events('TriggeredScaleUp')).toContain('Pod/worker: pod triggered scale-up: [{procs 0->1 (max: 2)}]');
});

test('kill -9 of the autoscaler: the machine and its pod keep running; the restarted autoscaler adopts it', async () => {
  const podUid = JSON.parse(await cp.k('get', 'pod', 'worker', '-o', 'json')).metadata.uid as string;
  await autoscaler.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 3000));
  expect(cmdline(pid)).toContain('kubelet/dist/main.js');
  await autoscaler.start();
  // Several loops of the new autoscaler: nothing started twice, nothing stopped.
  await new Promise((r) => setTimeout(r, 4000));
  expect(cmdline(pid)).toContain('kubelet/dist/main.js');
  expect((await poolNodes()).map((n) => n.metadata.name)).toEqual([nodeName]);
  const pod = JSON.parse(await cp.k('get', 'pod', 'worker', '-o', 'json')) as { metadata: { uid: string }; status: { phase?: string; containerStatuses?: Array<{ restartCount: number }> } };
  expect(pod.metadata.uid).toBe(podUid);
  expect(pod.status.phase).toBe('Running');
  expect(pod.status.containerStatuses?.[0]?.restartCount).toBe(0);
});

test('a machine whose kubelet died is started again by the autoscaler, and the pod runs on', async () => {
  process.kill(pid, 'SIGKILL');
  const next = await until('a new kubelet for the node', async () => {
    const n = (await poolNodes()).find((x) => x.metadata.name === nodeName);
    const p = Number(n?.metadata.annotations?.['autoscaling.keelson.dev/kubelet-pid']);
    return p && p !== pid && cmdline(p)?.includes('kubelet/dist/main.js') ? p : undefined;
  });
  pid = next;
  await until('the pod Running again', async () => {
    const p = JSON.parse(await cp.k('get', 'pod', 'worker', '-o', 'json')) as { status: { phase?: string; containerStatuses?: Array<{ ready?: boolean; state?: { running?: unknown } }> } };
    return p.status.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running ? p : undefined;
  });
});

test('the pod gone, the empty node is drained: its kubelet process stops and the Node is deleted', async () => {
  await cp.k('delete', 'pod', 'worker', '--wait=false');
  await until('the pool node gone', async () => (await poolNodes()).length === 0);
  await until('its kubelet process gone', async () => cmdline(pid) === undefined);
  const down = await events('ScaleDown');
  expect(down).toContain(`Node/${nodeName}: node removed by cluster autoscaler`);
  expect(down.some((m) => m.startsWith(`NodePool/procs: Scale-down: removing empty node "${nodeName}"`))).toBe(true);
  await until('the pool status at 0 nodes', async () => (JSON.parse(await cp.k('get', 'nodepool', 'procs', '-o', 'json')) as { status?: { nodes?: number } }).status?.nodes === 0);
});

test('the NodePool deleted: its machine is stopped and its Node deleted, though the kubelet would register it again', async () => {
  expect((await cp.kubectl(['create', '-f', '-'], { input: POD })).code).toBe(0);
  const node = await until('a new pool node', async () => (await poolNodes())[0]);
  const kubeletPid = await until('its kubelet', async () => {
    const n = (await poolNodes()).find((x) => x.metadata.name === node.metadata.name);
    const p = Number(n?.metadata.annotations?.['autoscaling.keelson.dev/kubelet-pid']);
    return p && cmdline(p) ? p : undefined;
  });
  await cp.k('delete', 'pod', 'worker', '--wait=false');
  await cp.k('delete', 'nodepool', 'procs');
  await until('the kubelet process gone', async () => cmdline(kubeletPid) === undefined);
  await until('the Node gone for good', async () => (await cp.kubectl(['get', 'node', node.metadata.name])).code !== 0);
  await new Promise((r) => setTimeout(r, 3000));
  expect((await cp.kubectl(['get', 'node', node.metadata.name])).code).not.toBe(0);
});
