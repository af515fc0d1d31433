// Pod garbage collection (kube-controller-manager's podgc controller, gc_controller.go): each
// period, force-deletes (grace 0) the pods no kubelet will ever finish:
//   - orphaned: bound to a node that does not exist — after a quarantine, and only once a
//     live GET confirms the node is gone (the cache may lag a just-registered node);
//   - terminating on a node that is NotReady and tainted node.kubernetes.io/out-of-service;
//   - terminating and never scheduled;
//   - terminated (Succeeded/Failed) beyond the threshold, oldest first.
// Non-terminal pods it deletes are first marked Failed with a DisruptionTarget condition
// (reason DeletionByPodGC), as kube's markFailedAndDeletePod does.
import { metaTime, nodeTaints, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import type { ReadOnlyCache, ReconcileContext, ReconcileResult, Reconciler } from '@keelson/controller-runtime';
import { readyCondition } from './heartbeat-tracker';
import { NODES, PODS } from './node-lifecycle-reconciler';

export const POD_GC_KEY = 'pod-gc';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export interface PodGcConfig {
  /** KEELSON_POD_GC_PERIOD_SECONDS [20]: kube's gcCheckPeriod. */
  periodMs: number;
  /** KEELSON_POD_GC_QUARANTINE_SECONDS [40]: how long a node must be missing before its pods go. */
  quarantineMs: number;
  /** KEELSON_TERMINATED_POD_GC_THRESHOLD [12500]: kube's --terminated-pod-gc-threshold; 0 = off. */
  terminatedThreshold: number;
}

export interface PodGcDeps {
  client: Pick<KeelsonClient, 'get' | 'updateStatus' | 'delete'>;
  nodes: ReadOnlyCache;
  pods: ReadOnlyCache;
  config: PodGcConfig;
  now?: () => number;
}

const isTerminal = (p: KubeObject): boolean => {
  const phase = (p.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};
const nodeNameOf = (p: KubeObject): string | undefined => (typeof p.spec?.nodeName === 'string' && p.spec.nodeName ? p.spec.nodeName : undefined);

export class PodGcReconciler implements Reconciler {
  /** Nodes seen missing, and since when (kube's quarantine queue). */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly d: PodGcDeps) {}

  async reconcile(_key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const now = (this.d.now ?? Date.now)();
    const pods = this.d.pods.list();
    await this.gcTerminated(pods, ctx);
    const next = await this.gcOrphaned(pods, now, ctx);
    await this.gcUnscheduledTerminating(pods, ctx);
    await this.gcTerminatingOutOfService(pods, ctx);
    return { requeueAfter: Math.max(100, Math.min(this.d.config.periodMs, next ?? Infinity)) };
  }

  private async gcTerminated(pods: KubeObject[], ctx: ReconcileContext): Promise<void> {
    const threshold = this.d.config.terminatedThreshold;
    if (threshold <= 0) return;
    const terminated = pods.filter((p) => isTerminal(p) && !p.metadata.deletionTimestamp);
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    terminated.sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
    ctx.logger.info('garbage collecting terminated pods', { count: excess, threshold });
    for (const pod of terminated.slice(0, excess)) {
      if (ctx.signal.aborted) return;
      await this.forceDelete(pod, ctx, 'terminated pod beyond the threshold');
    }
  }

  /** Returns when the next quarantine ends, if any node is still in it. */
  private async gcOrphaned(pods: KubeObject[], now: number, ctx: ReconcileContext): Promise<number | undefined> {
    const missing = new Set<string>();
    for (const pod of pods) {
      const node = nodeNameOf(pod);
      if (node && !this.d.nodes.getByName(undefined, node)) missing.add(node);
    }
    for (const node of this.missingSince.keys()) if (!missing.has(node)) this.missingSince.delete(node);
    let next: number | undefined;
    for (const node of missing) {
      const since = this.missingSince.get(node) ?? now;
      this.missingSince.set(node, since);
      const due = since + this.d.config.quarantineMs;
      if (due > now) {
        next = Math.min(next ?? Infinity, due - now);
        continue;
      }
      if (await this.nodeExists(node)) {
        this.missingSince.delete(node);
        continue;
      }
      for (const pod of this.d.pods.byNodeName(node)) {
        if (ctx.signal.aborted) return next;
        await this.forceDelete(pod, ctx, `node ${node} does not exist`);
      }
      this.missingSince.delete(node);
    }
    return next;
  }

  private async gcUnscheduledTerminating(pods: KubeObject[], ctx: ReconcileContext): Promise<void> {
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp && !nodeNameOf(pod) && !ctx.signal.aborted) await this.forceDelete(pod, ctx, 'terminating and never scheduled');
    }
  }

  private async gcTerminatingOutOfService(pods: KubeObject[], ctx: ReconcileContext): Promise<void> {
    const outOfService = new Set<string>();
    for (const node of this.d.nodes.list()) {
      const ready = readyCondition(node);
      const notReady = !ready || ready.status !== 'True';
      if (notReady && nodeTaints(node).some((t) => t.key === TAINT_OUT_OF_SERVICE)) outOfService.add(node.metadata.name!);
    }
    if (outOfService.size === 0) return;
    for (const pod of pods) {
      const node = nodeNameOf(pod);
      if (pod.metadata.deletionTimestamp && node && outOfService.has(node) && !ctx.signal.aborted) await this.forceDelete(pod, ctx, `terminating on out-of-service node ${node}`);
    }
  }

  private async nodeExists(name: string): Promise<boolean> {
    try {
      await this.d.client.get(NODES, undefined, name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async forceDelete(pod: KubeObject, ctx: ReconcileContext, why: string): Promise<void> {
    const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!isTerminal(pod)) await this.markFailed(pod).catch((err: unknown) => ctx.logger.debug('could not mark pod Failed before deleting it', { pod: ref, err: String(err) }));
    try {
      await this.d.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid }, signal: ctx.signal });
      ctx.logger.info('garbage collected pod', { pod: ref, reason: why });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err; // gone or replaced: nothing to collect
    }
  }

  private async markFailed(pod: KubeObject): Promise<void> {
    const status = (pod.status ?? {}) as { phase?: string; conditions?: { type: string }[] };
    const now = metaTime();
    const conditions = [
      ...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
      { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: now },
    ];
    await this.d.client.updateStatus(PODS, { ...pod, status: { ...status, phase: 'Failed', conditions } });
  }
}
