// revisionHistoryLimit (sync.go cleanupDeployment): delete the oldest revisions beyond the
// limit, only once they are scaled to 0 and their status says so.
import { revisionOf, byCreation } from './replica-sets';
import type { SyncContext } from './sync-context';
import { rsReplicas, type ReplicaSet } from './types';

/** The old ReplicaSets to delete now. */
export function replicaSetsToClean(oldRSs: ReplicaSet[], revisionHistoryLimit: number | undefined): ReplicaSet[] {
  if (revisionHistoryLimit === undefined) return [];
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - revisionHistoryLimit;
  if (diff <= 0) return [];
  cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return cleanable.slice(0, diff).filter((rs) =>
    (rs.status?.replicas ?? 0) === 0 && rsReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}

export async function cleanupDeployment(ctx: SyncContext, oldRSs: ReplicaSet[]): Promise<void> {
  for (const rs of replicaSetsToClean(oldRSs, ctx.d.spec.revisionHistoryLimit)) await ctx.io.deleteReplicaSet(rs);
}
