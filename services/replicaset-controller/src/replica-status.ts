// ReplicaSet status from its pods (calculateStatus in replica_set_utils.go), and the
// ReplicaFailure condition: set when managing replicas failed, removed once it succeeds.
import { labelSelectorFromSet, metaTime } from '@keelson/api';
import { isPodAvailable, isPodReady } from './pod-state';
import { REPLICA_FAILURE, type Pod, type ReplicaSet, type ReplicaSetCondition, type ReplicaSetStatus } from './types';

/** Why managing replicas failed: the failed operation and the API's message. */
export class ManageReplicasError extends Error {
  constructor(
    readonly reason: 'FailedCreate' | 'FailedDelete',
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ManageReplicasError';
  }
}

/** `pods`: the active pods the ReplicaSet owns (after adoption and release). */
export function calculateStatus(rs: ReplicaSet, pods: Pod[], manageError: ManageReplicasError | undefined, now = Date.now()): ReplicaSetStatus {
  const templateLabels = labelSelectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  let conditions = rs.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const cond: ReplicaSetCondition = {
      type: REPLICA_FAILURE, status: 'True', lastTransitionTime: metaTime(now), reason: manageError.reason, message: manageError.message,
    };
    conditions = [...conditions, cond];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when writing `next` (with the current generation) would change nothing. */
export function statusUnchanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status;
  if (!cur) return false;
  return (cur.replicas ?? 0) === next.replicas
    && (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0)
    && (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0)
    && (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0)
    && cur.observedGeneration === rs.metadata.generation
    && JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? []);
}

/**
 * When pods are ready but not yet available, the sync to run after `minReadySeconds` so
 * availableReplicas catches up (no pod event will come to trigger it).
 */
export function availabilityRecheckMs(rs: ReplicaSet, status: ReplicaSetStatus): number | undefined {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const replicas = rs.spec?.replicas ?? 1;
  if (minReadySeconds > 0 && status.readyReplicas === replicas && status.availableReplicas !== replicas) return minReadySeconds * 1000;
  return undefined;
}
