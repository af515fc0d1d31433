// The autoscaling loop with a fake client and caches: a node cache that lags behind the
// autoscaler's own writes must not make it provision the same nodes twice (the bench's first
// run did, 56 nodes for 51), nor remove a node twice; empty nodes go only past the delay and
// never below minNodes.
import { ObjectCache, type DynamicClient, type EventRecorder, type KubeObject, type Logger, type Node, type Pod } from '@keelson/operator-sdk';
import { ClusterAutoscaler } from '../src/autoscaler';
import { SimulatedProvider } from '../src/provider';
import type { NodePool } from '../src/types';

const pool: NodePool = {
  apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name: 'workers', uid: 'u1' },
  spec: { minNodes: 1, maxNodes: 10, provider: 'simulated', nodeTemplate: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } },
};
const pending = (name: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
});
const readyNode = (name: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'autoscaling.keelson.dev/node-pool': 'workers' } }, spec: {},
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});

function setup(nodes: Node[], pods: Pod[], pools: NodePool[] = [pool]) {
  const calls: string[] = [];
  const resource = {
    create: async (obj: KubeObject) => (calls.push(`create ${obj.kind}`), obj),
    patch: async (name: string) => (calls.push(`patch ${name}`), {}),
    patchStatus: async (name: string) => (calls.push(`patch ${name} status`), {}),
    delete: async (name: string) => (calls.push(`delete ${name}`), {}),
    evict: async (name: string) => (calls.push(`evict ${name}`), {}),
    namespace: () => resource,
  };
  const client = { resource: () => resource } as unknown as DynamicClient;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => log } as unknown as Logger;
  const cache = <T extends KubeObject>(items: T[]) => {
    const c = new ObjectCache<T>();
    for (const i of items) c.set(i);
    return c;
  };
  const events: string[] = [];
  const recorder = { event: (o: KubeObject, _t: string, reason: string, msg: string) => events.push(`${o.kind}/${o.metadata.name} ${reason}: ${msg}`) } as unknown as EventRecorder;
  const config = { scanIntervalMs: 1000, scaleDownUnneededMs: 5000, scaleDownDelayAfterAddMs: 0, maxNodeProvisionMs: 600_000, maxEmptyBulkDelete: 10, relistPeriodMs: 0 };
  const ca = new ClusterAutoscaler({
    client, pools: cache(pools), nodes: cache(nodes), pods: cache(pods), recorder, podRecorder: recorder,
    providers: { simulated: new SimulatedProvider(client) }, config, log, isLeader: () => true,
  });
  return { ca, calls, events };
}

test('a node cache that has not caught up does not provision the same nodes again', async () => {
  const { ca, calls, events } = setup([readyNode('workers-a')], ['p1', 'p2', 'p3', 'p4', 'p5'].map(pending));
  await ca.runOnce(1_000);
  expect(calls.filter((c) => c === 'create Node')).toHaveLength(2);
  expect(events).toContain("Pod/p5 TriggeredScaleUp: pod triggered scale-up: [{workers 1->3 (max: 10)}]");
  await ca.runOnce(2_000); // the cache still shows only workers-a
  expect(calls.filter((c) => c === 'create Node')).toHaveLength(2);
});

test('empty nodes go after the delay, one removal each, never below minNodes', async () => {
  const { ca, calls, events } = setup([readyNode('workers-a'), readyNode('workers-b'), readyNode('workers-c')], []);
  await ca.runOnce(1_000);
  expect(calls.some((c) => c.startsWith('delete'))).toBe(false); // empty, but not for 5 s yet
  await ca.runOnce(7_000);
  expect(calls.filter((c) => c.startsWith('delete'))).toHaveLength(2);
  expect(events.filter((e) => e.startsWith('NodePool/workers ScaleDown: Scale-down: removing empty node'))).toHaveLength(2);
  await ca.runOnce(8_000); // the cache still shows all three, untainted
  expect(calls.filter((c) => c.startsWith('delete'))).toHaveLength(2);
});

test('a pool whose provider is off here is explained once, and nothing is provisioned for it', async () => {
  const procs: NodePool = { ...pool, metadata: { name: 'procs', uid: 'u2' }, spec: { ...pool.spec, provider: 'process' } };
  const { ca, calls, events } = setup([], ['p1'].map(pending), [procs]);
  await ca.runOnce(1_000);
  await ca.runOnce(2_000);
  expect(calls.filter((c) => c.startsWith('create'))).toEqual([]);
  expect(events.filter((e) => e.startsWith('NodePool/procs NotTriggerScaleUp: provider process is not available on this autoscaler (start it with KEELSON_AUTOSCALER_KUBELET_TOKEN'))).toHaveLength(1);
});
