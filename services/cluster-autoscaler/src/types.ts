// The NodePool custom resource (autoscaling.keelson.dev/v1alpha1, cluster-scoped) and the
// labels, annotations and taints the autoscaler puts on the nodes it provisions.
import type { KubeObject, ResourceCoordinates, Taint } from '@keelson/api';

export const GROUP = 'autoscaling.keelson.dev';
export const NODEPOOLS: ResourceCoordinates = { group: GROUP, version: 'v1alpha1', resource: 'nodepools' };
/** Every node of a pool carries its pool's name. */
export const POOL_LABEL = `${GROUP}/node-pool`;
/** Upstream's taint on a node being scaled down (value: unix seconds). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export type NodeShape = { cpu: string; memory: string; pods: string };

export type NodePoolSpec = {
  minNodes: number;
  maxNodes: number;
  provider: 'simulated';
  nodeTemplate: { allocatable: NodeShape; labels?: Record<string, string>; taints?: Taint[] };
};

export type PoolCondition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastTransitionTime: string };
export type Decision = { time: string; type: 'ScaleUp' | 'ScaleDown' | 'NoScaleUp'; message: string };

export type NodePoolStatus = {
  nodes: number;
  readyNodes: number;
  nodeNames: string[];
  lastScaleUpTime?: string;
  lastScaleDownTime?: string;
  lastDecision?: Decision;
  conditions: PoolCondition[];
};

export interface NodePool extends KubeObject {
  spec: NodePoolSpec;
  status?: NodePoolStatus;
}
