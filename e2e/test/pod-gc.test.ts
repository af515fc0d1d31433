// Issue 9 defect (12): pods bound to a node that does not exist stayed Pending (and, once
// deleted, Terminating) forever, and a Node deleted while its kubelet lived never came back.
// Now the node-lifecycle-controller's pod GC force-deletes such pods after a quarantine, and
// the kubelet registers its Node again when it finds it gone.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(90_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const KUBELET = { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', KEELSON_NODE_LEASE_RENEW_MS: '500', KEELSON_NODE_STATUS_UPDATE_MS: '500', KEELSON_NODE_CPU: '8', KEELSON_NODE_MEMORY: '16Gi' };
const LIFECYCLE = { ...FAST, KEELSON_POD_GC_PERIOD_SECONDS: '1', KEELSON_POD_GC_QUARANTINE_SECONDS: '1' };

interface Obj {
  metadata: { name: string; uid: string; deletionTimestamp?: string; ownerReferences?: { kind: string; name: string; uid: string }[] };
  status?: { phase?: string };
}

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet', 'node-lifecycle-controller'] });
  await Promise.all([
    cp.startService('kubelet', { instance: 'live-node', env: { ...KUBELET, NODE_NAME: 'live-node', KEELSON_KUBELET_ROOT: join(cp.dir, 'live-node') } }),
    cp.startService('node-lifecycle-controller', { env: LIFECYCLE }),
  ]);
});
afterAll(async () => {
  await cp?.stop();
});

async function get(path: string): Promise<Obj | undefined> {
  const r = await cp.request('GET', path);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as Obj;
}

const pod = (name: string, nodeName: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } });

test('a pod bound to a node that does not exist is garbage collected; a pod on a live node is not', async () => {
  await until('live-node registered', async () => (await get('/api/v1/nodes/live-node')) !== undefined);
  for (const [name, node] of [['orphan', 'ghost-node'], ['kept', 'live-node']]) {
    const r = await cp.request('POST', '/api/v1/namespaces/default/pods', { body: pod(name, node), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(201);
  }
  // A plain delete of the orphan only marks it Terminating: no kubelet will confirm it.
  const del = await cp.request('DELETE', '/api/v1/namespaces/default/pods/orphan');
  expect(del.status).toBe(200);
  await until('orphan garbage collected', async () => (await get('/api/v1/namespaces/default/pods/orphan')) === undefined);
  await until('kept Running on the live node', async () => (await get('/api/v1/namespaces/default/pods/kept'))?.status?.phase === 'Running');

  // A pending (not deleted) pod bound to a missing node goes too.
  expect((await cp.request('POST', '/api/v1/namespaces/default/pods', { body: pod('orphan-2', 'ghost-node-2'), headers: { 'content-type': 'application/json' } })).status).toBe(201);
  await until('orphan-2 garbage collected', async () => (await get('/api/v1/namespaces/default/pods/orphan-2')) === undefined);
  expect((await get('/api/v1/namespaces/default/pods/kept'))?.metadata.deletionTimestamp).toBeUndefined();
});

test('deleting the Node of a live kubelet: the kubelet registers it again, and its Lease names the new Node', async () => {
  const before = await until('live-node registered', async () => get('/api/v1/nodes/live-node'));
  const r = await cp.k('delete', 'node', 'live-node');
  expect(r).toContain('deleted');
  const after = await until('live-node registered again', async () => {
    const n = await get('/api/v1/nodes/live-node');
    return n && n.metadata.uid !== before.metadata.uid ? n : undefined;
  });
  expect(after.metadata.name).toBe('live-node');
  await until('lease owned by the new Node', async () => {
    const lease = await get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/live-node');
    return lease?.metadata.ownerReferences?.some((o) => o.kind === 'Node' && o.uid === after.metadata.uid) ?? false;
  });
});
