// Informer handlers (addPod/updatePod/deletePod, updateJob/deleteJob in job_controller.go): pod
// events lower the owning Job's expectations before queueing it; a pod that still carries the
// tracking finalizer but whose Job is gone is queued as an orphan, so its finalizer goes.
//
// When (enqueueSyncJobImmediately / enqueueSyncJobBatched): a Job's creation, deletion and spec
// change sync it at once; pod events and status-only Job updates sync it `batchMs` later, so
// the events of one pod's short life, and the echo of the sync's own status write, are one
// sync instead of one each (a Job's sync count, and so its status writes, stay small).
import { getControllerOf, labelSelectorFromObject } from '@keelson/api';
import { keyOf, triggerMeta, type ControllerQueue, type EventInfo, type ItemMeta, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import type { JobExpectations } from './expectations';
import { ORPHAN_PREFIX } from './job-reconciler';
import { hasTrackingFinalizer } from './pod-state';
import type { Job, Pod } from './types';

export interface HandlerDeps {
  queue: ControllerQueue;
  jobs: ReadOnlyCache<Job>;
  pods: ReadOnlyCache<Pod>;
  expectations: JobExpectations;
  /** syncJobBatchPeriod (ms): how much later a pod event or a status-only update syncs the Job. */
  batchMs?: number;
}

export function jobHandler(deps: HandlerDeps): ResourceEventHandler<Job> {
  const { queue, pods, batchMs = 0 } = deps;
  return {
    onAdd: (job, info) => queue.enqueue(keyOf(job), triggerMeta(job, info)),
    onUpdate: (old, job, info) => {
      if (old.metadata.generation === job.metadata.generation) queue.enqueueAfter(keyOf(job), batchMs, triggerMeta(job, info));
      else queue.enqueue(keyOf(job), triggerMeta(job, info));
    },
    onDelete: (job, info) => {
      const meta = triggerMeta(job, info);
      queue.enqueue(keyOf(job), meta);
      // Its pods' finalizers must go: nobody will count them now.
      for (const p of pods.byOwnerUid(job.metadata.uid ?? '')) if (hasTrackingFinalizer(p)) queue.enqueue(ORPHAN_PREFIX + keyOf(p), meta);
    },
  };
}

export function podHandler(deps: HandlerDeps): ResourceEventHandler<Pod> {
  const { jobs, expectations, batchMs = 0 } = deps;
  // Every pod event syncs its Job batched; an add while a sync is already due does not move it.
  const batched = { enqueue: (key: string, meta?: ItemMeta) => deps.queue.enqueueAfter(key, batchMs, meta) };

  const jobRef = (pod: Pod) => {
    const ref = getControllerOf(pod);
    return ref && ref.kind === 'Job' && ref.apiVersion.startsWith('batch/') ? ref : undefined;
  };
  /** The key of the Job controlling the pod, if it is the one in the cache (same uid). */
  const ownerKey = (pod: Pod): string | undefined => {
    const ref = jobRef(pod);
    if (!ref) return undefined;
    const job = jobs.getByName(pod.metadata.namespace, ref.name);
    return job?.metadata.uid === ref.uid ? keyOf(job) : undefined;
  };
  const orphan = (pod: Pod, info: EventInfo): void => {
    if (hasTrackingFinalizer(pod)) deps.queue.enqueue(ORPHAN_PREFIX + keyOf(pod), triggerMeta(pod, info));
  };
  /** Orphans without a controllerRef: every Job whose selector matches may adopt them. */
  const enqueueMatching = (pod: Pod, info: EventInfo): void => {
    for (const job of jobs.byNamespace(pod.metadata.namespace ?? '')) {
      const sel = labelSelectorFromObject(job.spec?.selector);
      if (!sel.isEmpty() && sel.matches(pod.metadata.labels)) batched.enqueue(keyOf(job), triggerMeta(pod, info));
    }
  };

  return {
    onAdd: (pod, info) => {
      const key = ownerKey(pod);
      if (key) {
        expectations.creationObserved(key);
        if (pod.metadata.deletionTimestamp) expectations.deletionObserved(key, pod.metadata.uid!);
        batched.enqueue(key, triggerMeta(pod, info));
      } else if (jobRef(pod)) orphan(pod, info);
      else if (hasTrackingFinalizer(pod)) orphan(pod, info);
      else enqueueMatching(pod, info);
    },
    onUpdate: (old, pod, info) => {
      const key = ownerKey(pod);
      if (!key) {
        const oldKey = ownerKey(old);
        if (oldKey) batched.enqueue(oldKey, triggerMeta(pod, info)); // released
        if (jobRef(pod) || hasTrackingFinalizer(pod)) orphan(pod, info);
        else enqueueMatching(pod, info);
        return;
      }
      if (pod.metadata.deletionTimestamp) expectations.deletionObserved(key, pod.metadata.uid!);
      if (!hasTrackingFinalizer(pod)) expectations.finalizerRemovalObserved(key, pod.metadata.uid!);
      batched.enqueue(key, triggerMeta(pod, info));
    },
    onDelete: (pod, info) => {
      const key = ownerKey(pod);
      if (!key) return;
      expectations.deletionObserved(key, pod.metadata.uid!);
      expectations.finalizerRemovalObserved(key, pod.metadata.uid!);
      batched.enqueue(key, triggerMeta(pod, info));
    },
  };
}
