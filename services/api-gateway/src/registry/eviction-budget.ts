// checkAndDecrement of kube's eviction REST (pkg/registry/core/pod/storage/eviction.go) for a
// budget the disruption-controller keeps: the eviction trusts pdb.status (written by the
// controller from the pods and their controllers' scale), spends one disruption and records
// the pod in status.disruptedPods until the controller sees it go. The caller writes the result
// with the PDB's resourceVersion as precondition, so two evictions cannot spend one disruption.
import { ApiError, errors, isPodReady, isRecord, metaTime, type KubeObject } from '@keelson/api';

/** MaxDisruptedPodSize: evictions the controller has not yet confirmed. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 with the DisruptionBudget cause kubectl drain retries on. */
export function budgetViolation(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATION, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The disruption-controller has computed this budget's status at least once. */
export function observedByController(pdb: KubeObject): boolean {
  return isRecord(pdb.status) && typeof pdb.status.observedGeneration === 'number';
}

/** The leader Lease the disruption-controller holds while it runs (controller-runtime's election). */
export const DISRUPTION_CONTROLLER_LEASE = { namespace: 'kube-system', name: 'disruption-controller' };

/**
 * A disruption-controller is keeping budgets current: its Lease is held and was renewed within
 * its duration. Without one, nothing would ever give a spent disruption back, so the eviction
 * computes the budget itself instead of trusting a status that may be stale.
 */
export function controllerLeaseLive(lease: KubeObject | undefined, now: Date): boolean {
  const spec = isRecord(lease?.spec) ? lease.spec : undefined;
  if (!spec || typeof spec.holderIdentity !== 'string' || !spec.holderIdentity) return false;
  const renewed = Date.parse(String(spec.renewTime ?? ''));
  const duration = typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 15;
  return !Number.isNaN(renewed) && now.getTime() - renewed <= duration * 1000;
}

export type BudgetDecision = { kind: 'spend'; next: KubeObject } | { kind: 'deleteUnhealthy' };

/**
 * What evicting `pod` does to `pdb` per its status: an unready pod is deleted without spending
 * (AlwaysAllow, or IfHealthyBudget while the budget is met); otherwise one disruption is spent
 * or the eviction is refused with kube's 429 (or 403 for a corrupt status).
 */
export function decideFromStatus(pdb: KubeObject, pod: KubeObject, now: Date): BudgetDecision {
  const status = isRecord(pdb.status) ? pdb.status : {};
  const spec = isRecord(pdb.spec) ? pdb.spec : {};
  const name = pdb.metadata.name ?? '';
  const current = num(status.currentHealthy);
  const desired = num(status.desiredHealthy);
  const observed = num(status.observedGeneration) >= (pdb.metadata.generation ?? 1);
  if (!isPodReady(pod) && observed) {
    if (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { kind: 'deleteUnhealthy' };
    if (current >= desired && desired > 0) return { kind: 'deleteUnhealthy' };
  }
  if (!observed) throw budgetViolation(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = num(status.disruptionsAllowed);
  if (allowed < 0) throw errors.forbidden('pdb disruptions allowed is negative');
  const disrupted = isRecord(status.disruptedPods) ? status.disruptedPods : {};
  if (Object.keys(disrupted).length > MAX_DISRUPTED_POD_SIZE) throw errors.forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw budgetViolation(`The disruption budget ${name} needs ${desired} healthy pods and has ${current} currently`);
  const left = allowed - 1;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const nextConditions = left > 0 ? conditions : [
    ...conditions.filter((c) => c.type !== 'DisruptionAllowed'),
    {
      type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '',
      observedGeneration: pdb.metadata.generation ?? 1,
      lastTransitionTime: conditions.find((c) => c.type === 'DisruptionAllowed' && c.status === 'False')?.lastTransitionTime ?? metaTime(now),
    },
  ];
  const next: KubeObject = {
    ...pdb,
    status: { ...status, disruptionsAllowed: left, disruptedPods: { ...disrupted, [pod.metadata.name ?? '']: metaTime(now) }, conditions: nextConditions },
  };
  return { kind: 'spend', next };
}
