// NodeResourcesFit's scoring strategies (kube's resource_allocation.go): each resource named by
// the strategy scores 0..MAX_NODE_SCORE from what is requested on the node once the pod is
// placed against what the node has, and the node's score is the weighted mean.
//   LeastAllocated: (capacity - requested) / capacity — spreads pods over emptier nodes.
//   MostAllocated:  requested / capacity — packs pods onto fuller nodes (bin packing).
// cpu and memory count containers without requests at kube's non-zero defaults, as the
// default profile always has, so a node full of request-less pods is not seen as empty.
import { MAX_NODE_SCORE, type NodeInfo, type ScorePlugin } from '../framework';
import type { PodInfo } from '../pod-info';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated';
export const SCORING_STRATEGY_TYPES: readonly string[] = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

/** ResourceSpec: a resource and its weight (1..100) in the node's mean. */
export interface ResourceSpec {
  name: string;
  weight: number;
}

export const DEFAULT_SCORED_RESOURCES: readonly ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

/** Requested (with the pod) and allocatable amounts of one resource on a node. */
export function requestedAndCapacity(pod: PodInfo, node: NodeInfo, resource: string): [number, number] {
  const capacity = node.view.allocatable.get(resource) ?? 0;
  if (resource === 'cpu') return [node.nonZeroMilliCpu + pod.nonZeroMilliCpu, capacity];
  if (resource === 'memory') return [node.nonZeroMemory + pod.nonZeroMemory, capacity];
  return [(node.requested.get(resource) ?? 0) + (pod.requests.get(resource) ?? 0), capacity];
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Non-zero defaults can push `requested` past capacity: that node is as full as it gets.
  return Math.floor((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** The NodeResourcesFit score plugin for a strategy, resources and plugin weight. */
export function resourceAllocationScore(type: ScoringStrategyType, resources: readonly ResourceSpec[] = DEFAULT_SCORED_RESOURCES, weight = 1): ScorePlugin {
  const scorer = type === 'MostAllocated' ? mostRequested : leastRequested;
  return {
    name: 'NodeResourcesFit',
    weight,
    score(pod, node) {
      let sum = 0;
      let weights = 0;
      for (const r of resources) {
        const [requested, capacity] = requestedAndCapacity(pod, node, r.name);
        // A resource the node does not have (an extended one) is left out, as kube does.
        if (capacity === 0 && r.name !== 'cpu' && r.name !== 'memory') continue;
        sum += scorer(requested, capacity) * r.weight;
        weights += r.weight;
      }
      return weights === 0 ? 0 : Math.floor(sum / weights);
    },
  };
}
