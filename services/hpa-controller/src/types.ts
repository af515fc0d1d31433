// The shapes this controller reads and writes: autoscaling/v2 HorizontalPodAutoscaler, the
// autoscaling/v1 Scale of its target, metrics.k8s.io/v1beta1 PodMetrics. Objects arrive validated.
import { PODS, type KubeObject, type ResourceCoordinates } from '@keelson/api';
import type { Behavior } from './behavior';

export { PODS };
export const HPAS: ResourceCoordinates = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };

export interface MetricTarget { type: 'Utilization' | 'AverageValue' | 'Value' | string; averageUtilization?: number; averageValue?: string; value?: string }
export interface MetricSpec { type: string; resource?: { name: string; target: MetricTarget } }

export type HpaCondition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastTransitionTime: string };

export type HpaStatus = {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas: number;
  desiredReplicas: number;
  currentMetrics?: unknown[];
  conditions?: HpaCondition[];
};

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: Behavior;
  };
  status?: HpaStatus;
}

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export interface PodMetrics {
  metadata: { name: string; namespace?: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}
