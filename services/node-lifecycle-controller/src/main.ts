// node-lifecycle-controller: marks silent nodes Unknown, taints them, evicts their pods, and
// garbage-collects pods no kubelet will finish (kube's podgc) — leader-elected.
import { Manager, enqueueObject, type Enqueuer, type ResourceEventHandler } from '@keelson/controller-runtime';
import type { KubeObject } from '@keelson/api';
import { startTelemetry } from '@keelson/telemetry';
import { configFromEnv } from './config';
import { HeartbeatTracker } from './heartbeat-tracker';
import { LEASES, NODE_LEASE_NAMESPACE, NODES, NodeLifecycleReconciler, PODS } from './node-lifecycle-reconciler';
import { POD_GC_KEY, PodGcReconciler } from './pod-gc';

/** Queues the node a pod is bound to (so new pods on a tainted node are evaluated). */
function enqueueNodeOf(q: Enqueuer): ResourceEventHandler {
  const add = (p: KubeObject): void => {
    const node = p.spec?.nodeName;
    if (typeof node === 'string' && node) q.enqueue(node);
  };
  return { onAdd: add, onUpdate: (_o, p) => add(p) };
}

/** Queues the node named by a Lease in kube-node-lease. */
function enqueueLeaseNode(q: Enqueuer): ResourceEventHandler {
  const add = (l: KubeObject): void => q.enqueue(l.metadata.name!);
  return { onAdd: add, onUpdate: (_o, l) => add(l), onDelete: add };
}

async function main(): Promise<void> {
  const service = 'node-lifecycle-controller';
  startTelemetry(process.env.OTEL_SERVICE_NAME ?? service);
  const config = configFromEnv();
  const mgr = await Manager.create(service);
  const nodes = mgr.informer(NODES);
  const leases = mgr.informer(LEASES, NODE_LEASE_NAMESPACE);
  const pods = mgr.informer(PODS);
  const reconciler = new NodeLifecycleReconciler({
    client: mgr.client, nodes: nodes.cache, leases: leases.cache, pods: pods.cache, tracker: new HeartbeatTracker(), config, recorder: mgr.recorder(),
  });
  const controller = mgr.controller('node-lifecycle', reconciler, { concurrency: 4 });
  nodes.addEventHandler(enqueueObject(controller));
  leases.addEventHandler(enqueueLeaseNode(controller));
  pods.addEventHandler(enqueueNodeOf(controller));
  // One key: each pass looks at every pod; it requeues itself every period, and pod or node
  // changes bring the next pass forward.
  const podGc = mgr.controller('pod-gc', new PodGcReconciler({ client: mgr.client, nodes: nodes.cache, pods: pods.cache, config: config.podGc }), { concurrency: 1 });
  const gcSoon = { onAdd: () => podGc.enqueue(POD_GC_KEY), onUpdate: () => podGc.enqueue(POD_GC_KEY), onDelete: () => podGc.enqueue(POD_GC_KEY) };
  pods.addEventHandler(gcSoon);
  nodes.addEventHandler(gcSoon);
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`node-lifecycle-controller failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
