// Taints and tolerations (core/v1 Taint, Toleration) and how they match, as k8s.io/api's
// Toleration.ToleratesTaint and component-helpers' scheduling/corev1 define it. The
// scheduler (TaintToleration, NodeUnschedulable) and the node lifecycle controller's
// NoExecute eviction both decide with these, so a pod is scheduled and evicted by one rule.
import { isRecord, type KubeObject } from './types';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  /** RFC 3339; set for NoExecute taints by whoever added them. */
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  /** Empty means Equal. */
  operator?: 'Exists' | 'Equal' | '';
  value?: string;
  /** Empty matches every effect. */
  effect?: TaintEffect | '';
  /** NoExecute only: how long the pod stays bound after the taint appears; unset is forever. */
  tolerationSeconds?: number;
}

/** node.kubernetes.io/unschedulable:NoSchedule, the taint a cordoned node stands for. */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/**
 * Toleration.ToleratesTaint: the effects agree (or the toleration names none), the keys agree
 * (an empty key with Exists matches every taint), and Exists ignores the value while Equal
 * (or no operator) needs the same one. Validation keeps an empty key to Exists only.
 */
export function toleratesTaint(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case 'Exists':
      return true;
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false; // an operator this version does not know tolerates nothing
  }
}

/** TolerationsTolerateTaint: some toleration in the list tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** FindMatchingUntoleratedTaint: the first taint passing `include` that no toleration tolerates. */
export function findUntoleratedTaint<T extends Taint>(taints: readonly T[], tolerations: readonly Toleration[], include: (taint: T) => boolean = () => true): T | undefined {
  return taints.find((taint) => include(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** The pod's spec.tolerations (an empty list when it has none). */
export function podTolerations(pod: Pick<KubeObject, 'spec'>): Toleration[] {
  const t = pod.spec?.tolerations;
  return Array.isArray(t) ? (t.filter(isRecord) as Toleration[]) : [];
}

/** The node's spec.taints (an empty list when it has none). */
export function nodeTaints(node: Pick<KubeObject, 'spec'>): Taint[] {
  const t = node.spec?.taints;
  return Array.isArray(t) ? (t.filter(isRecord) as unknown as Taint[]) : [];
}
