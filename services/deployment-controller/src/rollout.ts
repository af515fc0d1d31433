// One rollout step for a Deployment that is neither paused nor only scaling (rolling.go
// rolloutRolling, and the strategy switch of syncDeployment).
import { cleanupDeployment } from './cleanup';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set';
import { deploymentComplete } from './progress';
import { rolloutRecreate } from './recreate';
import { filterActive } from './replica-sets';
import { isRollingUpdate } from './rollout-bounds';
import { reconcileNewReplicaSet, reconcileOldReplicaSets } from './rolling-update';
import { syncRolloutStatus, type SyncResult } from './sync';
import type { SyncContext } from './sync-context';
import type { ReplicaSet } from './types';

export async function rolloutRolling(ctx: SyncContext, rsList: ReplicaSet[]): Promise<SyncResult> {
  const found = await getAllReplicaSetsAndSyncRevision(ctx, rsList, true);
  const oldRSs = found.oldRSs;
  let newRS = found.newRS!;
  const up = await reconcileNewReplicaSet(ctx, [...oldRSs, newRS], newRS);
  newRS = up.newRS;
  if (up.scaled) return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS);

  const scaledDown = await reconcileOldReplicaSets(ctx, [...oldRSs, newRS], filterActive(oldRSs), newRS);
  if (scaledDown) return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS);

  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS);
}

export function rollout(ctx: SyncContext, rsList: ReplicaSet[]): Promise<SyncResult> {
  return isRollingUpdate(ctx.d) ? rolloutRolling(ctx, rsList) : rolloutRecreate(ctx, rsList);
}
