// "Would the scheduler put this pod there?" for operators that plan capacity (a cluster
// autoscaler, a descheduler, a pre-flight check): the default scheduler's own filter plugins
// (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit) from
// @keelson/scheduler, the library the scheduler runs, run against nodes you describe — real
// ones from an informer's cache, or imagined ones (a node you might add). A pod fits a
// SimulatedNode exactly when the default scheduler's filters would let it bind there.
//
//   const node = SimulatedNode.of(nodeObject);
//   for (const p of podsOnIt) node.add(podInfo(p));
//   const failure = node.fails(podInfo(pending));    // undefined: it fits; else .reasons
//   if (!failure) node.add(podInfo(pending), true);   // place it and keep going (first fit)
//
// Imported from '@keelson/operator-sdk/scheduling' (it loads the scheduler's plugins).
import type { KubeObject } from '@keelson/api';
import { defaultProfile, podInfo, runFilters, type FilterFailure, type FilterPlugin, type NodeInfo, type NodeView, type PodInfo, type ResourceList } from '@keelson/scheduler';
// Not in the scheduler's index; the same function its cache builds node views with.
import { nodeView } from '@keelson/scheduler/dist/pod-info';

export { podInfo, nodeView, type PodInfo, type NodeView, type FilterFailure, type FilterPlugin, type ResourceList };

/** The default scheduler profile's filter plugins, in its order. */
export function defaultFilters(): FilterPlugin[] {
  return defaultProfile().filters;
}

const DEFAULT_FILTERS = defaultFilters();

/** A node in a scheduling simulation: what it offers and what is (or would be) placed on it. */
export class SimulatedNode implements NodeInfo {
  readonly requested: ResourceList = new Map();
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  readonly ownerCounts = new Map<string, number>();
  /** Pods placed with add(pod, true): the simulation's own decisions. */
  readonly placed: PodInfo[] = [];

  constructor(readonly view: NodeView, private readonly filters: FilterPlugin[] = DEFAULT_FILTERS) {}

  /** A Node object as the scheduler sees it (status.allocatable, labels, taints, spec.unschedulable). */
  static of(node: KubeObject, filters?: FilterPlugin[]): SimulatedNode {
    return new SimulatedNode(nodeView(node), filters);
  }

  /** Counts a pod on the node (a bound one, or with `placed` one the simulation puts here). */
  add(p: PodInfo, placed = false): void {
    for (const [name, v] of p.requests) this.requested.set(name, (this.requested.get(name) ?? 0) + v);
    this.nonZeroMilliCpu += p.nonZeroMilliCpu;
    this.nonZeroMemory += p.nonZeroMemory;
    this.podCount++;
    if (p.ownerUid) this.ownerCounts.set(p.ownerUid, (this.ownerCounts.get(p.ownerUid) ?? 0) + 1);
    if (placed) this.placed.push(p);
  }

  /** Why the pod does not fit here (the first failing filter), or undefined when it does. */
  fails(p: PodInfo): FilterFailure | undefined {
    return runFilters(this.filters, p, this);
  }
}

/** First-fit-decreasing order: the biggest pods first (cpu, then memory), then by key. */
export function largestFirst(pods: PodInfo[]): PodInfo[] {
  const key = (p: PodInfo): [number, number] => [p.requests.get('cpu') ?? 0, p.requests.get('memory') ?? 0];
  return [...pods].sort((a, b) => {
    const [ac, am] = key(a);
    const [bc, bm] = key(b);
    return bc - ac || bm - am || a.key.localeCompare(b.key);
  });
}
