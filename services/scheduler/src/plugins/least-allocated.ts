// NodeResourcesFit's LeastAllocated score: the more cpu and memory left free after placing
// the pod (non-zero default requests counted), the higher; cpu and memory weigh the same.
// (The strategies themselves live in resource-allocation.ts.)
import type { NodeInfo, ScorePlugin } from '../framework';
import type { PodInfo } from '../pod-info';
import { requestedAndCapacity, resourceAllocationScore } from './resource-allocation';

/** cpu and memory requested on the node once the pod is placed, with their allocatable. */
export function usage(pod: PodInfo, node: NodeInfo): { cpu: [number, number]; memory: [number, number] } {
  return { cpu: requestedAndCapacity(pod, node, 'cpu'), memory: requestedAndCapacity(pod, node, 'memory') };
}

export const leastAllocated: ScorePlugin = resourceAllocationScore('LeastAllocated');
