// The pod network's part of the start-up garbage sweep (runtime/sweep/): one resource per pod
// network record (its namespace, veth and IP), removed after the pod's processes and cgroups.
import type { ResourceSweeper } from '../sweep/garbage-sweep';
import type { PodNetworkCleanup } from './pod-network';

export function podNetworkSweeper(net: PodNetworkCleanup): ResourceSweeper {
  return {
    kind: 'pod-network',
    order: 40,
    list: async () => (await net.listPodNetworks()).map((r) => ({ kind: 'pod-network', id: r.netns ?? r.uid, podUid: r.uid })),
    remove: (r) => net.removePodNetwork(r.podUid!),
  };
}
