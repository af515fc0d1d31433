// The scheduling simulation: the cluster's nodes and template nodes of each pool as the SDK's
// SimulatedNode (the default scheduler's own filter plugins), so "would this pod fit there?" is
// answered exactly as the default scheduler would answer it (upstream's scheduling simulation).
import type { KubeObject } from '@keelson/operator-sdk';
import { SimulatedNode, largestFirst, nodeView, podInfo, type FilterFailure, type NodeView, type PodInfo } from '@keelson/operator-sdk/scheduling';
import { POOL_LABEL, type NodePool } from './types';

export { podInfo, type PodInfo, type FilterFailure };

/** A simulated node, with the pool it belongs to (if any). */
export class SimNode extends SimulatedNode {
  constructor(view: NodeView, readonly pool?: string) {
    super(view);
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

/** First-fit-decreasing order: the biggest pods first (cpu, then memory). */
export const decreasing = largestFirst;
