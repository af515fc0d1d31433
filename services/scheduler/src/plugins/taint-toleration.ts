// TaintToleration: a node's NoSchedule and NoExecute taints must all be tolerated (filter);
// fewer untolerated PreferNoSchedule taints score higher.
import { defaultNormalizeScore, type FilterPlugin, type ScorePlugin } from '../framework';
import { tolerates } from '../pod-info';

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, node) {
    for (const taint of node.view.taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (pod.tolerations.some((t) => tolerates(t, taint))) continue;
      return { plugin: this.name, reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], unresolvable: true };
    }
    return undefined;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod, node) {
    const prefer = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return node.view.taints.filter((taint) => taint.effect === 'PreferNoSchedule' && !prefer.some((t) => tolerates(t, taint))).length;
  },
  normalize: (scores) => defaultNormalizeScore(scores, true),
};
