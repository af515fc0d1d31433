// Eviction timing and lifecycle taints, as kube's taint manager and node lifecycle controller decide them.
import type { KubeObject } from '@keelson/api';
import { markUnknown, reconcileLifecycleTaints, TAINT_NOT_READY, TAINT_UNREACHABLE } from '../src/node-health';
import { evictionTime } from '../src/taint-eviction';

const defaults = { unreachableSeconds: 300, notReadySeconds: 300 };
const pod = (tolerations?: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], ...(tolerations ? { tolerations } : {}) } });
const T0 = Date.parse('2024-01-01T00:00:00Z');
const unreachable = { key: TAINT_UNREACHABLE, effect: 'NoExecute' as const, timeAdded: '2024-01-01T00:00:00Z' };

test('a pod without its own toleration gets the default unreachable toleration', () => {
  expect(evictionTime(pod(), [unreachable], defaults, T0 + 1000)).toBe(T0 + 300_000);
});

test('the shortest matching tolerationSeconds wins, and a toleration without seconds tolerates forever', () => {
  expect(evictionTime(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), [unreachable], defaults, T0)).toBe(T0 + 5000);
  expect(evictionTime(pod([{ operator: 'Exists' }]), [unreachable], defaults, T0)).toBeUndefined();
});

test('an untolerated NoExecute taint evicts at once; NoSchedule never evicts', () => {
  expect(evictionTime(pod(), [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }], defaults, T0)).toBe(T0);
  expect(evictionTime(pod(), [{ key: 'dedicated', effect: 'NoSchedule' }], defaults, T0)).toBeUndefined();
});

test('lifecycle taints swap unreachable for not-ready and keep other taints', () => {
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'dedicated', effect: 'NoSchedule' }, unreachable] } };
  expect(reconcileLifecycleTaints(node, TAINT_UNREACHABLE, 'now')).toBeUndefined();
  expect(reconcileLifecycleTaints(node, TAINT_NOT_READY, 'now')).toEqual([{ key: 'dedicated', effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: 'now' }]);
  expect(reconcileLifecycleTaints(node, undefined, 'now')).toEqual([{ key: 'dedicated', effect: 'NoSchedule' }]);
});

test('marking a silent node Unknown keeps the kubelet heartbeat time and is a no-op the second time', () => {
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'hb', lastTransitionTime: 't0' }] } };
  const conds = markUnknown(node, 'now')!;
  expect(conds.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', lastHeartbeatTime: 'hb', lastTransitionTime: 'now' });
  expect(markUnknown({ ...node, status: { conditions: conds } }, 'later')).toBeUndefined();
});
