// Scaling a Deployment whose replicas changed (sync.go scale): with one active ReplicaSet it
// takes the new size; mid-rollout, the added or removed replicas are spread over the active
// ReplicaSets in proportion to their size (getProportion), the rounding leftover going to
// the largest, so a rollout keeps its shape (and its surge bound) while scaling.
import { maxReplicasAnnotation, desiredReplicasAnnotation } from './revision';
import { byCreation, filterActive, findActiveOrLatest, replicaCount } from './replica-sets';
import { isRollingUpdate, maxSurge } from './rollout-bounds';
import { scaleReplicaSet, scaleReplicaSetAndRecordEvent } from './scale-replica-set';
import type { SyncContext } from './sync-context';
import { desiredReplicas, rsReplicas, type Deployment, type ReplicaSet } from './types';

/** Replicas `rs` should gain (or lose, negative) for its share of the Deployment's new size. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Go's math.Round rounds half away from zero.
  const size = (rsReplicas(rs) * deploymentReplicas) / annotated;
  return Math.sign(size) * Math.round(Math.abs(size)) - rsReplicas(rs);
}

export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** New sizes of the active ReplicaSets for a mid-rollout scale (pure; by name). */
export function proportionalSizes(d: Deployment, active: ReplicaSet[]): Map<string, number> {
  const allowedSize = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - replicaCount(active);
  const sorted = [...active];
  // Larger first; on ties the newer one grows first and the older one shrinks first.
  if (toAdd > 0) sorted.sort((a, b) => rsReplicas(b) - rsReplicas(a) || -byCreation(a, b));
  else if (toAdd < 0) sorted.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(a, b));
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    const p = toAdd !== 0 ? getProportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata.name!, rsReplicas(rs) + p);
    added += p;
  }
  if (toAdd !== 0 && sorted.length > 0) {
    const first = sorted[0].metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}

/** Saturated: the new RS has all desired replicas, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  return desiredReplicasAnnotation(rs) === desiredReplicas(d) && rsReplicas(rs) === desiredReplicas(d) && (rs.status?.availableReplicas ?? 0) === desiredReplicas(d);
}

export async function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const d = ctx.d;
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (rsReplicas(only) !== desiredReplicas(d)) await scaleReplicaSetAndRecordEvent(ctx, only, desiredReplicas(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(ctx, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const active = filterActive([...oldRSs, newRS]);
  const toAdd = (desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0) - replicaCount(active);
  const sizes = proportionalSizes(d, active);
  for (const rs of active) await scaleReplicaSet(ctx, rs, sizes.get(rs.metadata.name!)!, toAdd > 0 ? 'up' : 'down');
}
