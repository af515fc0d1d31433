// Toleration matching as k8s.io/api's ToleratesTaint and component-helpers define it: the one
// rule the scheduler and the node lifecycle controller both decide with.
import { findUntoleratedTaint, nodeTaints, podTolerations, toleratesTaint, tolerationsTolerateTaint, type KubeObject, type Taint, type Toleration } from '@keelson/api';

const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

test.each<[string, Toleration, boolean]>([
  ['same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
  ['no operator means Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, true],
  ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, false],
  ['Exists ignores the value', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, true],
  ['no effect matches every effect', { key: 'dedicated', operator: 'Exists' }, true],
  ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
  ['another key', { key: 'zone', operator: 'Exists' }, false],
  ['empty key with Exists tolerates everything', { operator: 'Exists' }, true],
  ['an unknown operator tolerates nothing', { key: 'dedicated', operator: 'Gt' as Toleration['operator'], value: 'gpu' }, false],
])('%s', (_name, toleration, expected) => {
  expect(toleratesTaint(toleration, gpu)).toBe(expected);
});

test('Equal compares an absent value as empty', () => {
  expect(toleratesTaint({ key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoExecute' })).toBe(true);
  expect(toleratesTaint({ key: 'k', operator: 'Equal', value: '' }, { key: 'k', value: 'v', effect: 'NoExecute' })).toBe(false);
});

test('findUntoleratedTaint returns the first taint passing the filter that nothing tolerates', () => {
  const taints: Taint[] = [{ key: 'soft', effect: 'PreferNoSchedule' }, gpu, { key: 'evict', effect: 'NoExecute' }];
  const hard = (t: Taint): boolean => t.effect !== 'PreferNoSchedule';
  expect(findUntoleratedTaint(taints, [], hard)).toBe(gpu);
  expect(findUntoleratedTaint(taints, [{ key: 'dedicated', operator: 'Exists' }], hard)).toEqual({ key: 'evict', effect: 'NoExecute' });
  expect(findUntoleratedTaint(taints, [{ operator: 'Exists' }], hard)).toBeUndefined();
  expect(tolerationsTolerateTaint([{ key: 'x', operator: 'Exists' }, { key: 'soft', operator: 'Exists' }], taints[0])).toBe(true);
});

test('pod tolerations and node taints read from objects, absent or malformed as empty', () => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations: [{ operator: 'Exists' }, 'junk'] } };
  expect(podTolerations(pod)).toEqual([{ operator: 'Exists' }]);
  expect(podTolerations({ spec: {} })).toEqual([]);
  expect(nodeTaints({ spec: { taints: [gpu] } })).toEqual([gpu]);
  expect(nodeTaints({})).toEqual([]);
});
