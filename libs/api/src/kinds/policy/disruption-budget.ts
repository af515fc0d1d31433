// What a PodDisruptionBudget allows right now, computed the way kube's disruption
// controller fills `pdb.status` (pkg/controller/disruption): expected pods, healthy pods,
// the desired minimum, and the disruptions left. Keelson has no disruption controller yet,
// so the eviction subresource computes this from the pods themselves when it is asked.

import { metaTime } from '../../meta-time';
import type { KubeObject } from '../../types';
import { percentValue } from '../../validation/workloads';
import { arr, rec, str } from '../../validation/field-errors';
import { selectorIsEmpty, selectorMatches } from '../../validation/metadata';

/** How long an eviction's `disruptedPods` entry keeps its pod out of the healthy count (kube's DeletionTimeout). */
export const DISRUPTED_POD_TIMEOUT_MS = 2 * 60 * 1000;

export interface BudgetAssessment {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

/** The PDB's selector selects the pod: same namespace, and an empty selector selects nothing here. */
export function budgetSelects(pdb: KubeObject, pod: KubeObject): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  const selector = rec(rec(pdb.spec)?.selector);
  if (!selector || selectorIsEmpty(selector)) return false;
  return selectorMatches(selector, pod.metadata.labels ?? {});
}

/** podutil.IsPodReady. */
export function isPodReady(pod: KubeObject): boolean {
  return arr(rec(pod.status)?.conditions).some((c) => str(rec(c)?.type) === 'Ready' && str(rec(c)?.status) === 'True');
}

/** intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true). */
function scaled(v: unknown, total: number): number {
  if (typeof v === 'number') return v;
  const pct = percentValue(v);
  return pct === undefined ? 0 : Math.ceil((pct * total) / 100);
}

/**
 * `pods` are the pods the budget selects; `expectedScale` is the summed scale of their
 * controllers (what kube reads from Deployments, ReplicaSets and StatefulSets), or
 * undefined when some pod has no known controller, in which case the pods present count.
 */
export function assessBudget(pdb: KubeObject, pods: KubeObject[], expectedScale: number | undefined, now: Date): BudgetAssessment {
  const spec = rec(pdb.spec) ?? {};
  const disrupted = rec(rec(pdb.status)?.disruptedPods) ?? {};
  let expectedPods = 0;
  let desiredHealthy = 0;
  if (spec.maxUnavailable != null) {
    expectedPods = expectedScale ?? pods.length;
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
  } else if (spec.minAvailable != null) {
    if (typeof spec.minAvailable === 'number') {
      expectedPods = pods.length;
      desiredHealthy = spec.minAvailable;
    } else {
      expectedPods = expectedScale ?? pods.length;
      desiredHealthy = scaled(spec.minAvailable, expectedPods);
    }
  }
  // A pod an eviction let through still counts as disrupted until it is seen terminating.
  const recentlyEvicted = (name: string): boolean => {
    const at = Date.parse(String(disrupted[name] ?? ''));
    return !Number.isNaN(at) && now.getTime() - at < DISRUPTED_POD_TIMEOUT_MS;
  };
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !recentlyEvicted(p.metadata.name ?? '') && isPodReady(p)).length;
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/**
 * The PDB status after one more eviction of `podName` (checkAndDecrement plus what the
 * disruption controller would have written): counts, the pod in `disruptedPods`, the
 * DisruptionAllowed condition. Entries for pods gone or timed out are dropped.
 */
export function statusAfterEviction(pdb: KubeObject, assessment: BudgetAssessment, podName: string, livePods: Set<string>, now: Date): Record<string, unknown> {
  const status = rec(pdb.status) ?? {};
  const stamp = metaTime(now);
  const disruptedPods: Record<string, string> = {};
  for (const [name, at] of Object.entries(rec(status.disruptedPods) ?? {})) {
    const t = Date.parse(String(at));
    if (livePods.has(name) && !Number.isNaN(t) && now.getTime() - t < DISRUPTED_POD_TIMEOUT_MS) disruptedPods[name] = String(at);
  }
  disruptedPods[podName] = stamp;
  const allowed = assessment.disruptionsAllowed - 1;
  const previous = arr(status.conditions).map((c) => rec(c) ?? {}).find((c) => c.type === 'DisruptionAllowed');
  const conditionStatus = allowed > 0 ? 'True' : 'False';
  const condition = {
    type: 'DisruptionAllowed',
    status: conditionStatus,
    reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
    message: '',
    observedGeneration: pdb.metadata.generation ?? 1,
    lastTransitionTime: previous && previous.status === conditionStatus && typeof previous.lastTransitionTime === 'string' ? previous.lastTransitionTime : stamp,
  };
  return {
    ...status,
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptedPods,
    disruptionsAllowed: allowed,
    currentHealthy: assessment.currentHealthy,
    desiredHealthy: assessment.desiredHealthy,
    expectedPods: assessment.expectedPods,
    conditions: [...arr(status.conditions).filter((c) => rec(c)?.type !== 'DisruptionAllowed'), condition],
  };
}
