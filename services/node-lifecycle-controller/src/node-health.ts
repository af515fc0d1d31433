// What kube's node lifecycle controller writes when a kubelet goes silent, and which
// NoExecute taints a node's Ready condition calls for. Pure functions over objects.
import { nodeTaints, type KubeObject, type Taint } from '@keelson/api';
import { nodeConditions, readyCondition, type NodeCondition } from './heartbeat-tracker';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';

/** The conditions the kubelet owns; all turn Unknown when it stops posting. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The node's conditions with every kubelet-owned one Unknown (kube's tryUpdateNodeHealth),
 * or undefined when they already are. lastHeartbeatTime is kept: it is the kubelet's.
 */
export function markUnknown(node: KubeObject, now: string): NodeCondition[] | undefined {
  const existing = nodeConditions(node);
  if (KUBELET_CONDITIONS.every((t) => existing.find((c) => c.type === t)?.status === 'Unknown')) return undefined;
  const others = existing.filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  return [...KUBELET_CONDITIONS.map((type): NodeCondition => {
    const old = existing.find((c) => c.type === type);
    if (!old) return { type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: now, lastTransitionTime: now };
    if (old.status === 'Unknown') return old;
    return { ...old, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now };
  }), ...others];
}

/** The lifecycle NoExecute taint Ready calls for: unreachable (Unknown), not-ready (False), none (True). */
export function wantedLifecycleTaint(node: KubeObject): string | undefined {
  const ready = readyCondition(node);
  if (!ready || ready.status === 'Unknown') return TAINT_UNREACHABLE;
  if (ready.status === 'False') return TAINT_NOT_READY;
  return undefined;
}

/**
 * The node's taints with exactly the wanted lifecycle NoExecute taint (swapped atomically,
 * keeping timeAdded of one already there), or undefined when they are already right.
 */
export function reconcileLifecycleTaints(node: KubeObject, wanted: string | undefined, now: string): Taint[] | undefined {
  const taints = nodeTaints(node);
  const isLifecycle = (t: Taint): boolean => t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY);
  const current = taints.filter(isLifecycle);
  if (current.length === (wanted ? 1 : 0) && (!wanted || current[0].key === wanted)) return undefined;
  const kept = taints.filter((t) => !isLifecycle(t));
  const existing = current.find((t) => t.key === wanted);
  return wanted ? [...kept, existing ?? { key: wanted, effect: 'NoExecute', timeAdded: now }] : kept;
}
