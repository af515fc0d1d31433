// One node's pod handling: a worker per pod bound to the node, created on the pod's first
// sighting and told about every change; orphaned runtime state cleaned up after a restart.
import { TRACEPARENT_ANNOTATION } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import type { EventRecorder } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import { Backoff } from './backoff';
import type { LogTarget } from './log-server';
import { PodStartTrace, type PodStartCause } from './pod-start-trace';
import type { KubeletMetrics } from './metrics';
import { PodWorker } from './pod-worker';
import type { Runtime } from './runtime/runtime';
import type { StatusWriter } from './status-writer';
import { PODS, type Pod } from './types';

export interface KubeletOptions {
  nodeName: string;
  hostIP: string;
  runtime: Runtime;
  client: KeelsonClient;
  statusWriter: StatusWriter;
  /** Undefined: no Events (simulated nodes at scale). */
  recorder?: EventRecorder;
  backoffBaseMs: number;
  backoffMaxMs: number;
  log: Logger;
  /** Pod start latency, running pods, probe results (metrics.ts), shared by the process's nodes. */
  metrics?: KubeletMetrics;
}

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>(); // by pod uid
  private readonly byName = new Map<string, string>(); // namespace/name → uid
  private readonly crashBackoff: Backoff;
  private readonly pullBackoff: Backoff;

  constructor(private readonly opts: KubeletOptions) {
    this.crashBackoff = new Backoff(opts.backoffBaseMs, opts.backoffMaxMs);
    this.pullBackoff = new Backoff(opts.backoffBaseMs, opts.backoffMaxMs);
    opts.metrics?.addNode(() => this.workers.size);
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /**
   * A pod bound to this node was added or changed. `cause` is the trace of the change; by
   * default the pod's keelson.dev/traceparent, which for a newly seen pod is its binding's
   * (a pod already running, adopted after a kubelet restart, starts no trace).
   */
  upsert(pod: Pod, cause: PodStartCause = startCauseOf(pod)): void {
    const uid = pod.metadata.uid ?? '';
    let w = this.workers.get(uid);
    if (!w) {
      // A finished pod is not run again (Kubernetes never restarts a terminal pod).
      const phase = pod.status?.phase;
      if ((phase === 'Succeeded' || phase === 'Failed') && !pod.metadata.deletionTimestamp) return;
      this.opts.metrics?.podSeen(uid, phase === 'Running');
      w = new PodWorker(pod, {
        runtime: this.opts.runtime,
        crashBackoff: this.crashBackoff,
        pullBackoff: this.pullBackoff,
        hostIP: this.opts.hostIP,
        log: this.opts.log,
        writeStatus: (p, s) => {
          if (s.phase === 'Running') this.opts.metrics?.podRunning(uid);
          this.opts.statusWriter.write(p, s);
        },
        probed: (kind, result) => this.opts.metrics?.probed(kind, result),
        confirmDeletion: (p) => this.confirmDeletion(p),
        event: (p, type, reason, message) => this.opts.recorder?.event(p, type, reason, message),
      }, new PodStartTrace(pod, this.opts.nodeName, cause));
      this.workers.set(uid, w);
      this.byName.set(`${pod.metadata.namespace}/${pod.metadata.name}`, uid);
      w.sync();
      return;
    }
    w.update(pod);
  }

  /** The pod is gone from the API: stop whatever still runs for it. */
  removed(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const w = this.workers.get(uid);
    this.workers.delete(uid);
    if (this.byName.get(`${pod.metadata.namespace}/${pod.metadata.name}`) === uid) this.byName.delete(`${pod.metadata.namespace}/${pod.metadata.name}`);
    this.opts.statusWriter.forget(uid);
    this.opts.metrics?.podGone(uid);
    void w?.remove().catch((err: unknown) => this.opts.log.error('stopping a removed pod failed', { uid, err: String(err) }));
  }

  /** Re-syncs every pod (level-based safety net). */
  resync(): void {
    for (const w of this.workers.values()) w.sync();
  }

  /** After the first pod list: runtime state of pods that no longer exist is stopped and removed. */
  async cleanupOrphans(knownUids: Set<string>): Promise<void> {
    for (const uid of await this.opts.runtime.knownPodUids()) {
      if (knownUids.has(uid) || this.workers.has(uid)) continue;
      this.opts.log.info('removing state of a pod that no longer exists', { node: this.nodeName, uid });
      await this.opts.runtime.removePod(uid, 10_000);
    }
  }

  /** The kubelet stops: its pods keep running (a new kubelet adopts them). */
  detach(): void {
    for (const w of this.workers.values()) w.detach();
  }

  /** The kubelet stops gracefully: its pods' containers are stopped (each within `maxGraceMs`). */
  async shutdown(maxGraceMs: number): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.shutdown(maxGraceMs).catch((err: unknown) => {
      this.opts.log.error('stopping a pod at shutdown failed', { uid: w.uid, err: String(err) });
    })));
  }

  logTarget(namespace: string, name: string, container: string): LogTarget | 'no-pod' | 'no-container' {
    const uid = this.byName.get(`${namespace}/${name}`);
    const w = uid ? this.workers.get(uid) : undefined;
    if (!w || !uid) return 'no-pod';
    const state = w.containerState(container);
    const restartCount = w.restartCount(container);
    if (!state.exists || restartCount === undefined) return 'no-container';
    const rt = this.opts.runtime;
    return {
      path: (n) => rt.logPath(uid, container, n),
      restartCount,
      running: state.running,
      waiting: state.waiting,
      stillRunning: () => w.restartCount(container) === restartCount && w.containerState(container).running,
    };
  }

  /** The pod and its containers' IDs, for exec, attach and port-forward (streaming/). */
  streamTarget(namespace: string, name: string): { pod: Pod; containerID(container: string): string | undefined } | undefined {
    const uid = this.byName.get(`${namespace}/${name}`);
    const w = uid ? this.workers.get(uid) : undefined;
    return w && { pod: w.current, containerID: (c) => w.containerID(c) };
  }

  private async confirmDeletion(pod: Pod): Promise<void> {
    try {
      await this.opts.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      this.opts.log.info('pod deleted', { pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    } catch (err) {
      // Gone already (grace ended at the gateway, or another actor): nothing left to do.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

function startCauseOf(pod: Pod): PodStartCause {
  if (pod.status?.phase && pod.status.phase !== 'Pending') return { background: true };
  return { traceparent: pod.metadata.annotations?.[TRACEPARENT_ANNOTATION] };
}
