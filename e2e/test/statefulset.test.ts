// The statefulset-controller end to end with real kubectl (statefulset-controller → scheduler →
// simulated kubelet): ordinal pods created in order with their claims and stable hostnames,
// a partitioned rolling update, `kubectl rollout history|undo|status sts`, scale-down that
// keeps claims, and a deleted pod coming back under its name.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(120_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
let controller: ServiceProcess;

beforeAll(async () => {
  const names = ['statefulset-controller', 'scheduler', 'kubelet'];
  cp = await startControlPlane({ nats: true, services: names });
  const kubelet = { KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: '2', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') };
  // One at a time: three processes connecting at once miss their NATS connect timeout on a loaded machine.
  await cp.startService('kubelet', { env: { ...FAST, ...kubelet } });
  await cp.startService('scheduler', { env: FAST });
  controller = await cp.startService('statefulset-controller', { env: FAST });
}, 240_000); // a loaded machine is slow to start a control plane and three services (no assertion on time)
afterAll(async () => {
  await cp?.stop();
});

interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string; uid: string };
  spec: { hostname?: string; subdomain?: string; containers: { image: string }[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
  status?: { phase?: string };
}
interface Sts { status?: Record<string, unknown> & { currentRevision?: string; updateRevision?: string } }

const sts = (name: string, image: string): string => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name },
  spec: {
    replicas: 3,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image, command: ['sleep', '3600'] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

async function getJson<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const pods = async (app: string): Promise<Pod[]> =>
  (await getJson<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items.filter((p) => !p.metadata.deletionTimestamp);
const pod = (name: string): Promise<Pod> => getJson<Pod>(`/api/v1/namespaces/default/pods/${name}`);
const claims = async (): Promise<string[]> =>
  (await getJson<{ items: { metadata: { name: string } }[] }>('/api/v1/namespaces/default/persistentvolumeclaims')).items.map((c) => c.metadata.name).sort();
const getSts = (name: string): Promise<Sts> => getJson<Sts>(`/apis/apps/v1/namespaces/default/statefulsets/${name}`);
const hash = (p: Pod): string | undefined => p.metadata.labels?.['controller-revision-hash'];
const log = (): string => controller.log().slice(-3000);

/** `kubectl get pods -w` until `done(lines)`: each line `<event type> <name> <phase>`, in the order the watch saw them. */
function watchPods(selector: string, done: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, 'get', 'pods', '-l', selector, '-w', '--output-watch-events',
      '-o', 'jsonpath={.type} {.object.metadata.name} {.object.status.phase}{"\\n"}']);
    const lines: string[] = [];
    let buf = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`watch did not finish:\n${lines.join('\n')}\n${log()}`));
    }, 60_000);
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts.filter(Boolean));
      if (done(lines)) {
        clearTimeout(timer);
        child.kill();
        resolve(lines);
      }
    });
    child.on('error', reject);
  });
}

test('a 3-replica StatefulSet creates web-0, web-1, web-2 in order, each with its claim and stable hostname', async () => {
  const running = (lines: string[], name: string): number => lines.findIndex((l) => l.endsWith(` ${name} Running`));
  const watch = watchPods('app=web', (lines) => running(lines, 'web-2') >= 0);
  await new Promise((r) => setTimeout(r, 500)); // the watch is open before the set exists
  await cp.kubectl(['apply', '-f', '-'], { input: sts('web', 'busybox:1.36') }).then((r) => expect(r.stderr).toBe(''));
  const lines = await watch;
  const added = (name: string): number => lines.findIndex((l) => l.startsWith('ADDED ') && l.includes(` ${name} `));
  // OrderedReady: each pod appears only once its predecessor is Running.
  expect(added('web-0')).toBeGreaterThanOrEqual(0);
  expect(added('web-1')).toBeGreaterThan(running(lines, 'web-0'));
  expect(added('web-2')).toBeGreaterThan(running(lines, 'web-1'));

  // rollingUpdate is defaulted (partition 0), so kubectl reports a partitioned roll out, as against kube.
  expect(await cp.k('rollout', 'status', 'sts/web', '--timeout=60s')).toBe('partitioned roll out complete: 3 new pods have been updated...\n');
  expect(await claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
  for (const i of [0, 1, 2]) {
    const p = await pod(`web-${i}`);
    expect(p.spec.hostname).toBe(`web-${i}`);
    expect(p.spec.subdomain).toBe('web');
    expect(p.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i) });
    expect(p.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: `data-web-${i}` } });
  }
  const s = await getSts('web');
  expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  expect(s.status?.currentRevision).toBe(s.status?.updateRevision);
  expect(hash(await pod('web-0'))).toBe(s.status?.currentRevision);
});

test('a rolling update with partition 2 updates only web-2; rollout undo takes it back', async () => {
  const before = (await getSts('web')).status!.currentRevision!;
  await cp.k('patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}');
  await cp.k('set', 'image', 'sts/web', 'main=busybox:1.37');
  expect(await cp.k('rollout', 'status', 'sts/web', '--timeout=60s')).toContain('partitioned roll out complete: 1 new pods have been updated...');
  const s = await getSts('web');
  expect(s.status).toMatchObject({ replicas: 3, updatedReplicas: 1, currentReplicas: 2, currentRevision: before });
  expect(s.status?.updateRevision).not.toBe(before);
  const images = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await pods('web')).map((p) => [p.metadata.name, p.spec.containers[0].image]));
  expect(await images()).toEqual({ 'web-0': 'busybox:1.36', 'web-1': 'busybox:1.36', 'web-2': 'busybox:1.37' });
  expect(hash(await pod('web-2'))).toBe(s.status?.updateRevision);
  expect(hash(await pod('web-1'))).toBe(before);

  const history = await cp.k('rollout', 'history', 'sts/web');
  expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  expect(await cp.k('rollout', 'history', 'sts/web', '--revision=1')).toContain('busybox:1.36');

  expect(await cp.k('rollout', 'undo', 'sts/web')).toContain('statefulset.apps/web rolled back');
  await until('web-2 back on the first revision', async () => {
    const p = (await pods('web')).find((x) => x.metadata.name === 'web-2');
    return p?.status?.phase === 'Running' && hash(p) === before && p;
  }, 60_000, 200, log);
  expect(await images()).toEqual({ 'web-0': 'busybox:1.36', 'web-1': 'busybox:1.36', 'web-2': 'busybox:1.36' });
  // Every pod is at the update revision again, so it is the current one too.
  await until('status back on one revision', async () => {
    const st = (await getSts('web')).status;
    return st?.updateRevision === before && st.currentRevision === before && st.updatedReplicas === 3 && st.readyReplicas === 3;
  }, 30_000, 200, log);
  expect(await cp.k('rollout', 'status', 'sts/web', '--timeout=60s')).toBe('partitioned roll out complete: 3 new pods have been updated...\n');
  // The old template is the newest revision now (3); revision 1 is gone, as upstream renumbers it.
  expect(await cp.k('rollout', 'history', 'sts/web')).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
});

test('a deleted pod comes back under its name; scale-down removes the highest ordinals and keeps their claims', async () => {
  const old = await pod('web-1');
  await cp.k('delete', 'pod', 'web-1', '--wait=false');
  await until('web-1 recreated', async () => {
    const p = await pod('web-1').catch(() => undefined);
    return p && p.metadata.uid !== old.metadata.uid && p.status?.phase === 'Running' && p;
  }, 60_000, 200, log);
  await cp.k('scale', 'sts', 'web', '--replicas=1');
  await until('web-1 and web-2 gone', async () => (await pods('web')).map((p) => p.metadata.name).join() === 'web-0', 60_000, 200, log);
  expect(await claims()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
  await until('status says 1 replica', async () => (await getSts('web')).status?.replicas === 1);
});

test('Parallel pod management creates every pod at once', async () => {
  const doc = JSON.parse(sts('par', 'busybox:1.36')) as { spec: Record<string, unknown> };
  doc.spec.podManagementPolicy = 'Parallel';
  doc.spec.volumeClaimTemplates = [];
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(doc) }).then((r) => expect(r.stderr).toBe(''));
  await cp.k('rollout', 'status', 'sts/par', '--timeout=60s');
  expect((await pods('par')).map((p) => p.metadata.name).sort()).toEqual(['par-0', 'par-1', 'par-2']);
});
