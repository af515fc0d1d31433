// Creating and deleting a ReplicaSet's pods through the API, with the Events Kubernetes'
// RealPodControl records (SuccessfulCreate/FailedCreate, SuccessfulDelete/FailedDelete).
import { copyJson, type GroupVersionKind, newControllerRef } from '@keelson/api';
import { isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { EventRecorder } from '@keelson/controller-runtime';
import { PODS, REPLICASET_KIND, type Pod, type ReplicaSet } from './types';

/** The pod the ReplicaSet's template describes (GetPodFromTemplate); the API picks its name. */
export function podFromTemplate(rs: ReplicaSet, kind: GroupVersionKind = REPLICASET_KIND): Pod {
  const tmeta = rs.spec?.template?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      ownerReferences: [newControllerRef(rs, kind)],
    },
    // A deep copy: the template belongs to the cached ReplicaSet.
    spec: copyJson(rs.spec?.template?.spec ?? {}),
  };
  if (tmeta.labels) pod.metadata.labels = { ...tmeta.labels };
  if (tmeta.annotations) pod.metadata.annotations = { ...tmeta.annotations };
  if (tmeta.finalizers) pod.metadata.finalizers = [...tmeta.finalizers];
  return pod;
}

export class PodControl {
  constructor(
    private readonly client: Pick<KeelsonClient, 'create' | 'delete'>,
    private readonly recorder: Pick<EventRecorder, 'event'>,
    /** The owner kind of the pods it creates (ReplicaSet, or ReplicationController). */
    private readonly kind: GroupVersionKind = REPLICASET_KIND,
  ) {}

  async createPod(rs: ReplicaSet, signal?: AbortSignal): Promise<Pod> {
    try {
      const created = await this.client.create(PODS, podFromTemplate(rs, this.kind), { signal });
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      if (!signal?.aborted) this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** Deletes the pod; a pod already gone counts as deleted (returns false). */
  async deletePod(rs: ReplicaSet, pod: Pod, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid }, signal });
      this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!signal?.aborted) this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`);
      throw err;
    }
  }
}
