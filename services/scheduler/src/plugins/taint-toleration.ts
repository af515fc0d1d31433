// TaintToleration: a node's NoSchedule and NoExecute taints must all be tolerated (filter);
// fewer untolerated PreferNoSchedule taints score higher.
import { findUntoleratedTaint, tolerationsTolerateTaint } from '@keelson/api';
import { defaultNormalizeScore, type FilterPlugin, type ScorePlugin } from '../framework';

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, node) {
    const taint = findUntoleratedTaint(node.view.taints, pod.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    if (!taint) return undefined;
    return { plugin: this.name, reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], unresolvable: true };
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod, node) {
    const prefer = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return node.view.taints.filter((taint) => taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(prefer, taint)).length;
  },
  normalize: (scores) => defaultNormalizeScore(scores, true),
};
