// The scheduler: one pod per reconcile (the Controller's queue is the active queue), against
// the SchedulerCache. A fitting pod is assumed onto its node at once and bound
// asynchronously with bounded concurrency, so the next cycle already sees it there.
// An unschedulable pod waits a back-off (doubling, capped) before its next attempt, and is
// retried sooner when the cluster changes in a way that may let it fit (a node added or
// changed, a pod deleted or finished).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isRecord, metaTime, PODS, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { keyOf, triggerMeta, type ControllerQueue, type EventInfo, type EventRecorder, type ReadOnlyCache, type Reconciler, type ResourceEventHandler } from '@keelson/controller-runtime';
import { withSpan, type Logger } from '@keelson/telemetry';
import type { SchedulerConfig } from './config';
import { DEFAULT_SCHEDULER_NAME, fitErrorMessage, schedulePod, type Profile } from './framework';
import type { SchedulerMetrics } from './metrics';
import { isTerminal, podInfo, type PodInfo } from './pod-info';
import { SchedulerCache } from './scheduler-cache';
import { Semaphore } from './semaphore';

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface SchedulerDeps {
  client: Pick<KeelsonClient, 'bind' | 'patch'>;
  pods: ReadOnlyCache;
  /** One per schedulerName this process serves; a pod naming none of them is left alone. */
  profiles: readonly ProfileRunner[];
  config: SchedulerConfig;
  log: Logger;
  metrics?: SchedulerMetrics;
  /** The queue pods are scheduled from (the controller running this reconciler). */
  queue: ControllerQueue;
}

/** A profile and the recorder whose Events name it (reportingController = its schedulerName). */
export interface ProfileRunner {
  schedulerName: string;
  profile: Profile;
  recorder: Pick<EventRecorder, 'event'>;
}

/** spec.schedulerName, defaulted as the API server does. */
export function schedulerNameOf(pod: KubeObject): string {
  const name = isRecord(pod.spec) ? pod.spec.schedulerName : undefined;
  return typeof name === 'string' && name ? name : DEFAULT_SCHEDULER_NAME;
}

export class Scheduler implements Reconciler {
  readonly cache: SchedulerCache;
  private readonly binds: Semaphore;
  /** Failed attempts per pod since it last fit (drives the back-off). */
  private readonly attempts = new Map<string, number>();
  /** Unschedulable pods waiting out their back-off. */
  private readonly backingOff = new Set<string>();
  private lastYield = Date.now();
  /** Where the next cycle's search over the nodes starts (kube's nextStartNodeIndex). */
  private nextStartNodeIndex = 0;
  private sweeper?: NodeJS.Timeout;
  private readonly profiles: ReadonlyMap<string, ProfileRunner>;

  constructor(private readonly d: SchedulerDeps) {
    this.profiles = new Map(d.profiles.map((p) => [p.schedulerName, p]));
    this.cache = new SchedulerCache(d.config.assumedTtlMs);
    this.binds = new Semaphore(d.config.bindConcurrency);
  }

  /** Starts dropping assumed pods the informer never confirmed (a Manager Runnable). */
  start(): void {
    if (this.d.config.assumedTtlMs <= 0) return; // assumptions never expire (the default)
    this.sweeper ??= setInterval(() => {
      if (this.cache.cleanupExpired().length) this.moveAllToActive();
    }, Math.min(this.d.config.assumedTtlMs, 5000));
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** Is this pod waiting for this scheduler? */
  responsibleFor(pod: KubeObject): boolean {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    return !spec.nodeName && !pod.metadata.deletionTimestamp && this.profiles.has(schedulerNameOf(pod)) && !isTerminal(pod);
  }

  /** The profile serving this pod (only asked of pods responsibleFor accepted). */
  private runnerFor(pod: KubeObject): ProfileRunner {
    return this.profiles.get(schedulerNameOf(pod)) ?? this.d.profiles[0];
  }

  nodeHandler(): ResourceEventHandler {
    return {
      onAdd: (n) => {
        this.cache.setNode(n);
        this.moveAllToActive();
      },
      onUpdate: (old, n, info) => {
        this.cache.setNode(n);
        if (!info.resync && nodeSchedulingChanged(old, n)) this.moveAllToActive();
      },
      onDelete: (n) => this.cache.removeNode(String(n.metadata.name)),
    };
  }

  podHandler(): ResourceEventHandler {
    return {
      onAdd: (p, info) => this.onPod(undefined, p, info),
      onUpdate: (old, p, info) => this.onPod(old, p, info),
      onDelete: (p) => {
        const key = keyOf(p);
        const held = isRecord(p.spec) && !!p.spec.nodeName;
        this.cache.removePod(key);
        this.attempts.delete(key);
        this.backingOff.delete(key);
        if (held) this.moveAllToActive(); // its resources are free now
      },
    };
  }

  private onPod(old: KubeObject | undefined, pod: KubeObject, info: EventInfo): void {
    const key = keyOf(pod);
    const resync = info.resync === true;
    if (isRecord(pod.spec) && pod.spec.nodeName) {
      this.backingOff.delete(key);
      this.attempts.delete(key);
      if (isTerminal(pod)) {
        this.cache.removePod(key);
        if (old && !isTerminal(old)) this.moveAllToActive();
      } else {
        this.cache.setBoundPod(pod); // confirms our assumption, or records another's binding
      }
      return;
    }
    if (!this.responsibleFor(pod) || this.cache.isAssumed(key)) return;
    // A pod backing off comes back early only when its spec or labels change (not for its
    // own status write or a resync): the back-off is the point.
    if (this.backingOff.has(key) && (resync || (old && !podSchedulingChanged(old, pod)))) return;
    // The scheduling cycle continues the trace of the write that made the pod (or changed it).
    this.d.queue.enqueue(key, triggerMeta(pod, info));
  }

  /** Something changed that may let waiting pods fit: retry them now. */
  moveAllToActive(): void {
    for (const key of this.backingOff) this.d.queue.enqueue(key);
    this.backingOff.clear();
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.d.pods.get(key);
    if (!pod || !this.responsibleFor(pod) || this.cache.isAssumed(key)) return;
    const started = performance.now();
    this.backingOff.delete(key);
    const info = podInfo(pod);
    const nodes = this.cache.nodeInfos();
    const runner = this.runnerFor(pod);
    const result = nodes.length ? schedulePod(runner.profile, info, nodes, { start: this.nextStartNodeIndex }) : undefined;
    // A pod that fits nowhere was checked against every node: the next search starts where this one did.
    if (result?.ok) this.nextStartNodeIndex = (this.nextStartNodeIndex + result.evaluated) % nodes.length;
    if (!result?.ok) {
      this.d.metrics?.attempted('unschedulable', started, runner.schedulerName);
      this.failed(pod, result ? fitErrorMessage(result.numAllNodes, result.failures) : ERR_NO_NODES_AVAILABLE);
      await this.maybeYield();
      return;
    }
    this.d.metrics?.attempted('scheduled', started, runner.schedulerName);
    this.attempts.delete(key);
    this.cache.assume(info, result.node);
    // The cycle is done; binding overlaps the next cycles. Waiting for a slot is the back-pressure.
    await this.binds.acquire();
    void this.bind(info, result.node).finally(() => this.binds.release());
    await this.maybeYield();
  }

  private async bind(info: PodInfo, node: string): Promise<void> {
    const { namespace = 'default', name = '' } = info.pod.metadata;
    const started = process.hrtime.bigint();
    try {
      await withSpan('bind', { 'keelson.pod': info.key, 'keelson.node': node }, () => this.d.client.bind(namespace, name, node));
      this.d.metrics?.bindings.inc({ result: 'success' });
      this.cache.finishBinding(info.key);
      if (this.d.config.scheduledEvents) this.runnerFor(info.pod).recorder.event(info.pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (err) {
      this.d.metrics?.bindings.inc({ result: 'failure' });
      this.cache.forget(info.key);
      // 404: the pod is gone; 409: bound by someone else or being deleted. The informer will tell.
      if (isNotFound(err) || isConflict(err)) {
        this.d.log.info('binding rejected; dropping the assumption', { pod: info.key, node, msg: messageOf(err) });
        return;
      }
      this.d.log.warn('binding failed; retrying with back-off', { pod: info.key, node, err });
      this.failed(info.pod, `Binding rejected: ${(err as Error).message}`, false);
    } finally {
      this.d.metrics?.bindingDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** FailedScheduling Event, PodScheduled=False condition, and a retry after the back-off. */
  private failed(pod: KubeObject, message: string, unschedulable = true): void {
    const key = keyOf(pod);
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    const delay = Math.min(this.d.config.backoffInitialMs * 2 ** (n - 1), this.d.config.backoffMaxMs);
    this.backingOff.add(key);
    this.d.queue.enqueueAfter(key, delay);
    this.runnerFor(pod).recorder.event(pod, 'Warning', 'FailedScheduling', message);
    if (unschedulable) void this.setUnschedulableCondition(pod, message);
  }

  private async setUnschedulableCondition(pod: KubeObject, message: string): Promise<void> {
    const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? (pod.status.conditions as Record<string, unknown>[]) : [];
    const current = conditions.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const now = metaTime();
    const condition = {
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && typeof current.lastTransitionTime === 'string' ? current.lastTransitionTime : now,
    };
    const { namespace, name = '' } = pod.metadata;
    try {
      await this.d.client.patch(PODS, namespace, name, { status: { conditions: [condition] } }, { type: 'strategic', subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) this.d.log.warn('could not set the PodScheduled condition', { pod: keyOf(pod), err });
    }
  }

  /** Lets events and binding responses in between long runs of synchronous cycles. */
  private async maybeYield(): Promise<void> {
    if (Date.now() - this.lastYield < 20) return;
    await yieldToLoop();
    this.lastYield = Date.now();
  }
}

/** Node changes that can make a pod fit (kube's nodeSchedulingPropertiesChange). */
export function nodeSchedulingChanged(old: KubeObject, n: KubeObject): boolean {
  const pick = (o: KubeObject): string =>
    JSON.stringify([o.metadata.labels ?? {}, o.spec?.unschedulable ?? false, o.spec?.taints ?? [], isRecord(o.status) ? o.status.allocatable ?? {} : {}]);
  return pick(old) !== pick(n);
}

function podSchedulingChanged(old: KubeObject, pod: KubeObject): boolean {
  return JSON.stringify([old.spec, old.metadata.labels]) !== JSON.stringify([pod.spec, pod.metadata.labels]);
}
