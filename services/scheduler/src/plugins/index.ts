// The default profile: every plugin, registered here once, in kube-scheduler's order.
import type { Profile } from '../framework';
import { balancedAllocation } from './balanced-allocation';
import { leastAllocated } from './least-allocated';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity';
import { nodeName } from './node-name';
import { nodeResourcesFit } from './node-resources-fit';
import { nodeUnschedulable } from './node-unschedulable';
import { selectorSpread } from './selector-spread';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration';

export function defaultProfile(): Profile {
  return {
    filters: [nodeUnschedulable, nodeName, taintTolerationFilter, nodeAffinityFilter, nodeResourcesFit],
    scores: [taintTolerationScore, nodeAffinityScore, leastAllocated, balancedAllocation, selectorSpread],
  };
}
