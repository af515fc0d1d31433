// The deployment-controller end to end with real kubectl, on the whole workload chain:
// deployment-controller → replicaset-controller → scheduler → kubelet (simulated runtime,
// pods Running and Ready at once). Proves apply + rollout status, a rolling update within
// maxSurge/maxUnavailable on every pod watch event, history, undo, pause/resume and scale.
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(180_000);

interface Meta { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string }
interface RsJson { metadata: Meta; spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } } }; status?: { replicas?: number } }
interface PodJson { metadata: Meta; status?: { conditions?: { type: string; status: string }[] } }
interface DeployJson { metadata: Meta & { generation: number }; spec: { paused?: boolean; template: { spec: { containers: { image: string }[] } } }; status?: { observedGeneration?: number; replicas?: number; conditions?: { type: string; status: string; reason?: string }[] } }

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const MANIFEST = readFileSync(join(__dirname, 'fixtures/nginx-deployment.yaml'), 'utf8');
const NAME = 'nginx-deployment';
let cp: ControlPlane;

beforeAll(async () => {
  const services = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet'];
  cp = await startControlPlane({ nats: true, services });
  await Promise.all([
    cp.startService('deployment-controller', { env: FAST }),
    cp.startService('replicaset-controller', { env: FAST }),
    cp.startService('scheduler', { env: FAST }),
    cp.startService('kubelet', { env: { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim-node', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') } }),
  ]);
});
afterAll(async () => {
  await cp?.stop();
});

async function getJson<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const getDeploy = (): Promise<DeployJson> => getJson(`/apis/apps/v1/namespaces/default/deployments/${NAME}`);
const listRs = async (): Promise<RsJson[]> => (await getJson<{ items: RsJson[] }>('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dnginx')).items;
const revisionOf = (rs: RsJson): string | undefined => rs.metadata.annotations?.['deployment.kubernetes.io/revision'];


const rolloutStatus = (): Promise<string> => cp.k('rollout', 'status', `deployment/${NAME}`, '--timeout=60s');

/** Watches the nginx pods; on every event checks live pods ≤ max and ready live pods ≥ min. */
function watchPodBounds(max: number, min: number): { stop(): { events: number; violations: string[]; maxSeen: number } } {
  const pods = new Map<string, PodJson>();
  const violations: string[] = [];
  let events = 0;
  let maxSeen = 0;
  let started = false; // the initial ADDED burst replays existing pods
  const url = new URL(`${cp.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dnginx`);
  const req = httpsRequest(url, { ca: cp.creds.caPem, headers: { authorization: `Bearer ${cp.creds.adminToken}` } }, (res) => {
    let buf = '';
    res.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as { type: string; object: PodJson };
        if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name);
        else pods.set(ev.object.metadata.name, ev.object);
        events++;
        const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
        const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        maxSeen = Math.max(maxSeen, live.length);
        if (live.length > max) violations.push(`event ${events}: ${live.length} live pods > ${max}`);
        if (started && ready.length < min) violations.push(`event ${events}: ${ready.length} ready pods < ${min}`);
        if (live.length >= min && ready.length >= min) started = true;
      }
    });
  });
  req.end();
  return { stop: () => (req.destroy(), { events, violations, maxSeen }) };
}

test('kubectl apply → a ReplicaSet named by pod-template-hash → 3/3 and rollout status succeeds', async () => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: MANIFEST });
  expect(r.code).toBe(0);
  expect(await rolloutStatus()).toContain('successfully rolled out');
  const [rs] = await listRs();
  const hash = rs.metadata.labels!['pod-template-hash'];
  expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  expect(rs.metadata.name).toBe(`${NAME}-${hash}`);
  expect(rs.spec.selector.matchLabels).toEqual({ app: 'nginx', 'pod-template-hash': hash });
  expect(rs.spec.template.metadata.labels['pod-template-hash']).toBe(hash);
  expect(rs.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  expect(await cp.k('get', 'deploy', NAME, '--no-headers')).toMatch(/^nginx-deployment\s+3\/3\s+3\s+3\s/);
  const d = await getDeploy();
  expect(d.status?.observedGeneration).toBe(d.metadata.generation);
  expect(d.status?.conditions).toEqual(expect.arrayContaining([
    expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
    expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
  ]));
});

test('kubectl set image rolls within maxSurge 1 / maxUnavailable 0 on every pod watch event', async () => {
  const watch = watchPodBounds(4, 3);
  await new Promise((r) => setTimeout(r, 300));
  await cp.k('set', 'image', `deployment/${NAME}`, 'nginx=nginx:1.16.1');
  expect(await rolloutStatus()).toContain('successfully rolled out');
  const seen = watch.stop();
  expect(seen.violations).toEqual([]);
  expect(seen.events).toBeGreaterThan(6);
  expect(seen.maxSeen).toBe(4);
  const rss = await listRs();
  const newRS = rss.find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.16.1')!;
  const oldRS = rss.find((r) => r !== newRS)!;
  expect([newRS.spec.replicas, oldRS.spec.replicas, revisionOf(newRS)]).toEqual([3, 0, '2']);
  const events = await cp.k('get', 'events', '--field-selector', `involvedObject.name=${NAME}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  expect(events).toContain(`ScalingReplicaSet: Scaled up replica set ${newRS.metadata.name} from 0 to 1`);
  expect(events).toContain(`ScalingReplicaSet: Scaled down replica set ${oldRS.metadata.name} from 3 to 2`);
});

test('kubectl rollout history and undo (client-side template patch) reuse the old ReplicaSet with revision-history', async () => {
  const history = await cp.k('rollout', 'history', `deployment/${NAME}`);
  expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  const undo = await cp.kubectl(['rollout', 'undo', `deployment/${NAME}`, '-v=8']);
  expect(undo.code).toBe(0);
  // kubectl 1.32 patches the Deployment's template itself; there is no rollback subresource.
  expect(undo.stderr).toMatch(/PATCH https:\/\/[^ ]+\/apis\/apps\/v1\/namespaces\/default\/deployments\/nginx-deployment/);
  expect(await rolloutStatus()).toContain('successfully rolled out');
  const d = await getDeploy();
  expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
  const rss = await listRs();
  expect(rss).toHaveLength(2);
  const back = rss.find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.14.2')!;
  expect([back.spec.replicas, revisionOf(back), back.metadata.annotations?.['deployment.kubernetes.io/revision-history']]).toEqual([3, '3', '1']);
  expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
});

test('kubectl rollout pause holds a template change; resume rolls it out', async () => {
  await cp.k('rollout', 'pause', `deployment/${NAME}`);
  await cp.k('set', 'image', `deployment/${NAME}`, 'nginx=nginx:1.17');
  await until('DeploymentPaused', async () => (await getDeploy()).status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused'));
  await new Promise((r) => setTimeout(r, 1000));
  expect((await listRs()).some((r) => r.spec.template.spec.containers[0].image === 'nginx:1.17')).toBe(false);
  await cp.k('rollout', 'resume', `deployment/${NAME}`);
  expect(await rolloutStatus()).toContain('successfully rolled out');
  const rss = await listRs();
  expect(rss.find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.17')?.spec.replicas).toBe(3);
  expect(rss.filter((r) => r.spec.replicas > 0)).toHaveLength(1);
});

test('kubectl scale up and down', async () => {
  await cp.k('scale', `deployment/${NAME}`, '--replicas=5');
  expect(await rolloutStatus()).toContain('successfully rolled out');
  expect(await cp.k('get', 'deploy', NAME, '--no-headers')).toMatch(/\s5\/5\s/);
  await cp.k('scale', `deployment/${NAME}`, '--replicas=2');
  await until('2/2 and 2 pods', async () => {
    const d = await getDeploy();
    return d.status?.replicas === 2 && d.status.observedGeneration === d.metadata.generation;
  });
  const active = (await listRs()).filter((r) => r.spec.replicas > 0);
  expect(active.map((r) => [r.spec.replicas, r.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']])).toEqual([[2, '2']]);
});
