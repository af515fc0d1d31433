// Creating, deleting and releasing a Job's pods through the API, with the Events Kubernetes'
// job controller records (SuccessfulCreate/FailedCreate, SuccessfulDelete/FailedDelete).
import { copyJson, newControllerRef } from '@keelson/api';
import { isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { EventRecorder } from '@keelson/controller-runtime';
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, JOB_KIND, JOB_TRACKING_FINALIZER, PODS, type Container, type Job, type Pod } from './types';

/**
 * The pod the Job's template describes, with the tracking finalizer; an Indexed Job's pod carries
 * its index (annotation, label, JOB_COMPLETION_INDEX from the annotation, hostname `<job>-<index>`).
 */
export function podForJob(job: Job, index?: number): Pod {
  const tmeta = job.spec?.template?.metadata ?? {};
  const spec = copyJson(job.spec?.template?.spec ?? {});
  const name = job.metadata.name!;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels: { ...(tmeta.labels ?? {}) },
      annotations: { ...(tmeta.annotations ?? {}) },
      finalizers: [...new Set([...(tmeta.finalizers ?? []), JOB_TRACKING_FINALIZER])],
      ownerReferences: [newControllerRef(job, JOB_KIND)],
    },
    spec,
  };
  if (index !== undefined) {
    pod.metadata.annotations![COMPLETION_INDEX_ANNOTATION] = String(index);
    pod.metadata.labels![COMPLETION_INDEX_ANNOTATION] = String(index);
    const withEnv = (c: Container): Container => (c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)
      ? c
      : { ...c, env: [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } }] };
    spec.containers = (spec.containers ?? []).map(withEnv);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withEnv);
    if (!spec.hostname) spec.hostname = `${name}-${index}`;
  }
  if (!Object.keys(pod.metadata.annotations!).length) delete pod.metadata.annotations;
  return pod;
}

export class PodControl {
  constructor(
    private readonly client: Pick<KeelsonClient, 'create' | 'delete' | 'patch' | 'get'>,
    private readonly recorder: Pick<EventRecorder, 'event'>,
  ) {}

  async createPod(job: Job, index: number | undefined, signal?: AbortSignal): Promise<Pod> {
    try {
      const created = await this.client.create(PODS, podForJob(job, index), { signal });
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      if (!signal?.aborted) this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** Deletes the pod (background); false when it was already gone. */
  async deletePod(job: Job, pod: Pod, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid }, propagationPolicy: 'Background', signal });
      this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!signal?.aborted) this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`);
      throw err;
    }
  }

  /**
   * Removes the tracking finalizer (removeTrackingFinalizerPatch): a strategic merge patch that
   * deletes just that entry from the list, so finalizers others add meanwhile stay and no
   * resourceVersion is needed — one request, never a 409 and a re-read. A pod already gone, or
   * without the finalizer, is done.
   */
  async removeTrackingFinalizer(pod: Pod, signal?: AbortSignal): Promise<void> {
    if (!(pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) return;
    try {
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, {
        metadata: { uid: pod.metadata.uid, [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] },
      }, { type: 'strategic', signal });
    } catch (err) {
      if (isNotFound(err)) return;
      // The uid is a precondition: a 409 may mean the name now holds another pod (ours is gone).
      if (isConflict(err) && !(await this.samePodExists(pod, signal))) return;
      throw err;
    }
  }

  private async samePodExists(pod: Pod, signal?: AbortSignal): Promise<boolean> {
    try {
      return (await this.client.get<Pod>(PODS, pod.metadata.namespace, pod.metadata.name!, { signal })).metadata.uid === pod.metadata.uid;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
