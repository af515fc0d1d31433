// Issue 15 item 2: services/cluster-autoscaler with a NodePool (autoscaling.keelson.dev/v1alpha1).
// One fixed simulated node (1 cpu) and a pool of 2-cpu simulated nodes, min 1, max 3. A
// Deployment of 16 × 500m cannot fit: the autoscaler adds pool nodes (a simulated kubelet
// adopts each Node it creates, so the pods really go Running) up to the maximum and says why the
// last pods trigger nothing; scaled to 0, the empty nodes are drained and deleted down to the
// minimum. Short scan interval and scale-down delays through the autoscaler's environment.
import { startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(240_000);

const SERVICES = ['scheduler', 'deployment-controller', 'replicaset-controller', 'kubelet', 'cluster-autoscaler'];
let cp: ControlPlane;
const logs: Array<{ log(): string }> = [];
let lastSeen = '';

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES });
  const env: Record<string, Record<string, string>> = {
    kubelet: { KEELSON_LEADER_ELECT: 'false', KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', KEELSON_NODE_CPU: '1', KEELSON_NODE_MEMORY: '4Gi', KEELSON_NODE_PODS: '110', KEELSON_NODE_STATUS_UPDATE_MS: '2000' },
    'cluster-autoscaler': {
      KEELSON_AUTOSCALER_SCAN_INTERVAL_MS: '1000',
      KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS: '3000',
      KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS: '3000',
    },
  };
  // One at a time: several services connecting to NATS at once time out on a loaded machine.
  for (const n of SERVICES) logs.push(await cp.startService(n, env[n] ? { env: env[n] } : undefined));
}, 240_000);
afterAll(async () => {
  await cp?.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> =>
  waitUntil(what, fn, timeoutMs, 500, () => `${lastSeen}\n${logs.map((l) => l.log().slice(-1500)).join('\n')}`);

interface Pool { status?: { nodes?: number; readyNodes?: number; nodeNames?: string[]; lastDecision?: { type: string; message: string }; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }
interface Item { metadata: { name: string; labels?: Record<string, string> }; spec?: { nodeName?: string }; status?: { phase?: string } }

async function pool(): Promise<Pool> {
  const out = await cp.k('get', 'nodepool', 'workers', '-o', 'json');
  lastSeen = out;
  return JSON.parse(out) as Pool;
}
async function poolNodes(): Promise<string[]> {
  const out = JSON.parse(await cp.k('get', 'nodes', '-l', 'autoscaling.keelson.dev/node-pool=workers', '-o', 'json')) as { items: Item[] };
  return out.items.map((n) => n.metadata.name).sort();
}
async function webPods(): Promise<Item[]> {
  return (JSON.parse(await cp.k('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: Item[] }).items;
}
async function events(reason: string): Promise<string[]> {
  const r = await cp.kubectl(['get', 'events', '-A', '--field-selector', `reason=${reason}`, '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name}: {.message}{"\\n"}{end}']);
  return r.stdout.split('\n').filter(Boolean);
}

const NODEPOOL = `apiVersion: autoscaling.keelson.dev/v1alpha1
kind: NodePool
metadata:
  name: workers
spec:
  minNodes: 1
  maxNodes: 3
  provider: simulated
  nodeTemplate:
    allocatable: { cpu: "2", memory: 4Gi, pods: "110" }
    labels: { tier: workers }
`;

const deployment = (replicas: number) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
    },
  },
});

test('the NodePool CRD is installed by the autoscaler and validated; a pool is brought to its minimum', async () => {
  expect(await cp.k('get', 'crd', 'nodepools.autoscaling.keelson.dev', '-o', 'name')).toContain('nodepools.autoscaling.keelson.dev');
  const bad = await cp.kubectl(['apply', '-f', '-'], { input: NODEPOOL.replace('minNodes: 1', 'minNodes: 5') });
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('minNodes must be less than or equal to maxNodes');

  expect((await cp.kubectl(['apply', '-f', '-'], { input: NODEPOOL })).code).toBe(0);
  const p = await until('the pool at its minimum, Ready', async () => {
    const s = await pool();
    return s.status?.nodes === 1 && s.status.readyNodes === 1 ? s : undefined;
  });
  expect(p.status?.lastDecision).toMatchObject({ type: 'ScaleUp', message: expect.stringContaining('below its minimum size, setting it to 1 instead of 0 (min: 1)') });
  const [node] = await poolNodes();
  // A simulated kubelet adopted the Node the autoscaler created: the template's shape and labels.
  const n = JSON.parse(await cp.k('get', 'node', node, '-o', 'json')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; status: { allocatable: Record<string, string> } };
  expect(n.metadata.labels).toMatchObject({ tier: 'workers', 'autoscaling.keelson.dev/node-pool': 'workers', 'keelson.dev/runtime': 'simulated' });
  expect(n.metadata.annotations['autoscaling.keelson.dev/simulated-kubelet']).toBe('sim');
  expect(n.status.allocatable).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
  expect(await cp.k('get', 'nodepools')).toMatch(/^NAME\s+MIN\s+MAX\s+NODES\s+READY\s+LAST-DECISION\s+AGE\nworkers\s+1\s+3\s+1\s+1\s+ScaleUp\s+\d+s/);
});

test('a Deployment larger than the cluster: nodes are added up to maxNodes, the rest explained', async () => {
  // 16 × 500m: the fixed node takes 2, each pool node 4; at max (3 nodes) 14 run, 2 cannot.
  expect((await cp.kubectl(['apply', '-f', '-'], { input: deployment(16) })).code).toBe(0);
  let most = 0;
  await until('14 pods Running on 3 pool nodes', async () => {
    const nodes = await poolNodes();
    most = Math.max(most, nodes.length);
    const running = (await webPods()).filter((p) => p.status?.phase === 'Running');
    return nodes.length === 3 && running.length === 14;
  }, 150_000);
  expect(most).toBeLessThanOrEqual(3);
  const pending = (await webPods()).filter((p) => !p.spec?.nodeName);
  expect(pending).toHaveLength(2);

  const up = await events('TriggeredScaleUp');
  expect(up.some((m) => /^Pod\/web-[a-z0-9-]+: pod triggered scale-up: \[\{workers [12]->[23] \(max: 3\)\}\]$/.test(m))).toBe(true);
  expect(up.some((m) => /^NodePool\/workers: Scale-up: setting group workers size to [23] instead of [12] \(max: 3\)/.test(m))).toBe(true);
  const not = await until('NotTriggerScaleUp on the pods left', async () => {
    const e = await events('NotTriggerScaleUp');
    return e.some((m) => m.includes(`Pod/${pending[0].metadata.name}: pod didn't trigger scale-up: 1 max node group size reached`)) ? e : undefined;
  });
  expect(not.some((m) => m.startsWith('NodePool/workers: 2 pod(s) didn\'t trigger scale-up: max node group size reached (max: 3)'))).toBe(true);
  const p = await until('MaxSizeReached in the status', async () => {
    const s = await pool();
    return s.status?.conditions?.some((c) => c.type === 'ScaleUp' && c.reason === 'MaxSizeReached') ? s : undefined;
  });
  expect(p.status).toMatchObject({ nodes: 3, readyNodes: 3 });
  expect((await poolNodes()).length).toBe(3);
});

test('after scaling the Deployment to 0, the empty nodes are drained and removed down to minNodes', async () => {
  const before = await poolNodes();
  await cp.k('scale', 'deployment', 'web', '--replicas=0');
  await until('the web pods gone', async () => (await webPods()).length === 0);
  let fewest = before.length;
  const after = await until('the pool back at its minimum', async () => {
    const nodes = await poolNodes();
    fewest = Math.min(fewest, nodes.length);
    const s = await pool();
    return nodes.length === 1 && s.status?.nodes === 1 && s.status.lastDecision?.type === 'ScaleDown' ? nodes : undefined;
  });
  // Never below the minimum, and the node kept is one of the pool's.
  expect(fewest).toBe(1);
  expect(before).toContain(after[0]);
  const removed = before.filter((n) => n !== after[0]);
  const down = await events('ScaleDown');
  for (const n of removed) {
    expect(down).toContain(`Node/${n}: node removed by cluster autoscaler`);
    expect(down.some((m) => m.startsWith(`Node/${n}: marked the node as toBeDeleted/unschedulable (empty for `))).toBe(true);
    expect(down.some((m) => m.startsWith(`NodePool/workers: Scale-down: removing empty node "${n}" (empty for `))).toBe(true);
  }
  const s = await until('ScaleDown condition says the pool is at its minimum', async () => {
    const x = await pool();
    return x.status?.conditions?.find((c) => c.type === 'ScaleDown' && /minimum size 1/.test(c.message)) ? x : undefined;
  }, 30_000);
  expect(s.status?.conditions?.find((c) => c.type === 'ScaleDown')).toMatchObject({ status: 'True', reason: 'CandidatesPresent' });
});
