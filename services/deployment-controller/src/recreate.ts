// Recreate (recreate.go): scale every old ReplicaSet to 0, wait until their pods are gone,
// then create or scale up the new ReplicaSet to spec.replicas.
// Old pods are judged from the old ReplicaSets' status (replicas counted by the replicaset
// controller, for the generation it observed) rather than from a pod informer.
import { cleanupDeployment } from './cleanup';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set';
import { deploymentComplete } from './progress';
import { filterActive } from './replica-sets';
import { scaleReplicaSetAndRecordEvent } from './scale-replica-set';
import { syncRolloutStatus, type SyncResult } from './sync';
import type { SyncContext } from './sync-context';
import { desiredReplicas, type ReplicaSet } from './types';

/** Some old ReplicaSet may still have pods (or has not yet observed its scale-down). */
export function oldPodsRunning(oldRSs: ReplicaSet[]): boolean {
  return oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0 || (rs.status?.observedGeneration ?? 0) < (rs.metadata.generation ?? 0));
}

export async function rolloutRecreate(ctx: SyncContext, rsList: ReplicaSet[]): Promise<SyncResult> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  const all = (): ReplicaSet[] => (newRS ? [...oldRSs, newRS] : oldRSs);

  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(ctx, rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(ctx, all(), newRS);
  if (oldPodsRunning(oldRSs)) return syncRolloutStatus(ctx, all(), newRS);

  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, rsList, true));
  if (newRS) newRS = (await scaleReplicaSetAndRecordEvent(ctx, newRS, desiredReplicas(ctx.d))).rs;
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, all(), newRS);
}
