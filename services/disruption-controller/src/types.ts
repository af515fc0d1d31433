// The shapes this controller reads and writes (policy/v1 PodDisruptionBudget, v1 Pod and the
// workload controllers whose scale sets a budget's expected pods). Objects arrive validated.
import { PODS, DEPLOYMENTS, REPLICASETS, type KubeObject, type ResourceCoordinates } from '@keelson/api';

export { PODS, DEPLOYMENTS, REPLICASETS };
export const PDBS: ResourceCoordinates = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
export const STATEFULSETS: ResourceCoordinates = { group: 'apps', version: 'v1', resource: 'statefulsets' };
export const REPLICATIONCONTROLLERS: ResourceCoordinates = { group: '', version: 'v1', resource: 'replicationcontrollers' };

export type PdbCondition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
};

export type PdbStatus = {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
};

export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PdbStatus;
}

/** A workload with a scale: spec.replicas. */
export interface ScaledController extends KubeObject {
  spec?: { replicas?: number };
}
