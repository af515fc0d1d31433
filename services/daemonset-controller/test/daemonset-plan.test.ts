import { CONTROLLER_REVISION_HASH_LABEL } from '@keelson/controller-runtime';
import { newDaemonPod, targetNodeName } from '../src/daemon-pod';
import { calculateStatus, planManage, planRollingUpdate } from '../src/daemonset-plan';
import { nodeShouldRunDaemonPod } from '../src/node-should-run';
import type { DaemonSet, Node, Pod } from '../src/types';

const ds = (spec: Record<string, unknown> = {}, strategy?: NonNullable<DaemonSet['spec']>['updateStrategy']): DaemonSet => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 1 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } },
    updateStrategy: strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
  },
});
const node = (name: string, extra: { labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
  spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
});
let seq = 0;
function pod(d: DaemonSet, nodeName: string, hash: string, ready = true): Pod {
  const p = newDaemonPod(d, nodeName, hash);
  p.metadata.name = `agent-${seq++}`;
  p.metadata.uid = p.metadata.name;
  p.metadata.creationTimestamp = `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`;
  p.spec!.nodeName = nodeName;
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return p;
}
const byNode = (pods: Pod[]): Map<string, Pod[]> => {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(targetNodeName(p)!, [...(m.get(targetNodeName(p)!) ?? []), p]);
  return m;
};

test('a daemon pod is pinned to its node by matchFields and carries the automatic tolerations', () => {
  const p = newDaemonPod(ds({ hostNetwork: true }), 'n1', 'h1');
  expect(targetNodeName(p)).toBe('n1');
  expect(p.metadata.labels).toMatchObject({ app: 'agent', [CONTROLLER_REVISION_HASH_LABEL]: 'h1', 'pod-template-generation': '1' });
  expect(p.metadata.generateName).toBe('agent-');
  const keys = (p.spec!.tolerations as { key: string }[]).map((t) => t.key);
  expect(keys).toEqual(expect.arrayContaining(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/disk-pressure',
    'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure', 'node.kubernetes.io/unschedulable', 'node.kubernetes.io/network-unavailable']));
});

test('which nodes should run the daemon: selector, affinity, taints and tolerations', () => {
  const taint = { key: 'dedicated', value: 'infra', effect: 'NoSchedule' };
  expect(nodeShouldRunDaemonPod(node('a'), ds())).toEqual({ shouldRun: true, shouldContinueRunning: true });
  expect(nodeShouldRunDaemonPod(node('a', { taints: [taint] }), ds())).toEqual({ shouldRun: false, shouldContinueRunning: true });
  expect(nodeShouldRunDaemonPod(node('a', { taints: [{ ...taint, effect: 'NoExecute' }] }), ds())).toEqual({ shouldRun: false, shouldContinueRunning: false });
  expect(nodeShouldRunDaemonPod(node('a', { taints: [taint] }), ds({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] })).shouldRun).toBe(true);
  // Cordoned and not-ready nodes are tolerated automatically.
  expect(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), ds()).shouldRun).toBe(true);
  expect(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), ds()).shouldRun).toBe(true);
  expect(nodeShouldRunDaemonPod(node('a'), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun).toBe(false);
  expect(nodeShouldRunDaemonPod(node('a', { labels: { disk: 'ssd' } }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun).toBe(true);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } };
  expect(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z2' } }), ds({ affinity })).shouldRun).toBe(false);
  expect(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z1' } }), ds({ affinity })).shouldRun).toBe(true);
});

test('manage: creates for nodes without a pod, deletes duplicates, pods of vanished nodes and of nodes that must not run it', () => {
  const d = ds();
  const pods = [pod(d, 'a', 'h'), pod(d, 'a', 'h'), pod(d, 'gone', 'h'), pod(d, 'evict', 'h')];
  const nodes = [node('a'), node('b'), node('evict', { taints: [{ key: 'x', effect: 'NoExecute' }] })];
  const plan = planManage(d, nodes, byNode(pods), 'h');
  expect(plan.create).toEqual(['b']);
  expect(plan.delete.map((p) => p.metadata.name).sort()).toEqual([pods[1], pods[2], pods[3]].map((p) => p.metadata.name).sort());
});

test('rolling update: maxUnavailable 1 replaces one old pod at a time', () => {
  const d = ds();
  const nodes = [node('a'), node('b'), node('c')];
  const first = planRollingUpdate(d, nodes, byNode([pod(d, 'a', 'old'), pod(d, 'b', 'old'), pod(d, 'c', 'old')]), 'new', Date.now());
  expect(first.create).toEqual([]);
  expect(first.delete).toHaveLength(1);
  // A new pod not yet ready uses up the budget.
  const waiting = planRollingUpdate(d, nodes, byNode([pod(d, 'a', 'new', false), pod(d, 'b', 'old'), pod(d, 'c', 'old')]), 'new', Date.now());
  expect(waiting.delete).toEqual([]);
});

test('rolling update with maxSurge: a new pod beside the old, the old one deleted once the new is ready', () => {
  const d = ds({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  const nodes = [node('a'), node('b')];
  const old = [pod(d, 'a', 'old'), pod(d, 'b', 'old')];
  expect(planRollingUpdate(d, nodes, byNode(old), 'new', Date.now())).toEqual({ create: ['a'], delete: [] });
  const surged = [...old, pod(d, 'a', 'new', true)];
  expect(planRollingUpdate(d, nodes, byNode(surged), 'new', Date.now())).toEqual({ create: ['b'], delete: [old[0]] });
});

test('status counts desired, current, ready, updated and misscheduled nodes', () => {
  const d = ds();
  const nodes = [node('a'), node('b'), node('c'), node('t', { taints: [{ key: 'x', effect: 'NoSchedule' }] })];
  const pods = [pod(d, 'a', 'new'), pod(d, 'b', 'old', false), pod(d, 't', 'new')];
  expect(calculateStatus(d, nodes, byNode(pods), 'new', Date.now())).toEqual({
    desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, numberAvailable: 1, updatedNumberScheduled: 1, numberUnavailable: 2, observedGeneration: 1,
  });
});
