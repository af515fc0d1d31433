// The shapes of the objects the job-controller reads and writes (batch/v1 Job, v1 Pod), only the
// fields it uses. Objects arrive validated and defaulted by the gateway.
import { PODS, type GroupVersionKind, type KubeObject, type LabelSelectorObject, type ObjectMeta } from '@keelson/api';
import type { ControllerRefKinds, ResourceEventHandler } from '@keelson/controller-runtime';
import type { ResourceRef } from '@keelson/client';

export { PODS };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs' };
export const JOB_KIND: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'Job' };
/** A Job claims pods (controller-runtime's ControllerRefManager). */
export const POD_CLAIMS: ControllerRefKinds = { controllerResource: JOBS, controllerKind: JOB_KIND, resource: PODS };

/** The finalizer that keeps a finished pod until the Job has counted it (batch.kubernetes.io/job-tracking). */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Where an Indexed Job's pod carries its index (annotation and label), and the env var that reads it. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The only controller Keelson's job-controller acts for (spec.managedBy). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type JobCondition = {
  type: string;
  status: ConditionStatus;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
};

export type PodFailurePolicyRule = {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
};

export type PodTemplateSpec = {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'>;
  spec?: PodSpec;
};

export type JobSpec = {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  selector?: LabelSelectorObject;
  manualSelector?: boolean;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  ttlSecondsAfterFinished?: number;
  managedBy?: string;
  template?: PodTemplateSpec;
};

export type UncountedTerminatedPods = {
  succeeded?: string[];
  failed?: string[];
};

export type JobStatus = {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
};

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { apiVersion?: string; fieldPath: string } } & Record<string, unknown>;
};

export type Container = {
  name: string;
  env?: EnvVar[];
  [k: string]: unknown;
};

export type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  hostname?: string;
  subdomain?: string;
  nodeName?: string;
  [k: string]: unknown;
};

export type ContainerStatus = {
  name: string;
  restartCount?: number;
  state?: { terminated?: { exitCode: number; finishedAt?: string; reason?: string } } & Record<string, unknown>;
};

export type PodStatus = {
  phase?: string;
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  startTime?: string;
};

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

export type PodHandler = ResourceEventHandler<Pod>;
