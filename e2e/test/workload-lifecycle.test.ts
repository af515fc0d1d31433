// Workloads across the whole chain (deployment → replicaset → scheduler → simulated kubelet,
// plus the garbage collector): cascading deletion in its three modes, and controllers
// SIGKILLed mid-rollout never overshooting replicas + maxSurge.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(180_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
const svc: Record<string, ServiceProcess> = {};

beforeAll(async () => {
  const names = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet', 'garbage-collector'];
  cp = await startControlPlane({ nats: true, services: names });
  const env = (n: string): Record<string, string> =>
    n === 'kubelet' ? { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: '3', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') } : FAST;
  for (const [n, p] of await Promise.all(names.map(async (n) => [n, await cp.startService(n, { env: env(n) })] as const))) svc[n] = p;
});
afterAll(async () => {
  await cp?.stop();
});

function deployment(name: string, replicas: number, image = 'busybox:1.36'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command: ['sleep', '3600'] }] } },
    },
  });
}

interface Obj {
  metadata: { name: string; deletionTimestamp?: string; finalizers?: string[]; ownerReferences?: unknown[] };
  status?: { phase?: string };
}
async function list(path: string): Promise<Obj[]> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  return (JSON.parse(r.body) as { items: Obj[] }).items;
}
const pods = (app: string) => list(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`);
const replicaSets = (app: string) => list(`/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${app}`);
const live = (os: Obj[]) => os.filter((o) => !o.metadata.deletionTimestamp);


async function rolledOut(name: string, replicas: number): Promise<void> {
  await cp.kubectl(['apply', '-f', '-'], { input: deployment(name, replicas) }).then((r) => expect(r.code).toBe(0));
  await cp.k('rollout', 'status', `deployment/${name}`, '--timeout=60s');
  expect(live(await pods(name))).toHaveLength(replicas);
}

test('kubectl delete deployment removes its ReplicaSets and pods (background)', async () => {
  await rolledOut('bg', 2);
  await cp.k('delete', 'deployment', 'bg');
  await until('ReplicaSets and pods gone', async () => (await replicaSets('bg')).length === 0 && (await pods('bg')).length === 0);
});

test('--cascade=foreground removes dependents before the Deployment', async () => {
  await rolledOut('fg', 2);
  await cp.k('delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false');
  const d = JSON.parse((await cp.request('GET', '/apis/apps/v1/namespaces/default/deployments/fg')).body) as Obj;
  expect(d.metadata.deletionTimestamp).toBeDefined();
  expect(d.metadata.finalizers).toContain('foregroundDeletion');
  await until('Deployment gone', async () => (await cp.request('GET', '/apis/apps/v1/namespaces/default/deployments/fg')).status === 404);
  expect(await replicaSets('fg')).toHaveLength(0);
  await until('pods gone', async () => (await pods('fg')).length === 0);
});

test('--cascade=orphan leaves the ReplicaSet and pods, without the owner reference', async () => {
  await rolledOut('orph', 2);
  await cp.k('delete', 'deployment', 'orph', '--cascade=orphan');
  const [rs] = await until('ReplicaSet orphaned', async () => {
    const r = await replicaSets('orph');
    return r.length === 1 && !r[0].metadata.ownerReferences?.length && r;
  });
  expect(rs.metadata.deletionTimestamp).toBeUndefined();
  expect(live(await pods('orph'))).toHaveLength(2);
});

// maxSurge bounds the ReplicaSets' spec.replicas (Kubernetes' GetReplicaCountForReplicaSets);
// while the replicaset-controller is down its old pods outlive their scale-down, as in
// Kubernetes. What must never happen is a duplicate: a ReplicaSet with more live pods than
// it ever asked for, or the specs together above replicas + maxSurge.
test('controllers SIGKILLed mid-rollout: no duplicate pods, specs within replicas + maxSurge', async () => {
  const replicas = 4;
  await rolledOut('chaos', replicas);
  const maxSpec = new Map<string, number>();
  const violations: string[] = [];
  let polls = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      // Pods first, then ReplicaSets: every pod seen was created under a spec we see too.
      const ps = await pods('chaos').catch(() => [] as Obj[]);
      const rsets = await replicaSets('chaos').catch(() => [] as Obj[]);
      let total = 0;
      for (const rs of rsets as (Obj & { spec?: { replicas?: number }; metadata: { labels?: Record<string, string> } })[]) {
        const spec = rs.spec?.replicas ?? 0;
        total += spec;
        const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
        maxSpec.set(hash, Math.max(maxSpec.get(hash) ?? 0, spec));
        const owned = live(ps).filter((p) => (p.metadata as { labels?: Record<string, string> }).labels?.['pod-template-hash'] === hash).length;
        if (owned > maxSpec.get(hash)!) violations.push(`ReplicaSet ${rs.metadata.name}: ${owned} live pods > ${maxSpec.get(hash)} ever asked`);
      }
      if (total > replicas + 1) violations.push(`specs total ${total} > ${replicas + 1}`);
      polls++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await cp.k('set', 'image', 'deployment/chaos', 'main=busybox:1.37');
  // Kill both workload controllers as soon as the new ReplicaSet exists, then restart them:
  // they relist and must reconcile from what is stored, not from what they had in memory.
  await until('new ReplicaSet', async () => (await replicaSets('chaos')).length === 2);
  await Promise.all([svc['deployment-controller'].kill('SIGKILL'), svc['replicaset-controller'].kill('SIGKILL')]);
  await Promise.all([svc['deployment-controller'].start(), svc['replicaset-controller'].start()]);
  await cp.k('rollout', 'status', 'deployment/chaos', '--timeout=90s');
  polling = false;
  await poller;
  expect(polls).toBeGreaterThan(10);
  expect(violations).toEqual([]);
  const sizes = (await replicaSets('chaos')).map((r) => (r as { spec?: { replicas?: number } } & Obj).spec?.replicas).sort();
  expect(sizes).toEqual([0, replicas]);
  await until('old pods gone', async () => live(await pods('chaos')).length === replicas);
});
