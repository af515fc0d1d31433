// Wires PoolNodeHost (pool-nodes.ts) into a simulated kubelet process: a Node informer, and a
// NodeAgent per provisioned node that adopts the provider's Node (never creates it) with the
// shape its annotation names. Stopped with the kubelet.
import type { Manager } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import type { KubeletConfig } from '../../config';
import type { Kubelet } from '../../kubelet';
import { NodeAgent, type NodeSource } from '../../node-agent';
import { NODES, type Node, type Pod } from '../../types';
import type { Informer } from '@keelson/controller-runtime';
import { PoolNodeHost } from './pool-nodes';

export function hostProvisionedNodes(
  mgr: Manager,
  cfg: KubeletConfig,
  d: { kubelets: Map<string, Kubelet>; pods: Informer<Pod>; newKubelet(name: string): Kubelet; logPort: number; log: Logger; nodeSource?: NodeSource },
): PoolNodeHost {
  const host = new PoolNodeHost({
    host: cfg.nodeName,
    client: mgr.client,
    nodes: mgr.informer<Node>(NODES),
    pods: d.pods,
    kubelets: d.kubelets,
    newKubelet: d.newKubelet,
    log: d.log,
    newAgent: (name, shape, node) => new NodeAgent({
      client: mgr.client, log: d.log, adoptOnly: true,
      identity: { name, address: cfg.address, kubeletPort: d.logPort, runtime: 'simulated', capacity: shape, allocatable: shape, labels: node.metadata.labels ?? {}, taints: [] },
      leaseDurationSeconds: cfg.leaseDurationSeconds, leaseRenewMs: cfg.leaseRenewMs, statusUpdateMs: cfg.nodeStatusUpdateMs,
      nodes: d.nodeSource, statusReportMs: cfg.nodeStatusReportMs,
    }),
  });
  mgr.add({ stop: () => host.stop() });
  return host;
}
