// RollingUpdate (rolling.go): scale the new ReplicaSet up within maxSurge, scale old ones
// down within maxUnavailable (unhealthy replicas first), one step per reconcile; ReplicaSet
// status changes bring the next step.
import { availableReplicaCount, byCreation, filterActive, replicaCount } from './replica-sets';
import { isRollingUpdate, maxSurge, maxUnavailable } from './rollout-bounds';
import { scaleReplicaSetAndRecordEvent } from './scale-replica-set';
import type { SyncContext } from './sync-context';
import { desiredReplicas, rsReplicas, type Deployment, type ReplicaSet } from './types';

/** The new ReplicaSet's next size: as far up as maxSurge allows (NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const replicas = desiredReplicas(d);
  const maxTotalPods = replicas + maxSurge(d);
  const currentPodCount = replicaCount(allRSs);
  if (currentPodCount >= maxTotalPods) return rsReplicas(newRS);
  const scaleUpCount = Math.min(maxTotalPods - currentPodCount, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + scaleUpCount;
}

export async function reconcileNewReplicaSet(ctx: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<{ scaled: boolean; newRS: ReplicaSet }> {
  const replicas = desiredReplicas(ctx.d);
  if (rsReplicas(newRS) === replicas) return { scaled: false, newRS };
  const target = rsReplicas(newRS) > replicas ? replicas : newRSNewReplicas(ctx.d, allRSs, newRS);
  const r = await scaleReplicaSetAndRecordEvent(ctx, newRS, target);
  return { scaled: r.scaled, newRS: r.rs };
}

/** How many old replicas may go now without breaking minAvailable, counting the new RS's unavailable pods. */
export function maxScaledDown(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newRSUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return replicaCount(allRSs) - minAvailable - newRSUnavailable;
}

export async function reconcileOldReplicaSets(ctx: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const budget = maxScaledDown(ctx.d, allRSs, newRS);
  if (budget <= 0) return false;
  // Unhealthy old replicas go first: removing them costs no availability.
  const cleaned = await cleanupUnhealthyReplicas(ctx, oldRSs, budget);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(ctx, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** Scales old ReplicaSets down by their unavailable replicas, oldest first, at most `maxCleanupCount` in all. */
export async function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: ReplicaSet[], maxCleanupCount: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const out = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < out.length; i++) {
    if (total >= maxCleanupCount) break;
    const rs = out[i];
    const unavailable = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (rsReplicas(rs) === 0 || unavailable <= 0) continue;
    const n = Math.min(maxCleanupCount - total, unavailable);
    out[i] = (await scaleReplicaSetAndRecordEvent(ctx, rs, rsReplicas(rs) - n)).rs;
    total += n;
  }
  return { oldRSs: out, count: total };
}

/** Scales old ReplicaSets down, oldest first, while availability stays above minAvailable. */
export async function scaleDownOldReplicaSetsForRollingUpdate(ctx: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = desiredReplicas(ctx.d) - maxUnavailable(ctx.d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const totalScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of filterActive(oldRSs).sort(byCreation)) {
    if (total >= totalScaleDown) break;
    const n = Math.min(rsReplicas(rs), totalScaleDown - total);
    await scaleReplicaSetAndRecordEvent(ctx, rs, rsReplicas(rs) - n);
    total += n;
  }
  return total;
}
