// Admission and bookkeeping users meet on day one (issue 13 item 8), through the real kubectl:
// a ResourceQuota (usage kept by the resourcequota-controller, charged by the gateway's quota
// admission) refuses the pod past its limit with kube's 403; LimitRange defaults and limits
// applied at pod admission; a ReplicationController makes its pods (replicaset-controller).
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(180_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const SERVICES = ['resourcequota-controller', 'replicaset-controller'];
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES });
  await Promise.all(SERVICES.map((n) => cp.startService(n, { env: FAST })));
}, 300_000); // a loaded CI machine takes minutes to start the services
afterAll(async () => {
  await cp?.stop();
});

async function json<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
interface Quota { status?: { hard?: Record<string, string>; used?: Record<string, string> } }
const used = async (ns: string, name: string) => (await json<Quota>(`/api/v1/namespaces/${ns}/resourcequotas/${name}`)).status?.used;

test('a ResourceQuota of 2 pods refuses the third with kube\'s 403; a deleted pod gives its unit back', async () => {
  await cp.k('create', 'namespace', 'quota-a');
  await cp.k('create', 'quota', 'pods', '--hard=pods=2,count/configmaps=5', '-n', 'quota-a');
  // kube-root-ca.crt is a ConfigMap of every namespace: counted.
  await until('the controller counted the namespace', async () => JSON.stringify(await used('quota-a', 'pods')) === JSON.stringify({ 'count/configmaps': '1', pods: '0' }));

  await cp.k('run', 'one', '--image=nginx:1.27', '-n', 'quota-a');
  await cp.k('run', 'two', '--image=nginx:1.27', '-n', 'quota-a');
  const third = await cp.kubectl(['run', 'three', '--image=nginx:1.27', '-n', 'quota-a']);
  expect(third.code).not.toBe(0);
  expect(third.stderr.trim()).toBe('Error from server (Forbidden): pods "three" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2');
  // The raw answer is kube's Status: 403 Forbidden with the pod named in its details.
  const raw = await cp.request('POST', '/api/v1/namespaces/quota-a/pods', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'four' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }),
    headers: { 'content-type': 'application/json' },
  });
  expect(raw.status).toBe(403);
  expect(JSON.parse(raw.body)).toMatchObject({ reason: 'Forbidden', code: 403, details: { name: 'four', kind: 'pods' } });
  expect(await cp.k('describe', 'quota', 'pods', '-n', 'quota-a')).toMatch(/pods\s+2\s+2/);

  // A dry run is checked but charges nothing; other kinds are counted by their own names.
  await cp.k('create', 'configmap', 'extra', '-n', 'quota-a');
  await until('configmaps counted', async () => (await used('quota-a', 'pods'))?.['count/configmaps'] === '2');

  // Deleting a pod gives quota back once the controller recounts.
  await cp.k('delete', 'pod', 'one', '-n', 'quota-a', '--grace-period=0', '--force');
  await until('the unit returned', async () => (await used('quota-a', 'pods'))?.pods === '1');
  await cp.k('run', 'three', '--image=nginx:1.27', '-n', 'quota-a');
});

test('LimitRange defaults appear on created pods; its max refuses with kube\'s message', async () => {
  await cp.k('create', 'namespace', 'limits-a');
  await cp.kubectl(['apply', '-n', 'limits-a', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { cpu: '1' } }] },
    }),
  }).then((r) => expect(r.stderr).toBe(''));
  await until('LimitRange in the gateway cache', async () => {
    await cp.k('run', 'defaulted', '--image=nginx:1.27', '-n', 'limits-a');
    return true;
  });
  const pod = await json<{ metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ resources?: unknown }> } }>('/api/v1/namespaces/limits-a/pods/defaulted');
  expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  expect(pod.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container defaulted; cpu, memory limit for container defaulted');
  // What the pod sets itself is kept.
  await cp.k('run', 'explicit', '--image=nginx:1.27', '-n', 'limits-a', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'explicit', image: 'nginx:1.27', resources: { requests: { cpu: '200m' }, limits: { cpu: '800m' } } }] } }));
  const explicit = await json<{ spec: { containers: Array<{ resources?: unknown }> } }>('/api/v1/namespaces/limits-a/pods/explicit');
  expect(explicit.spec.containers[0].resources).toEqual({ requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '800m', memory: '256Mi' } });
  const tooBig = await cp.kubectl(['run', 'big', '--image=nginx:1.27', '-n', 'limits-a', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx:1.27', resources: { limits: { cpu: '2' } } }] } })]);
  expect(tooBig.code).not.toBe(0);
  expect(tooBig.stderr.trim()).toBe('Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
});

test('a ReplicationController makes its pods and follows kubectl scale', async () => {
  await cp.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
    }),
  }).then((r) => expect(r.stderr).toBe(''));
  type Pod = { metadata: { name: string; deletionTimestamp?: string; ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> } };
  const pods = async () => (await json<{ items: Pod[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dlegacy')).items.filter((p) => !p.metadata.deletionTimestamp);
  const two = await until('two pods', async () => ((await pods()).length === 2 ? pods() : undefined));
  for (const p of two) expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicationController', name: 'legacy', controller: true })]);
  await until('RC status counts them', async () => (await json<{ status?: { replicas?: number } }>('/api/v1/namespaces/default/replicationcontrollers/legacy')).status?.replicas === 2);
  await cp.k('scale', 'rc', 'legacy', '--replicas=3');
  await until('three pods', async () => (await pods()).length === 3);
  expect(await cp.k('get', 'rc', 'legacy')).toMatch(/legacy\s+3\s+3\s/);
});
