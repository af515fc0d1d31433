// What the job-controller reads off a pod and a Job (job_controller.go, pkg/controller/job/util):
// terminal phases, readiness, the tracking finalizer, when a pod finished, and the Job's
// conditions. Pure functions of the objects.
import { JOB_TRACKING_FINALIZER, type Job, type JobCondition, type Pod } from './types';

export const isPodSucceeded = (p: Pod): boolean => p.status?.phase === 'Succeeded';
export const isPodTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** Counted in status.active: running or pending, not being deleted. */
export const isPodActive = (p: Pod): boolean => !isPodTerminal(p) && !p.metadata.deletionTimestamp;
/** Counted in status.terminating: being deleted, not yet in a terminal phase. */
export const isPodTerminating = (p: Pod): boolean => !isPodTerminal(p) && !!p.metadata.deletionTimestamp;
export const hasTrackingFinalizer = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * onlyReplaceFailedPods: with podReplacementPolicy Failed (implied by a podFailurePolicy) a
 * terminating pod is not replaced, and not failed, until it reaches the Failed phase.
 */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy != null;
}

/**
 * isPodFailed: the Failed phase; otherwise (unless only failed pods are replaced) a pod deleted
 * before it succeeded counts as failed too, so orphans that never reach a phase are not lost.
 */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** getFinishedTime: the latest container finish, else the pod's deletion or now. */
export function podFinishedAt(p: Pod, now: number): number {
  let latest = 0;
  for (const cs of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const at = Date.parse(cs.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(at) && at > latest) latest = at;
  }
  if (latest) return latest;
  const deleted = Date.parse(p.metadata.deletionTimestamp ?? '');
  return Number.isNaN(deleted) ? now : Math.min(deleted, now);
}

/** Container restarts of a pod (they count against backoffLimit with restartPolicy OnFailure). */
export function podRestarts(p: Pod): number {
  let n = 0;
  for (const cs of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) n += cs.restartCount ?? 0;
  return n;
}

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** IsJobFinished: Complete or Failed is True. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return findCondition(job, 'Complete') ?? findCondition(job, 'Failed');
}

/** When the Job finished (its completionTime, else its finished condition's transition). */
export function jobFinishedAt(job: Job): number | undefined {
  const cond = finishedCondition(job);
  if (!cond) return undefined;
  const at = Date.parse(job.status?.completionTime ?? cond.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/**
 * Sets a condition as upstream's ensureJobConditionStatus does: an existing one of the type
 * changes (and gets a new transition time) only when status, reason or message change.
 */
export function setCondition(conditions: JobCondition[], next: Omit<JobCondition, 'lastProbeTime' | 'lastTransitionTime'>, now: string): JobCondition[] {
  const out = conditions.map((c) => ({ ...c }));
  const i = out.findIndex((c) => c.type === next.type);
  if (i < 0) {
    if (next.status !== 'True') return out; // a False condition of a type never set is not added
    out.push({ ...next, lastProbeTime: now, lastTransitionTime: now });
    return out;
  }
  const cur = out[i];
  if (cur.status === next.status && cur.reason === next.reason && cur.message === next.message) return out;
  out[i] = { ...next, lastProbeTime: now, lastTransitionTime: cur.status !== next.status ? now : cur.lastTransitionTime ?? now };
  return out;
}
