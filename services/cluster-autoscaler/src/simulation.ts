// The scheduler's own filters, run against a snapshot of the cluster and against template
// nodes of each pool: "would this pod fit there?" (upstream's scheduling simulation). The
// default profile's filter plugins and the Pod/Node views come from @keelson/scheduler (the
// library the scheduler itself runs), so a pod fits here exactly when the default scheduler
// would bind it.
import type { KubeObject } from '@keelson/api';
import { defaultProfile, podInfo, runFilters, type FilterFailure, type FilterPlugin, type NodeInfo, type NodeView, type PodInfo, type ResourceList } from '@keelson/scheduler';
// Not in the library's index; the same function the scheduler's cache builds its views with.
import { nodeView } from '@keelson/scheduler/dist/pod-info';
import { POOL_LABEL, type NodePool } from './types';

export { podInfo, type PodInfo, type FilterFailure };

/** The default scheduler profile's filters (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit). */
export const FILTERS: FilterPlugin[] = defaultProfile().filters;

/** A node in the simulation: what it offers and what is (or would be) placed on it. */
export class SimNode implements NodeInfo {
  readonly requested: ResourceList = new Map();
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  readonly ownerCounts = new Map<string, number>();
  /** Pending pods the simulation put here. */
  readonly placed: PodInfo[] = [];

  constructor(readonly view: NodeView, readonly pool?: string) {}

  add(p: PodInfo, pending = false): void {
    for (const [name, v] of p.requests) this.requested.set(name, (this.requested.get(name) ?? 0) + v);
    this.nonZeroMilliCpu += p.nonZeroMilliCpu;
    this.nonZeroMemory += p.nonZeroMemory;
    this.podCount++;
    if (p.ownerUid) this.ownerCounts.set(p.ownerUid, (this.ownerCounts.get(p.ownerUid) ?? 0) + 1);
    if (pending) this.placed.push(p);
  }

  fails(p: PodInfo): FilterFailure | undefined {
    return runFilters(FILTERS, p, this);
  }
}

/** The Node a pool's new machine would register as (labels, taints, allocatable). */
export function templateNode(pool: NodePool, name = `template-node-for-${pool.metadata.name}`): KubeObject {
  const t = pool.spec.nodeTemplate;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { ...t.labels, [POOL_LABEL]: String(pool.metadata.name), 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: t.taints?.length ? { taints: t.taints } : {},
    status: { allocatable: { cpu: String(t.allocatable.cpu), memory: String(t.allocatable.memory), pods: String(t.allocatable.pods ?? '110') } },
  };
}

export function templateSimNode(pool: NodePool, name?: string): SimNode {
  return new SimNode(nodeView(templateNode(pool, name)), String(pool.metadata.name));
}

/**
 * A cluster node in the simulation. A pool node that has not registered yet (no allocatable:
 * its kubelet has not posted status) counts with its pool's template shape: it is coming.
 */
export function clusterSimNode(node: KubeObject, pool: NodePool | undefined): SimNode {
  const view = nodeView(node);
  if (pool && view.allocatable.size === 0) {
    const t = nodeView(templateNode(pool, view.name));
    return new SimNode({ ...view, allocatable: t.allocatable }, String(pool.metadata.name));
  }
  return new SimNode(view, pool ? String(pool.metadata.name) : undefined);
}

/** First-fit-decreasing order: the biggest pods first (cpu, then memory, then pod count). */
export function decreasing(pods: PodInfo[]): PodInfo[] {
  const key = (p: PodInfo): [number, number] => [p.requests.get('cpu') ?? 0, p.requests.get('memory') ?? 0];
  return [...pods].sort((a, b) => {
    const [ac, am] = key(a);
    const [bc, bm] = key(b);
    return bc - ac || bm - am || a.key.localeCompare(b.key);
  });
}
