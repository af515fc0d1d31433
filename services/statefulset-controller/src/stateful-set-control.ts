// One sync of a StatefulSet's pods (updateStatefulSet in stateful_set_control.go), in upstream's
// order: count status; replace failed pods and create missing ones (ascending ordinals; with
// OrderedReady, one at a time and only once its predecessors are Running and Ready); delete
// condemned pods past spec.replicas (descending, one at a time for OrderedReady); then, for
// RollingUpdate, delete pods not at the update revision from the highest ordinal down to the
// partition, at most maxUnavailable unavailable at once. A deleted pod is recreated at the
// update revision by a later sync. OnDelete leaves that to the user.
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevision } from '@keelson/controller-runtime';
import type { StatefulPodControl } from './stateful-pod-control';
import {
  applyRevision, getOrdinal, identityMatches, isCreated, isFailed, isHealthy, isRunningAndAvailable, isRunningAndReady, isSucceeded,
  isTerminating, newVersionedStatefulSetPod, podInOrdinalRange, podRevision, replicasOf, startOrdinal, storageMatches, withIdentityAndStorage,
} from './stateful-set-utils';
import type { IntOrString, Pod, StatefulSet, StatefulSetStatus } from './types';

export interface SyncOutcome {
  status: StatefulSetStatus;
  /** Some pod is ready but not yet available (minReadySeconds): look again after this long. */
  requeueAfterMs?: number;
}

/** maxUnavailable of a rolling update, scaled against replicas and rounded up; at least 1. */
export function maxUnavailableOf(set: StatefulSet): number {
  const v: IntOrString | undefined = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  const replicas = replicasOf(set);
  let n = 1;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.endsWith('%')) n = Math.ceil((Number(v.slice(0, -1)) * replicas) / 100);
  return Math.max(1, n);
}

/** computeReplicaStatus: what the pods are, before this sync changes anything. */
export function replicaStatus(set: StatefulSet, pods: readonly Pod[], current: string, update: string, now = Date.now()): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const s: StatefulSetStatus = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (!isCreated(pod)) continue;
    s.replicas++;
    if (isRunningAndReady(pod)) s.readyReplicas!++;
    if (isRunningAndAvailable(pod, minReady, now)) s.availableReplicas!++;
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === current) s.currentReplicas!++;
    if (rev === update) s.updatedReplicas!++;
  }
  return s;
}

export class StatefulSetControl {
  constructor(private readonly pods: StatefulPodControl) {}

  async updateStatefulSet(
    set: StatefulSet, currentRevision: ControllerRevision, updateRevision: ControllerRevision, collisionCount: number, pods: readonly Pod[], signal?: AbortSignal,
  ): Promise<SyncOutcome> {
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const current = currentRevision.metadata.name!;
    const update = updateRevision.metadata.name!;
    const now = Date.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      ...replicaStatus(set, pods, current, update, now),
      observedGeneration: set.metadata.generation, currentRevision: current, updateRevision: update, collisionCount,
    };
    const outcome: SyncOutcome = { status };
    if (pods.some((p) => isRunningAndReady(p) && !isRunningAndAvailable(p, minReady, now))) outcome.requeueAfterMs = minReady * 1000 + 100;

    const replicaCount = replicasOf(set);
    const start = startOrdinal(set);
    const replicas: Pod[] = new Array<Pod>(replicaCount);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
    }
    for (let i = 0; i < replicaCount; i++) {
      replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, current, update, start + i);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
    const firstUnhealthy = [...replicas, ...condemned].find((p) => !isHealthy(p));

    if (set.metadata.deletionTimestamp) return outcome;
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';

    // The retention policy's owner references, before any condemned pod goes.
    for (const pod of [...replicas, ...condemned]) if (isCreated(pod)) await this.pods.updateClaimOwners(set, pod, signal);

    for (let i = 0; i < replicaCount; i++) {
      const pod = replicas[i];
      if (isFailed(pod) || isSucceeded(pod)) {
        // Recreated by a later sync once it is gone from the API.
        if (!isTerminating(pod)) await this.pods.deleteStatefulPod(set, pod, signal);
        if (monotonic) return outcome;
        continue;
      }
      if (!isCreated(pod)) {
        await this.pods.createStatefulPod(set, pod, signal);
        status.replicas++;
        if (podRevision(pod) === current) status.currentReplicas!++;
        if (podRevision(pod) === update) status.updatedReplicas!++;
        if (monotonic) return outcome;
        continue;
      }
      if (isTerminating(pod)) {
        if (monotonic) return outcome;
        continue;
      }
      if (!isRunningAndAvailable(pod, minReady, now) && monotonic) return outcome;
      if (identityMatches(set, pod) && storageMatches(set, pod)) continue;
      await this.pods.updateStatefulPod(set, withIdentityAndStorage(set, pod), signal);
    }

    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return outcome;
        continue;
      }
      // OrderedReady scales down only while everything else is healthy (or this pod is the one that is not).
      if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy) return outcome;
      await this.pods.deleteStatefulPod(set, pod, signal);
      if (podRevision(pod) === current) status.currentReplicas!--;
      if (podRevision(pod) === update) status.updatedReplicas!--;
      if (monotonic) return outcome;
    }

    const strategy = set.spec?.updateStrategy;
    if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return outcome;
    // Partition counts from the first ordinal: replicas[partition..] are updated.
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    if (strategy?.rollingUpdate?.maxUnavailable === undefined) {
      // One pod at a time, highest ordinal first; each must be healthy before the next goes.
      for (let target = replicas.length - 1; target >= partition; target--) {
        const pod = replicas[target];
        if (podRevision(pod) !== update && !isTerminating(pod)) {
          await this.pods.deleteStatefulPod(set, pod, signal);
          if (podRevision(pod) === current) status.currentReplicas!--;
          return outcome;
        }
        if (!isHealthy(pod)) return outcome;
      }
      return outcome;
    }
    // maxUnavailable: every unavailable replica counts against it; outdated pods go top down.
    let unavailable = replicas.filter((p) => !isHealthy(p) || !isRunningAndAvailable(p, minReady, now)).length;
    const maxUnavailable = maxUnavailableOf(set);
    for (let target = replicas.length - 1; target >= partition && unavailable < maxUnavailable; target--) {
      const pod = replicas[target];
      if (podRevision(pod) === update || isTerminating(pod) || !isCreated(pod)) continue;
      await this.pods.deleteStatefulPod(set, pod, signal);
      if (podRevision(pod) === current) status.currentReplicas!--;
      if (isHealthy(pod)) unavailable++;
    }
    return outcome;
  }
}

/**
 * completeRollingUpdate: once every replica is updated and ready, the update revision becomes
 * the current one.
 */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

export { CONTROLLER_REVISION_HASH_LABEL };
