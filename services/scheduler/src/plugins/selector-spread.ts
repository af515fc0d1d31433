// SelectorSpread: spread pods of one controller (the controlling ownerReference's uid)
// across nodes: fewer siblings already on a node score higher.
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework';

export const selectorSpread: ScorePlugin = {
  name: 'SelectorSpread',
  weight: 2,
  score(pod, node) {
    return pod.ownerUid ? node.ownerCounts.get(pod.ownerUid) ?? 0 : 0;
  },
  normalize(scores) {
    const max = Math.max(0, ...scores);
    for (let i = 0; i < scores.length; i++) scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - scores[i])) / max);
  },
};
