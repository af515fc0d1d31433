// node-lifecycle-controller: marks silent nodes Unknown, taints them, evicts their pods, and
// garbage-collects pods no kubelet will finish (kube's podgc), and assigns each Node its pod CIDR
// (kube's nodeipam) — leader-elected.
import { runManager } from '@keelson/controller-runtime';
import { nodeLifecycleConfig } from './config';
import { HeartbeatTracker } from './heartbeat-tracker';
import { LEASES, NODE_LEASE_NAMESPACE, NODES, NodeLifecycleReconciler, PODS } from './node-lifecycle-reconciler';
import { NodeIpamReconciler } from './node-ipam';
import { POD_GC_KEY, PodGcReconciler } from './pod-gc';

void runManager('node-lifecycle-controller', nodeLifecycleConfig, (mgr, config) => {
  const [nodes, leases, pods] = [mgr.informer(NODES).cache, mgr.informer(LEASES, NODE_LEASE_NAMESPACE).cache, mgr.informer(PODS).cache];
  mgr.newControllerManagedBy('node-lifecycle')
    .for(NODES)
    .watches(LEASES, (lease) => lease.metadata.name, { namespace: NODE_LEASE_NAMESPACE }) // a node's heartbeat
    .watches(PODS, (pod) => (typeof pod.spec?.nodeName === 'string' ? pod.spec.nodeName : undefined)) // new pods on a tainted node
    .withOptions({ concurrency: config.workers })
    .complete(new NodeLifecycleReconciler({ client: mgr.client, nodes, leases, pods, tracker: new HeartbeatTracker(), config, recorder: mgr.recorder() }));
  // One key: each pass looks at every pod; it requeues itself every period, and pod or node
  // changes bring the next pass forward.
  mgr.newControllerManagedBy('pod-gc')
    .watches(PODS, () => POD_GC_KEY)
    .watches(NODES, () => POD_GC_KEY)
    .complete(new PodGcReconciler({ client: mgr.client, nodes, pods, config: config.podGc }));
  // Pod CIDRs for new Nodes; one worker so no two allocations race (node-ipam.ts).
  mgr.newControllerManagedBy('node-ipam')
    .for(NODES)
    .withOptions({ concurrency: 1 })
    .complete(new NodeIpamReconciler({ client: mgr.client, nodes, config: config.ipam, recorder: mgr.recorder() }));
});
