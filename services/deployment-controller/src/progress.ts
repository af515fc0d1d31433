// Status and progress (sync.go calculateStatus, progress.go syncRolloutStatus): replica
// counts from the ReplicaSets, the Available condition from maxUnavailable, and the
// Progressing condition that reports a stuck rollout after progressDeadlineSeconds.
import { CONDITION, REASON, getCondition, newCondition, removeCondition, setCondition } from './conditions';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-sets';
import { maxUnavailable } from './rollout-bounds';
import { desiredReplicas, type Deployment, type DeploymentCondition, type DeploymentStatus, type ReplicaSet } from './types';

const NO_DEADLINE = 2147483647; // math.MaxInt32 disables the deadline

export const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== NO_DEADLINE;

export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now = new Date()): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(CONDITION.available, 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(CONDITION.available, 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica updated and available, and this generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = desiredReplicas(d);
  return s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** More updated, ready or available pods, or fewer old pods, than the last status said. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now = new Date()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, CONDITION.progressing);
  if (!cond || cond.reason === REASON.newRSAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return from + d.spec.progressDeadlineSeconds! * 1000 < now.getTime();
}

/** The status syncRolloutStatus writes (the caller compares it with the current one). */
export function rolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now = new Date()): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(s, CONDITION.progressing);
  const current = getCondition(d.status, CONDITION.progressing);
  const complete = s.replicas === s.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition(CONDITION.progressing, 'True', REASON.newRSAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, s)) {
      // Progress refreshes lastUpdateTime even with the same reason (what the deadline counts from).
      const cond: DeploymentCondition = newCondition(CONDITION.progressing, 'True', REASON.replicaSetUpdated, `${subject} is progressing.`, now);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(s, CONDITION.progressing);
      setCondition(s, cond);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition(CONDITION.progressing, 'False', REASON.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(s, failure);
  else removeCondition(s, CONDITION.replicaFailure);
  return s;
}

/** The new ReplicaSet's ReplicaFailure condition, else the first old one's (getReplicaFailures). */
function replicaFailure(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const failureOf = (rs: ReplicaSet): DeploymentCondition | undefined => {
    const c = rs.status?.conditions?.find((x) => x.type === CONDITION.replicaFailure);
    return c && { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  };
  if (newRS) {
    const f = failureOf(newRS);
    if (f) return f;
  }
  for (const rs of allRSs) {
    if (rs === newRS) continue;
    const f = failureOf(rs);
    if (f) return f;
  }
  return undefined;
}

/** When to look again so a stuck rollout is reported at its deadline (requeueStuckDeployment); undefined = not needed. */
export function stuckRequeueAfterMs(d: Deployment, s: DeploymentStatus, now = new Date()): number | undefined {
  const cond = getCondition(s, CONDITION.progressing);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, s) || cond.reason === REASON.timedOut) return undefined;
  const after = Date.parse(cond.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds! * 1000 - now.getTime();
  return after < 1000 ? 0 : after + 1000;
}
