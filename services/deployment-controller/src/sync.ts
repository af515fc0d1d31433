// Status writes and the paused / scaling path (sync.go, progress.go): sync() scales and
// cleans without rolling out; syncRolloutStatus writes status and conditions and says when
// to come back for the progress deadline.
import { semanticEqual } from './canonical-json';
import { CONDITION, REASON, getCondition, newCondition, setCondition } from './conditions';
import { cleanupDeployment } from './cleanup';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set';
import { calculateStatus, hasProgressDeadline, rolloutStatus, stuckRequeueAfterMs } from './progress';
import { scale } from './proportional-scaling';
import { filterActive } from './replica-sets';
import { desiredReplicasAnnotation } from './revision';
import { copy, writeStatus, type SyncContext } from './sync-context';
import { desiredReplicas, type ReplicaSet } from './types';

/** What a sync asks of the work queue: come back after this many ms (progress deadline). */
export interface SyncResult {
  requeueAfterMs?: number;
}

/** Status and conditions from the ReplicaSets; written only when they changed. */
export async function syncRolloutStatus(ctx: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<SyncResult> {
  const status = rolloutStatus(allRSs, newRS, ctx.d, ctx.now());
  if (sameStatus(ctx.d.status, status)) return { requeueAfterMs: stuckRequeueAfterMs(ctx.d, status, ctx.now()) };
  await writeStatus(ctx, { ...copy(ctx.d), status });
  return {};
}

/** Status without touching the Progressing condition (the paused and scaling path). */
export async function syncDeploymentStatus(ctx: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(allRSs, newRS, ctx.d, ctx.now());
  if (sameStatus(ctx.d.status, status)) return;
  await writeStatus(ctx, { ...copy(ctx.d), status });
}

/** Scale and clean up, no rollout (paused, or a scaling event). */
export async function sync(ctx: SyncContext, rsList: ReplicaSet[]): Promise<SyncResult> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  await scale(ctx, newRS, oldRSs);
  if (ctx.d.spec.paused) await cleanupDeployment(ctx, oldRSs);
  // The writes above changed the ReplicaSets; status reads them again on their events.
  await syncDeploymentStatus(ctx, newRS ? [...oldRSs, newRS] : oldRSs, newRS);
  return {};
}

/** A scale (not a template change): some active ReplicaSet was sized for another replica count. */
export async function isScalingEvent(ctx: SyncContext, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  return filterActive([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(ctx.d);
  });
}

/** Progressing=Unknown DeploymentPaused / DeploymentResumed, unless the deadline was already reported. */
export async function checkPausedConditions(ctx: SyncContext): Promise<void> {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, CONDITION.progressing);
  if (cond?.reason === REASON.timedOut) return;
  const pausedCondExists = cond?.reason === REASON.paused;
  let next;
  if (d.spec.paused && !pausedCondExists) next = newCondition(CONDITION.progressing, 'Unknown', REASON.paused, 'Deployment is paused', ctx.now());
  else if (!d.spec.paused && pausedCondExists) next = newCondition(CONDITION.progressing, 'Unknown', REASON.resumed, 'Deployment is resumed', ctx.now());
  if (!next) return;
  const updated = copy(d);
  setCondition((updated.status ??= {}), next);
  await writeStatus(ctx, updated);
}

/** Unchanged conditions keep their timestamps, so equal statuses compare equal. */
const sameStatus = (a: unknown, b: unknown): boolean => semanticEqual(a, b);
