// Scaling one ReplicaSet (sync.go scaleReplicaSet): spec.replicas plus the desired/max
// replica annotations in one write, and the ScalingReplicaSet Event in Kubernetes' words.
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './revision';
import { maxSurge } from './rollout-bounds';
import { copy, type SyncContext } from './sync-context';
import { desiredReplicas, rsReplicas, type ReplicaSet } from './types';

export interface ScaleResult {
  scaled: boolean;
  rs: ReplicaSet;
}

export async function scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, newScale: number, operation: 'up' | 'down'): Promise<ScaleResult> {
  const d = ctx.d;
  const desired = desiredReplicas(d);
  const max = desired + maxSurge(d);
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const next = copy(rs);
  next.spec.replicas = newScale;
  setReplicasAnnotations(next, desired, max);
  const updated = await ctx.io.updateReplicaSet(next);
  if (sizeNeedsUpdate) {
    ctx.io.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${rsReplicas(rs)} to ${newScale}`);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

/** Scales only when the size differs (scaleReplicaSetAndRecordEvent). */
export async function scaleReplicaSetAndRecordEvent(ctx: SyncContext, rs: ReplicaSet, newScale: number): Promise<ScaleResult> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, rsReplicas(rs) < newScale ? 'up' : 'down');
}
