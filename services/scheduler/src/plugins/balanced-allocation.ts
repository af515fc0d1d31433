// NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory fractions stay close
// together once the pod is placed (score = (1 - standard deviation) * 100).
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework';
import { usage } from './least-allocated';

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(pod, node) {
    const u = usage(pod, node);
    const fraction = ([req, cap]: [number, number]): number => (cap === 0 ? 1 : Math.min(1, req / cap));
    // With two resources the standard deviation is half their difference.
    const std = Math.abs(fraction(u.cpu) - fraction(u.memory)) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
