// NodeResourcesFit's LeastAllocated score: the more cpu and memory left free after placing
// the pod (non-zero default requests counted), the higher; cpu and memory weigh the same.
import { MAX_NODE_SCORE, type NodeInfo, type ScorePlugin } from '../framework';
import type { PodInfo } from '../pod-info';

/** cpu and memory requested on the node once the pod is placed, with their allocatable. */
export function usage(pod: PodInfo, node: NodeInfo): { cpu: [number, number]; memory: [number, number] } {
  return {
    cpu: [node.nonZeroMilliCpu + pod.nonZeroMilliCpu, node.view.allocatable.get('cpu') ?? 0],
    memory: [node.nonZeroMemory + pod.nonZeroMemory, node.view.allocatable.get('memory') ?? 0],
  };
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  score(pod, node) {
    const u = usage(pod, node);
    return Math.floor((leastRequested(...u.cpu) + leastRequested(...u.memory)) / 2);
  },
};
