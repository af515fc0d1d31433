// The shapes of the objects this controller reads and writes (apps/v1 DaemonSet, v1 Pod and
// Node), only the fields it uses. Objects arrive validated by the gateway.
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS, type GroupVersionKind, type KubeObject, type LabelSelectorObject, type ObjectMeta } from '@keelson/api';
import type { ControllerRefKinds } from '@keelson/controller-runtime';

export { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS };
export const DAEMONSET_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
export const POD_CLAIMS: ControllerRefKinds = { controllerResource: DAEMONSETS, controllerKind: DAEMONSET_KIND, resource: PODS };
export const REVISION_CLAIMS: ControllerRefKinds = { controllerResource: DAEMONSETS, controllerKind: DAEMONSET_KIND, resource: CONTROLLERREVISIONS };

/** extensions.DaemonSetTemplateGenerationKey: the deprecated label old controllers matched on. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export type IntOrString = number | string;

export type PodTemplateSpec = {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'>;
  spec?: Record<string, unknown>;
};

export type DaemonSetSpec = {
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
};

export type DaemonSetStatus = {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
};

export interface DaemonSet extends KubeObject {
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

export type PodCondition = { type: string; status: string; lastTransitionTime?: string };

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; affinity?: Record<string, unknown> } & Record<string, unknown>;
  status?: { phase?: string; conditions?: PodCondition[] };
}

export type Node = KubeObject;
