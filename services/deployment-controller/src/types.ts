// The apps/v1 Deployment and ReplicaSet fields this controller reads and writes. Objects
// arrive validated and defaulted by the gateway, so these shapes are trusted here.
import { DEPLOYMENTS, REPLICASETS, type GroupVersionKind, type KubeObject, type LabelSelectorObject } from '@keelson/api';
import type { ControllerRefKinds } from '@keelson/controller-runtime';

export { DEPLOYMENTS, REPLICASETS };
/** What a ReplicaSet's controllerRef names its Deployment as. */
export const DEPLOYMENT_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
/** A Deployment claims ReplicaSets (controller-runtime's ControllerRefManager). */
export const REPLICASET_CLAIMS: ControllerRefKinds = { controllerResource: DEPLOYMENTS, controllerKind: DEPLOYMENT_KIND, resource: REPLICASETS };

/** Label added to a ReplicaSet's selector, template and labels (Kubernetes' DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

export type IntOrString = number | string;

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface DeploymentStrategy {
  type?: 'RollingUpdate' | 'Recreate';
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DeploymentCondition {
  type: string;
  status: ConditionStatus;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  [k: string]: unknown;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
  [k: string]: unknown;
}

export interface Deployment extends KubeObject {
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  [k: string]: unknown;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: DeploymentCondition[];
  [k: string]: unknown;
}

export interface ReplicaSet extends KubeObject {
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** `spec.replicas` of a Deployment (defaulted to 1 by the gateway). */
export const desiredReplicas = (d: Deployment): number => d.spec.replicas ?? 1;
/** `spec.replicas` of a ReplicaSet. */
export const rsReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 0;
