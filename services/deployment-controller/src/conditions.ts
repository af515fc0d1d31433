// Deployment conditions (deployment_util.go): types, reasons, and set/remove that keep
// lastTransitionTime while the status stays the same.
import { metaTime } from '@keelson/api';
import type { ConditionStatus, DeploymentCondition, DeploymentStatus } from './types';

export const CONDITION = { available: 'Available', progressing: 'Progressing', replicaFailure: 'ReplicaFailure' } as const;

export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, now = new Date()): DeploymentCondition {
  const t = metaTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export const getCondition = (status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined =>
  status?.conditions?.find((c) => c.type === type);

/** Adds or replaces `cond`; a no-op when status and reason are unchanged. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = current && current.status === cond.status ? { ...cond, lastTransitionTime: current.lastTransitionTime } : cond;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}
