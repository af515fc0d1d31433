// The replicaset-controller end to end with real kubectl: pods created with ownerReferences,
// scale up and down (deleting the cheapest pods), replacement of deleted pods, release of
// pods relabelled out of the selector, no surplus across a controller restart, and
// ReplicaFailure with a FailedCreate Event for a template the API rejects as a pod.
// No scheduler or kubelet: pods stay Pending; readiness is written to pods/status here.
import type { ServiceProcess } from '@keelson/testing';
import { startControlPlane, type ControlPlane, until as waitUntil } from '@keelson/testing';

jest.setTimeout(120_000);

interface Meta { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: { uid: string; kind: string; controller?: boolean; blockOwnerDeletion?: boolean; apiVersion: string; name: string }[] }
interface PodJson { metadata: Meta; status?: { phase?: string } }
interface RsJson { metadata: Meta & { generation: number }; status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }

const LEASE = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
let controller: ServiceProcess;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['replicaset-controller'] });
  controller = await cp.startService('replicaset-controller', { env: LEASE });
});
afterAll(async () => {
  await cp?.stop();
});

const rsYaml = (name: string, replicas: number, extraTemplateMeta = ''): string => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name}, namespace: default }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} }${extraTemplateMeta} }
    spec: { containers: [{ name: c, image: nginx }] }
`;

async function apply(yaml: string): Promise<void> {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: yaml });
  if (r.code !== 0) throw new Error(r.stderr);
}

async function getJson<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

const getRs = (name: string): Promise<RsJson> => getJson<RsJson>(`/apis/apps/v1/namespaces/default/replicasets/${name}`);

/** Live (not terminating) pods that carry the ReplicaSet's ownerReference. */
async function ownedPods(rs: RsJson): Promise<PodJson[]> {
  const list = await getJson<{ items: PodJson[] }>('/api/v1/namespaces/default/pods');
  return list.items.filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid));
}


async function podCount(rs: RsJson, n: number): Promise<PodJson[]> {
  return until(`${n} pods of ${rs.metadata.name}`, async () => {
    const pods = await ownedPods(rs);
    return pods.length === n && pods;
  });
}

/** Marks a pod Running and Ready since `readySince` through pods/status (what a kubelet would). */
async function markReady(name: string, readySince: string): Promise<void> {
  const patch = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] } };
  await cp.k('patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch));
}

test('a ReplicaSet of 3 gets 3 pods it controls, and status to match', async () => {
  await apply(rsYaml('web', 3));
  const rs = await getRs('web');
  const pods = await podCount(rs, 3);
  for (const p of pods) {
    expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  await until('status', async () => {
    const s = (await getRs('web')).status;
    return s?.replicas === 3 && s.fullyLabeledReplicas === 3 && s.readyReplicas === 0 && s.observedGeneration === rs.metadata.generation;
  });
  const events = await cp.k('get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}');
  expect(events).toMatch(/SuccessfulCreate:Created pod: web-[a-z0-9]{5}/);
});

test('kubectl scale up to 5, then down to 2 deletes the pending pods and the most recently ready', async () => {
  const rs = await getRs('web');
  await cp.k('scale', 'rs', 'web', '--replicas=5');
  const pods = await podCount(rs, 5);
  // Three pods become ready at different times; two stay Pending.
  const [a, b, c] = pods.map((p) => p.metadata.name);
  await markReady(a, '2024-01-01T00:00:00Z');
  await markReady(b, '2024-01-02T00:00:00Z');
  await markReady(c, '2024-01-03T00:00:00Z');
  await until('3 ready', async () => (await getRs('web')).status?.readyReplicas === 3);

  await cp.k('scale', 'rs', 'web', '--replicas=2');
  const left = await podCount(rs, 2);
  expect(left.map((p) => p.metadata.name).sort()).toEqual([a, b].sort());
  const st = await until('status of 2', async () => {
    const s = (await getRs('web')).status;
    return s?.replicas === 2 && s;
  });
  expect(st).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  expect(await cp.k('get', 'events', '--field-selector', 'involvedObject.name=web,reason=SuccessfulDelete', '-o', 'name')).not.toBe('');
});

test('a deleted pod is replaced', async () => {
  const rs = await getRs('web');
  const [victim] = await ownedPods(rs);
  await cp.k('delete', 'pod', victim.metadata.name, '--wait=false');
  const pods = await until('a replacement', async () => {
    const ps = await ownedPods(rs);
    return ps.length === 2 && !ps.some((p) => p.metadata.uid === victim.metadata.uid) && ps;
  });
  expect(pods).toHaveLength(2);
});

test('a pod relabelled out of the selector is released and replaced', async () => {
  const rs = await getRs('web');
  const [stray] = await ownedPods(rs);
  await cp.k('label', 'pod', stray.metadata.name, 'app=elsewhere', '--overwrite');
  await until('the pod released', async () => {
    const p = await getJson<PodJson>(`/api/v1/namespaces/default/pods/${stray.metadata.name}`);
    return !(p.metadata.ownerReferences ?? []).some((r) => r.uid === rs.metadata.uid);
  });
  const pods = await podCount(rs, 2);
  expect(pods.map((p) => p.metadata.name)).not.toContain(stray.metadata.name);
  expect(pods.every((p) => p.metadata.labels?.app === 'web')).toBe(true);
});

test('an orphan that matches the selector is adopted instead of creating a pod', async () => {
  await cp.k('run', 'orphan', '--image=nginx', '--labels=app=lonely');
  await apply(rsYaml('lonely', 1));
  const rs = await getRs('lonely');
  await until('adoption', async () => {
    const p = await getJson<PodJson>('/api/v1/namespaces/default/pods/orphan');
    return p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller);
  });
  await new Promise((r) => setTimeout(r, 1000));
  expect((await ownedPods(rs)).map((p) => p.metadata.name)).toEqual(['orphan']);
});

test('restarting the controller mid-scale never leaves more than spec.replicas pods', async () => {
  await apply(rsYaml('burst', 0));
  const rs = await getRs('burst');
  await cp.k('scale', 'rs', 'burst', '--replicas=40');
  let most = 0;
  const watch = setInterval(() => {
    void ownedPods(rs).then((ps) => (most = Math.max(most, ps.length)), () => undefined);
  }, 100);
  try {
    // Kill it as soon as the first pods exist: most creates are still to come.
    await until('some pods', async () => (await ownedPods(rs)).length, 30_000, 10);
    await controller.kill('SIGKILL');
    await controller.start();
    await podCount(rs, 40);
    // A second restart once done: a fresh controller must find nothing to do.
    await controller.kill('SIGTERM');
    await controller.start();
    await new Promise((r) => setTimeout(r, 4000));
    expect((await ownedPods(rs)).length).toBe(40);
  } finally {
    clearInterval(watch);
  }
  expect(most).toBeLessThanOrEqual(40);
});

test('a template the API rejects as a pod gives ReplicaFailure and a FailedCreate Event', async () => {
  // Template finalizers are not validated on the ReplicaSet, only on the pod (as in Kubernetes).
  await apply(rsYaml('broken', 2, ', finalizers: ["bad finalizer!"]'));
  const cond = await until('ReplicaFailure', async () => (await getRs('broken')).status?.conditions?.find((c) => c.type === 'ReplicaFailure'));
  expect(cond).toMatchObject({ status: 'True', reason: 'FailedCreate' });
  expect(cond.message).toMatch(/finalizers/);
  const events = await cp.k('get', 'events', '--field-selector', 'involvedObject.name=broken,reason=FailedCreate', '-o', 'jsonpath={.items[*].message}');
  expect(events).toMatch(/^Error creating: .*is invalid/);
  // Fixing the template clears the condition and the pods appear.
  await apply(rsYaml('broken', 2));
  await podCount(await getRs('broken'), 2);
  await until('condition cleared', async () => !(await getRs('broken')).status?.conditions?.some((c) => c.type === 'ReplicaFailure'));
});

/** Polls with this suite's interval, and the controller's log tail when it times out. */
function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  return waitUntil(what, fn, timeoutMs, intervalMs, () => `--- controller log ---\n${controller.log().slice(-3000)}`);
}
