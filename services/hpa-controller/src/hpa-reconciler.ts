// reconcileAutoscaler of kube's HorizontalController: read the target's scale, compute the
// replicas each metric asks for (the largest wins), stabilise and rate-limit them with the
// behaviour, write the target's /scale, then the HPA's status (currentReplicas, desiredReplicas,
// currentMetrics, lastScaleTime, AbleToScale/ScalingActive/ScalingLimited) and Events.
// Every HPA is evaluated again after the sync period, as upstream's resync does.
import { parseLabelSelector, parseQuantity, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import { splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import { newBehaviorState, normalizeWithBehavior, recordScaleEvent, withDefaults, type BehaviorState, type ConditionVerdict } from './behavior';
import type { HpaControllerConfig } from './config';
import { calcPod, milliQuantity, resourceMetrics, type PodMetricsFetcher } from './metrics-source';
import { replicasForAverageValue, resourceReplicasForUtilization, type CalcOptions } from './replica-calculator';
import { HPAS, type HorizontalPodAutoscaler, type HpaCondition, type HpaStatus, type MetricSpec, type Scale } from './types';

export interface HpaReconcilerOptions {
  client: Pick<KeelsonClient, 'raw' | 'patch' | 'updateStatus'>;
  hpas: ReadOnlyCache<HorizontalPodAutoscaler>;
  pods: ReadOnlyCache<KubeObject>;
  fetchPodMetrics: PodMetricsFetcher;
  recorder: Pick<EventRecorder, 'event'>;
  config: HpaControllerConfig;
  now?: () => number;
}

/** A failure with the condition reason upstream reports it under. */
class MetricError extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}

interface MetricProposal { replicas: number; name: string; status: unknown }

/** The scale subresource path of a target (apps/v1 Deployment, ReplicaSet, StatefulSet; v1 ReplicationController). */
export function scalePath(namespace: string, ref: { apiVersion?: string; kind: string; name: string }): string {
  const [group, version] = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion as string).split('/') : ['', ref.apiVersion || 'v1'];
  const resource = `${ref.kind.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(ref.name)}/scale`;
}

export class HpaReconciler implements Reconciler {
  private readonly state = new Map<string, BehaviorState>();
  constructor(private readonly opts: HpaReconcilerOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace = '', name } = splitKey(key);
    const hpa = this.opts.hpas.getByName(namespace, name);
    if (!hpa || hpa.metadata.deletionTimestamp) {
      this.state.delete(key);
      return;
    }
    const requeue = { requeueAfter: this.opts.config.syncPeriodMs };
    const conditions = new Map<string, HpaCondition>((hpa.status?.conditions ?? []).map((c) => [c.type, c]));
    const nowIso = new Date(this.now()).toISOString();
    const set = (type: string, v: ConditionVerdict | { status: 'True' | 'False'; reason: string; message: string }) => {
      const old = conditions.get(type);
      conditions.set(type, { type, status: v.status, reason: v.reason, message: v.message, lastTransitionTime: old && old.status === v.status ? old.lastTransitionTime : nowIso });
    };
    const status: HpaStatus = { ...(hpa.status ?? { currentReplicas: 0, desiredReplicas: 0 }) };
    const ref = hpa.spec.scaleTargetRef;
    const writeStatus = async () => {
      status.observedGeneration = hpa.metadata.generation;
      status.conditions = ['AbleToScale', 'ScalingActive', 'ScalingLimited'].map((t) => conditions.get(t)).filter((c): c is HpaCondition => !!c);
      try {
        await this.opts.client.updateStatus(HPAS, { ...hpa, status }, { signal: ctx.signal });
      } catch (err) {
        // A deleted HPA is done; a stale cache (kubectl edited it meanwhile) syncs again with the next sync period.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    };

    let scale: Scale;
    try {
      scale = await this.opts.client.raw<Scale>('GET', scalePath(namespace, ref), { signal: ctx.signal });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      set('AbleToScale', { status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${msg}` });
      this.opts.recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      await writeStatus();
      return requeue;
    }
    set('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    const currentReplicas = scale.spec?.replicas ?? 0;
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    let desired = currentReplicas;
    let reason = '';
    let rescale = false;
    status.currentReplicas = scale.status?.replicas ?? currentReplicas;

    if (currentReplicas === 0 && minReplicas !== 0) {
      desired = 0;
      set('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    } else if (currentReplicas > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      let proposal: MetricProposal;
      try {
        proposal = await this.computeReplicasForMetrics(hpa, scale, currentReplicas, ctx.signal);
      } catch (err) {
        const e = err instanceof MetricError ? err : new MetricError('FailedComputeMetricsReplicas', err instanceof Error ? err.message : String(err));
        set('ScalingActive', { status: 'False', reason: e.reason, message: `the HPA was unable to compute the replica count: ${e.message}` });
        this.opts.recorder.event(hpa, 'Warning', e.reason, e.message);
        status.desiredReplicas = currentReplicas;
        await writeStatus();
        return requeue;
      }
      set('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${proposal.name}` });
      const st = this.state.get(key) ?? newBehaviorState();
      this.state.set(key, st);
      const normalized = normalizeWithBehavior(st, {
        behavior: withDefaults(hpa.spec.behavior, this.opts.config.downscaleStabilizationSeconds),
        minReplicas, maxReplicas, currentReplicas, desiredReplicas: proposal.replicas, now: this.now(),
      });
      set('AbleToScale', normalized.ableToScale);
      set('ScalingLimited', normalized.scalingLimited);
      desired = normalized.replicas;
      reason = desired > currentReplicas ? `${proposal.name} above target` : 'All metrics below target';
      status.currentMetrics = [proposal.status];
    }
    rescale = desired !== currentReplicas;

    if (rescale) {
      try {
        await this.opts.client.raw('PATCH', scalePath(namespace, ref), { signal: ctx.signal, body: { spec: { replicas: desired } }, contentType: 'application/merge-patch+json' });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        set('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${msg}` });
        this.opts.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        status.desiredReplicas = currentReplicas;
        await writeStatus();
        return requeue;
      }
      set('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      this.opts.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      const st = this.state.get(key);
      if (st) recordScaleEvent(st, withDefaults(hpa.spec.behavior, this.opts.config.downscaleStabilizationSeconds), currentReplicas, desired, this.now());
      status.lastScaleTime = nowIso;
    }
    status.desiredReplicas = desired;
    await writeStatus();
    return requeue;
  }

  /** computeReplicasForMetrics: the largest proposal; invalid metrics block a scale-down. */
  private async computeReplicasForMetrics(hpa: HorizontalPodAutoscaler, scale: Scale, currentReplicas: number, signal: AbortSignal): Promise<MetricProposal> {
    const specs = hpa.spec.metrics?.length ? hpa.spec.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    const selectorText = scale.status?.selector;
    if (!selectorText) throw new MetricError('SelectorRequired', "the HPA target's scale is missing a selector");
    let selector;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      throw new MetricError('InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${err instanceof Error ? err.message : String(err)}`);
    }
    const namespace = hpa.metadata.namespace ?? '';
    const pods = this.opts.pods.byNamespace(namespace).filter((p) => selector.matches(p.metadata.labels));
    let best: MetricProposal | undefined;
    let invalid = 0;
    let firstError: MetricError | undefined;
    for (const spec of specs) {
      try {
        const p = await this.resourceProposal(spec, namespace, selectorText, pods, currentReplicas, signal);
        if (!best || p.replicas > best.replicas) best = p;
      } catch (err) {
        invalid++;
        firstError ??= err instanceof MetricError ? err : new MetricError('FailedGetResourceMetric', err instanceof Error ? err.message : String(err));
      }
    }
    if (firstError && (invalid >= specs.length || !best || best.replicas < currentReplicas)) {
      if (specs.length === 1) throw firstError;
      throw new MetricError(firstError.reason, `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`);
    }
    return best as MetricProposal;
  }

  private async resourceProposal(spec: MetricSpec, namespace: string, selector: string, pods: KubeObject[], currentReplicas: number, signal: AbortSignal): Promise<MetricProposal> {
    if (spec.type !== 'Resource' || !spec.resource) throw new MetricError('InvalidMetricSourceType', `the HPA was unable to compute the replica count: unsupported metric source type "${spec.type}"`);
    const { name: resource, target } = spec.resource;
    let items;
    try {
      items = await this.opts.fetchPodMetrics(namespace, selector, signal);
    } catch (err) {
      throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const metrics = resourceMetrics(items, resource);
    const calc: CalcOptions = { tolerance: this.opts.config.tolerance, cpuInitializationPeriodMs: this.opts.config.cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs: this.opts.config.delayOfInitialReadinessStatusMs, now: this.now() };
    const calcPods = pods.map((p) => calcPod(p, resource));
    try {
      if (target.type === 'Utilization' && target.averageUtilization !== undefined) {
        const r = resourceReplicasForUtilization(currentReplicas, target.averageUtilization, resource, calcPods, metrics, calc);
        return {
          replicas: r.replicas,
          name: `${resource} resource utilization (percentage of request)`,
          status: { type: 'Resource', resource: { name: resource, current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) } } },
        };
      }
      const avg = parseQuantity(target.averageValue);
      if (target.type === 'AverageValue' && avg !== undefined) {
        const r = replicasForAverageValue(currentReplicas, avg * 1000, resource, calcPods, metrics, calc);
        return { replicas: r.replicas, name: `${resource} resource`, status: { type: 'Resource', resource: { name: resource, current: { averageValue: milliQuantity(r.average) } } } };
      }
    } catch (err) {
      throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: ${err instanceof Error ? err.message : String(err)}`);
    }
    throw new MetricError('FailedGetResourceMetric', `invalid resource metric source: neither a utilization target nor a value target was set`);
  }
}
