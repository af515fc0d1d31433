// Typed views of the Pod and Node fields the scheduler reads, computed once per object so
// filters and scores over many nodes do not re-parse quantities.
import { getControllerOf, isRecord, nodeTaints, parseQuantity, podTolerations, type KubeObject, type Taint, type Toleration } from '@keelson/api';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** Resource amounts in base units: cpu in millicores, memory and storage in bytes, others as counted. */
export type ResourceList = Map<string, number>;

/** Requests assumed for scoring when a container names none (kube's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface PodInfo {
  key: string;
  pod: KubeObject;
  /** computePodResourceRequest: max(sum of containers, any init container) + overhead. */
  requests: ResourceList;
  /** cpu and memory with non-zero defaults, for scoring. */
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
  /** The controlling owner's uid (ReplicaSet, StatefulSet…), for spreading. */
  ownerUid?: string;
  nodeSelector: Record<string, string>;
  /** undefined = no required node affinity. */
  requiredTerms?: NodeSelectorTerm[];
  preferredTerms: PreferredSchedulingTerm[];
  tolerations: Toleration[];
  nodeName?: string;
}

export interface NodeView {
  name: string;
  node: KubeObject;
  labels: Record<string, string>;
  allocatable: ResourceList;
  taints: Taint[];
  unschedulable: boolean;
}

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** Base-unit amount of a quantity: cpu in (rounded-up) millicores. */
export function resourceAmount(name: string, q: unknown): number {
  const v = parseQuantity(q) ?? 0;
  return name === 'cpu' ? Math.ceil(v * 1000 - 1e-9) : v;
}

function addInto(into: ResourceList, from: Record<string, unknown>): void {
  for (const [name, q] of Object.entries(from)) into.set(name, (into.get(name) ?? 0) + resourceAmount(name, q));
}

export function podInfo(pod: KubeObject): PodInfo {
  const spec = rec(pod.spec);
  const sum: ResourceList = new Map();
  let nzCpu = 0;
  let nzMem = 0;
  for (const c of arr<Record<string, unknown>>(spec.containers)) {
    const req = rec(rec(c.resources).requests);
    addInto(sum, req);
    nzCpu += req.cpu !== undefined ? resourceAmount('cpu', req.cpu) : DEFAULT_MILLI_CPU_REQUEST;
    nzMem += req.memory !== undefined ? resourceAmount('memory', req.memory) : DEFAULT_MEMORY_REQUEST;
  }
  // Init containers run one at a time before the app containers: the pod needs the larger.
  for (const c of arr<Record<string, unknown>>(spec.initContainers)) {
    for (const [name, q] of Object.entries(rec(rec(c.resources).requests))) {
      const v = resourceAmount(name, q);
      if (v > (sum.get(name) ?? 0)) sum.set(name, v);
    }
  }
  addInto(sum, rec(spec.overhead));
  const affinity = rec(rec(spec.affinity).nodeAffinity);
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  const owner = getControllerOf(pod);
  const meta = pod.metadata;
  return {
    key: meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name),
    pod,
    requests: sum,
    nonZeroMilliCpu: nzCpu,
    nonZeroMemory: nzMem,
    ownerUid: owner?.uid,
    nodeSelector: rec(spec.nodeSelector) as Record<string, string>,
    requiredTerms: isRecord(required) ? arr<NodeSelectorTerm>(required.nodeSelectorTerms) : undefined,
    preferredTerms: arr<PreferredSchedulingTerm>(affinity.preferredDuringSchedulingIgnoredDuringExecution),
    tolerations: podTolerations(pod),
    nodeName: typeof spec.nodeName === 'string' && spec.nodeName ? spec.nodeName : undefined,
  };
}

export function nodeView(node: KubeObject): NodeView {
  const allocatable: ResourceList = new Map();
  for (const [name, q] of Object.entries(rec(rec(node.status).allocatable))) allocatable.set(name, resourceAmount(name, q));
  const spec = rec(node.spec);
  return {
    name: String(node.metadata.name),
    node,
    labels: node.metadata.labels ?? {},
    allocatable,
    taints: nodeTaints(node),
    unschedulable: spec.unschedulable === true,
  };
}

/** Succeeded or Failed pods hold no resources. */
export function isTerminal(pod: KubeObject): boolean {
  const phase = rec(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
