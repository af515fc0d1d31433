// The shapes of the objects this controller reads and writes (apps/v1 StatefulSet, v1 Pod and
// PersistentVolumeClaim), only the fields it uses. Objects arrive validated by the gateway.
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS, type GroupVersionKind, type KubeObject, type LabelSelectorObject, type ObjectMeta } from '@keelson/api';
import type { ControllerRefKinds } from '@keelson/controller-runtime';

export { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS };
export const STATEFULSET_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
export const POD_CLAIMS: ControllerRefKinds = { controllerResource: STATEFULSETS, controllerKind: STATEFULSET_KIND, resource: PODS };
export const REVISION_CLAIMS: ControllerRefKinds = { controllerResource: STATEFULSETS, controllerKind: STATEFULSET_KIND, resource: CONTROLLERREVISIONS };

/** apps.StatefulSetPodNameLabel and apps.PodIndexLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export type IntOrString = number | string;

export type PodTemplateSpec = {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'>;
  spec?: Record<string, unknown>;
};

export type ClaimTemplate = { metadata?: ObjectMeta; spec?: Record<string, unknown> };

export type StatefulSetSpec = {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  volumeClaimTemplates?: ClaimTemplate[];
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
  ordinals?: { start?: number };
};

export type StatefulSetStatus = {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
};

export interface StatefulSet extends KubeObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export type PodCondition = { type: string; status: string; lastTransitionTime?: string };

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; volumes?: Volume[] } & Record<string, unknown>;
  status?: { phase?: string; conditions?: PodCondition[] };
}

export type Volume = { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } } & Record<string, unknown>;

export type PersistentVolumeClaim = KubeObject;
