// Whether a pod's spec.nodeSelector and required node affinity admit a node (component-helpers'
// scheduling/corev1/nodeaffinity GetRequiredNodeAffinity().Match): terms are ORed, a term's
// requirements ANDed, an empty term matches nothing; matchFields knows metadata.name only.
// The DaemonSet controller decides with it which nodes should run a daemon pod.
import { isRecord, type KubeObject } from './types';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** One requirement against a label set (v1 NodeSelectorRequirement semantics). */
export function nodeRequirementMatches(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
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
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const [l, r] = [BigInt(value), BigInt(values[0])];
      return req.operator === 'Gt' ? l > r : l < r;
    }
    default:
      return false;
  }
}

export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Pick<KubeObject, 'metadata'>): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  if (!exprs.every((r) => nodeRequirementMatches(r, labels))) return false;
  return fields.every((r) => r.key === 'metadata.name' && nodeRequirementMatches(r, { 'metadata.name': node.metadata.name ?? '' }));
}

/** The pod spec's requiredDuringSchedulingIgnoredDuringExecution terms; undefined when it has none. */
export function requiredNodeSelectorTerms(podSpec: Record<string, unknown> | undefined): NodeSelectorTerm[] | undefined {
  const affinity = podSpec?.affinity;
  const nodeAffinity = isRecord(affinity) ? affinity.nodeAffinity : undefined;
  const required = isRecord(nodeAffinity) ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution : undefined;
  if (!isRecord(required)) return undefined;
  return Array.isArray(required.nodeSelectorTerms) ? (required.nodeSelectorTerms.filter(isRecord) as NodeSelectorTerm[]) : [];
}

/** nodeSelector and required node affinity both admit the node. */
export function podFitsNodeAffinity(podSpec: Record<string, unknown> | undefined, node: Pick<KubeObject, 'metadata'>): boolean {
  const labels = node.metadata.labels ?? {};
  const selector = isRecord(podSpec?.nodeSelector) ? (podSpec.nodeSelector as Record<string, string>) : {};
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const terms = requiredNodeSelectorTerms(podSpec);
  return terms === undefined || terms.some((t) => nodeSelectorTermMatches(t, node));
}
