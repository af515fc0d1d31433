// The shapes of the objects this controller reads and writes (apps/v1 ReplicaSet, v1 Pod),
// only the fields it uses. Objects arrive validated by the gateway.
import { PODS, REPLICASETS, type GroupVersionKind, type KubeObject, type LabelSelectorObject, type ObjectMeta, type ResourceCoordinates } from '@keelson/api';
import type { ControllerRefKinds } from '@keelson/controller-runtime';

export { PODS, REPLICASETS };
/** What a pod's controllerRef names its ReplicaSet as. */
export const REPLICASET_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
/** A ReplicaSet claims pods (controller-runtime's ControllerRefManager). */
export const POD_CLAIMS: ControllerRefKinds = { controllerResource: REPLICASETS, controllerKind: REPLICASET_KIND, resource: PODS };

/**
 * The kind of workload a reconciler keeps replicas of: ReplicaSets, or ReplicationControllers
 * seen as ReplicaSets (replication-controller.ts). `fromStored`/`toStored` convert an object
 * read from or written to the API when its shape differs.
 */
export interface WorkloadKind {
  resource: ResourceCoordinates;
  gvk: GroupVersionKind;
  claims: ControllerRefKinds;
  fromStored?: (obj: KubeObject) => ReplicaSet;
  toStored?: (rs: ReplicaSet) => KubeObject;
}

export type PodTemplateSpec = {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'>;
  spec?: Record<string, unknown>;
};

export type ReplicaSetSpec = {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
};

export type ReplicaSetCondition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
};

export type ReplicaSetStatus = {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
};

export interface ReplicaSet extends KubeObject {
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

export type PodCondition = { type: string; status: string; lastTransitionTime?: string };

export type PodStatus = {
  phase?: string;
  conditions?: PodCondition[];
  containerStatuses?: { restartCount?: number }[];
  initContainerStatuses?: { restartCount?: number }[];
};

export interface Pod extends KubeObject {
  spec?: { nodeName?: string } & Record<string, unknown>;
  status?: PodStatus;
}

/** ReplicaFailure: a create or delete of pods failed (quota, validation, ...). */
export const REPLICA_FAILURE = 'ReplicaFailure';
