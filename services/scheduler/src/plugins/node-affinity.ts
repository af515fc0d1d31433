// NodeAffinity: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution must
// match the node's labels (filter); matching preferred terms add their weights (score).
// Terms are ORed, a term's expressions ANDed; an empty term matches nothing.
import { defaultNormalizeScore, type FilterPlugin, type ScorePlugin } from '../framework';
import type { NodeSelectorRequirement, NodeSelectorTerm, NodeView } from '../pod-info';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** One requirement against a label set (v1 NodeSelectorRequirement semantics). */
export function matchesRequirement(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers; anything else does not match.
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const [l, r] = [BigInt(value), BigInt(values[0])];
      return req.operator === 'Gt' ? l > r : l < r;
    }
    default:
      return false;
  }
}

export function matchesTerm(term: NodeSelectorTerm, node: NodeView): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  if (!exprs.every((r) => matchesRequirement(r, node.labels))) return false;
  // matchFields supports only metadata.name.
  return fields.every((r) => r.key === 'metadata.name' && matchesRequirement(r, { 'metadata.name': node.name }));
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
