// NodeAffinity: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution must
// match the node's labels (filter); matching preferred terms add their weights (score).
// Terms are ORed, a term's expressions ANDed; an empty term matches nothing.
import { nodeRequirementMatches, nodeSelectorTermMatches } from '@keelson/api';
import { defaultNormalizeScore, type FilterPlugin, type ScorePlugin } from '../framework';
import type { NodeSelectorTerm, NodeView } from '../pod-info';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** One requirement against a label set: the matcher the DaemonSet controller uses too (@keelson/api). */
export const matchesRequirement = nodeRequirementMatches;

export function matchesTerm(term: NodeSelectorTerm, node: NodeView): boolean {
  return nodeSelectorTermMatches(term, { metadata: { name: node.name, labels: node.labels } });
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  filter(pod, node) {
    const labels = node.view.labels;
    const selectorOk = Object.entries(pod.nodeSelector).every(([k, v]) => labels[k] === v);
    const affinityOk = pod.requiredTerms === undefined || pod.requiredTerms.some((t) => matchesTerm(t, node.view));
    return selectorOk && affinityOk ? undefined : { plugin: this.name, reasons: [ERR_REASON_NODE_AFFINITY], unresolvable: true };
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score(pod, node) {
    let sum = 0;
    for (const t of pod.preferredTerms) if (t.weight && matchesTerm(t.preference, node.view)) sum += t.weight;
    return sum;
  },
  normalize: (scores) => defaultNormalizeScore(scores, false),
};
