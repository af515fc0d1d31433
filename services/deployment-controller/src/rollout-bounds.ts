// maxSurge / maxUnavailable as Kubernetes resolves them (intstr.GetScaledValueFromIntOrPercent
// and deployment_util.ResolveFenceposts): percentages of spec.replicas, surge rounded up,
// unavailable rounded down, and never both 0 (unavailable becomes 1 so a rollout can move).
import { desiredReplicas, type Deployment, type IntOrString } from './types';

export class InvalidIntOrPercentError extends Error {}

export function scaledValueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new InvalidIntOrPercentError(`invalid value for IntOrString: invalid type: string is not a percentage: ${v}`);
  const pct = Number(v.slice(0, -1));
  if (!Number.isInteger(pct)) throw new InvalidIntOrPercentError(`invalid value for IntOrString: ${v}`);
  const scaled = (pct * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Pods the rollout may add above spec.replicas (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

/** Pods that may be unavailable during the rollout (0 for Recreate or 0 replicas; at most replicas). */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable, replicas);
}
