// The scheduler's filters for capacity planning: a SimulatedNode answers "would the default
// scheduler bind this pod here?" with the scheduler's own reasons.
import type { KubeObject } from '../src';
import { SimulatedNode, largestFirst, podInfo } from '../src/scheduling';

const node = (name: string, cpu: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone: 'a' } }, spec, status: { allocatable: { cpu, memory: '4Gi', pods: '3' } },
});
const pod = (name: string, cpu: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '128Mi' } } }], ...spec },
});

test('requests add up until the node is full; the reason is the scheduler\'s', () => {
  const n = SimulatedNode.of(node('n1', '2'));
  expect(n.fails(podInfo(pod('a', '1500m')))).toBeUndefined();
  n.add(podInfo(pod('a', '1500m')), true);
  expect(n.placed.map((p) => p.key)).toEqual(['default/a']);
  expect(n.fails(podInfo(pod('b', '1')))?.reasons).toEqual(['Insufficient cpu']);
  expect(n.fails(podInfo(pod('c', '500m')))).toBeUndefined();
  n.add(podInfo(pod('c', '500m')));
  n.add(podInfo(pod('d', '0')));
  expect(n.podCount).toBe(3);
  expect(n.fails(podInfo(pod('e', '0')))?.reasons).toEqual(['Too many pods']);
});

test('taints, unschedulable nodes and node selectors filter as the scheduler does', () => {
  const tainted = SimulatedNode.of(node('t', '4', { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] }));
  expect(tainted.fails(podInfo(pod('a', '1')))?.reasons.join()).toMatch(/untolerated taint/);
  expect(tainted.fails(podInfo(pod('b', '1', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }] })))).toBeUndefined();
  expect(SimulatedNode.of(node('u', '4', { unschedulable: true })).fails(podInfo(pod('c', '1')))?.reasons.join()).toMatch(/unschedulable/);
  const free = SimulatedNode.of(node('f', '4'));
  expect(free.fails(podInfo(pod('d', '1', { nodeSelector: { zone: 'b' } })))?.reasons.join()).toMatch(/affinity\/selector/);
  expect(free.fails(podInfo(pod('e', '1', { nodeSelector: { zone: 'a' } })))).toBeUndefined();
});

test('largestFirst orders by cpu, then memory, then key', () => {
  const order = largestFirst([pod('small', '100m'), pod('big', '2'), pod('mid-b', '1'), pod('mid-a', '1')].map(podInfo)).map((p) => p.key);
  expect(order).toEqual(['default/big', 'default/mid-a', 'default/mid-b', 'default/small']);
});
