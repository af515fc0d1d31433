// Reconciles one node (kube's node lifecycle controller, monitorNodeHealth + taint manager):
//   - a node not heard from for the grace period gets its kubelet conditions set Unknown;
//   - the lifecycle NoExecute taint follows Ready: unreachable (Unknown), not-ready (False),
//     none once the node heartbeats again and its kubelet reports Ready=True;
//   - pods on a NoExecute-tainted node are deleted when their toleration runs out.
// Level-based; each node is re-checked every monitor period (requeueAfter).
import { LEASES, metaTime, NODES, nodeTaints, PODS, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import type { ReadOnlyCache, ReconcileContext, ReconcileResult, Reconciler } from '@keelson/controller-runtime';
import type { NodeLifecycleConfig } from './config';
import { readyCondition, type HeartbeatTracker } from './heartbeat-tracker';
import { markUnknown, reconcileLifecycleTaints, TAINT_UNREACHABLE, wantedLifecycleTaint } from './node-health';
import { evictionTime } from './taint-eviction';

export { LEASES, NODES, PODS };
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Events about nodes and pods (an EventRecorder fits). */
export interface Recorder {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface NodeLifecycleDeps {
  client: Pick<KeelsonClient, 'update' | 'updateStatus' | 'delete'>;
  nodes: ReadOnlyCache;
  leases: ReadOnlyCache;
  pods: ReadOnlyCache;
  tracker: HeartbeatTracker;
  config: NodeLifecycleConfig;
  recorder?: Recorder;
  now?: () => number;
}

const MIN_REQUEUE_MS = 100;

export class NodeLifecycleReconciler implements Reconciler {
  constructor(private readonly d: NodeLifecycleDeps) {}

  async reconcile(name: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    let node = this.d.nodes.getByName(undefined, name);
    if (!node) {
      this.d.tracker.forget(name);
      return;
    }
    const now = (this.d.now ?? Date.now)();
    const nowIso = metaTime(now);
    const lastSeen = this.d.tracker.observe(node, this.d.leases.getByName(NODE_LEASE_NAMESPACE, name));
    const stale = now - lastSeen >= this.d.config.gracePeriodMs;

    if (stale) {
      const conditions = markUnknown(node, nowIso);
      if (conditions) {
        node = await this.d.client.updateStatus(NODES, { ...node, status: { ...(node.status ?? {}), conditions } });
        ctx.logger.info('node stopped posting status; Ready=Unknown', { node: name, silentMs: now - lastSeen });
        this.d.recorder?.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }

    // A fresh node whose kubelet has not reported Ready yet keeps whatever taints it has.
    if (stale || readyCondition(node)) {
      const taints = reconcileLifecycleTaints(node, stale ? TAINT_UNREACHABLE : wantedLifecycleTaint(node), nowIso);
      if (taints) {
        node = await this.d.client.update(NODES, { ...node, spec: { ...(node.spec ?? {}), taints } });
        ctx.logger.info('node lifecycle taints updated', { node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) });
      }
    }

    let next = stale ? this.d.config.monitorPeriodMs : Math.min(this.d.config.monitorPeriodMs, lastSeen + this.d.config.gracePeriodMs - now);
    const due = await this.evictPods(node, now, ctx);
    if (due !== undefined) next = Math.min(next, due - now);
    return { requeueAfter: Math.max(next, MIN_REQUEUE_MS) };
  }

  /** Deletes pods whose tolerations ran out; returns the next eviction time still pending. */
  private async evictPods(node: KubeObject, now: number, ctx: ReconcileContext): Promise<number | undefined> {
    const taints = nodeTaints(node);
    if (!taints.some((t) => t.effect === 'NoExecute')) return undefined;
    const defaults = { unreachableSeconds: this.d.config.defaultUnreachableTolerationSeconds, notReadySeconds: this.d.config.defaultNotReadyTolerationSeconds };
    let next: number | undefined;
    for (const pod of this.d.pods.byNodeName(node.metadata.name!)) {
      if (pod.metadata.deletionTimestamp || ctx.signal.aborted) continue;
      const at = evictionTime(pod, taints, defaults, now);
      if (at === undefined) continue;
      if (at > now) {
        next = next === undefined ? at : Math.min(next, at);
        continue;
      }
      try {
        await this.d.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid }, signal: ctx.signal });
        ctx.logger.info('evicted pod from tainted node', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: node.metadata.name });
        this.d.recorder?.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // gone or replaced: nothing to evict
      }
    }
    return next;
  }
}
