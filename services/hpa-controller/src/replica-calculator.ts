// The replica calculation of kube's HPA (pkg/controller/podautoscaler/replica_calculator.go):
// desired = ceil(usageRatio × ready pods), unchanged inside the tolerance; pods still starting,
// pending or unready (cpu) and pods without a metric are handled as upstream does, so a
// half-started scale-up never triggers another scale-up and missing metrics never flip the
// direction. Pure: pods, metrics and the clock come in as arguments.

/** The pod fields the calculation reads. */
export interface CalcPod {
  name: string;
  phase?: string;
  deleting?: boolean;
  /** status.startTime, ms since epoch. */
  startTime?: number;
  /** The Ready condition. */
  ready?: { status: string; lastTransitionTime?: number };
  /** The summed container requests for the resource (milli-units), undefined when a container has none. */
  request?: number;
  /** A container without a request for the resource (for the error message). */
  missingRequestContainer?: string;
}

/** A pod's usage from the metrics API (milli-units), its sample time and window. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface CalcOptions {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
  now: number;
}

export const DEFAULT_CALC: Omit<CalcOptions, 'now'> = { tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 };

export class MetricCalcError extends Error {}

export interface ResourceResult {
  replicas: number;
  /** Average utilization in percent of the request (Utilization targets). */
  utilization: number;
  /** Average usage per pod, milli-units. */
  rawAverage: number;
}

interface Grouped {
  readyCount: number;
  ignored: Set<string>;
  unready: Set<string>;
  missing: Set<string>;
}

/** groupPods: which pods count, which are ignored (deleted, failed), unready (pending, cpu warming up) or missing a metric. */
export function groupPods(pods: CalcPod[], metrics: Map<string, PodMetric>, isCpu: boolean, o: CalcOptions): Grouped {
  const g: Grouped = { readyCount: 0, ignored: new Set(), unready: new Set(), missing: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') { g.ignored.add(pod.name); continue; }
    if (pod.phase === 'Pending') { g.unready.add(pod.name); continue; }
    const metric = metrics.get(pod.name);
    if (!metric) { g.missing.add(pod.name); continue; }
    if (isCpu) {
      let unready: boolean;
      const cond = pod.ready;
      if (!cond || pod.startTime === undefined) unready = true;
      else if (pod.startTime + o.cpuInitializationPeriodMs > o.now) {
        // Still initializing: a sample taken before the pod became ready may hold start-up burn.
        unready = cond.status === 'False' || metric.timestamp < (cond.lastTransitionTime ?? 0) + metric.windowMs;
      } else {
        // Past initialization: unready only if it never became ready shortly after start.
        unready = cond.status === 'False' && pod.startTime + o.delayOfInitialReadinessStatusMs > (cond.lastTransitionTime ?? 0);
      }
      if (unready) { g.unready.add(pod.name); continue; }
    }
    g.readyCount++;
  }
  return g;
}

function without(metrics: Map<string, PodMetric>, names: Set<string>): Map<string, PodMetric> {
  const out = new Map(metrics);
  for (const n of names) out.delete(n);
  return out;
}

function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let requestsTotal = 0;
  let metricsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const req = requests.get(name);
    if (req === undefined) continue;
    requestsTotal += req;
    metricsTotal += m.value;
    n++;
  }
  if (requestsTotal === 0) throw new MetricCalcError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: metricsTotal / n };
}

const withinTolerance = (ratio: number, tolerance: number) => Math.abs(1 - ratio) <= tolerance;

/** GetResourceReplicas: a Utilization target (percent of the pods' requests). */
export function resourceReplicasForUtilization(currentReplicas: number, targetUtilization: number, resource: string, pods: CalcPod[], podMetrics: Map<string, PodMetric>, o: CalcOptions): ResourceResult {
  if (pods.length === 0) throw new MetricCalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, podMetrics, resource === 'cpu', o);
  let metrics = without(without(podMetrics, g.ignored), g.unready);
  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (pod.request === undefined) throw new MetricCalcError(`missing request for ${resource} in container ${pod.missingRequestContainer ?? ''} of Pod ${pod.name}`);
    requests.set(pod.name, pod.request);
  }
  if (metrics.size === 0) throw new MetricCalcError('did not receive metrics for any ready pods');
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
  const rebalanceUnready = g.unready.size > 0 && ratio > 1;
  if (!rebalanceUnready && g.missing.size === 0) {
    if (withinTolerance(ratio, o.tolerance)) return { replicas: currentReplicas, utilization, rawAverage };
    return { replicas: Math.ceil(ratio * g.readyCount), utilization, rawAverage };
  }
  metrics = new Map(metrics);
  if (g.missing.size > 0) {
    // Scale-down: a pod without a metric counts as using its whole request; scale-up: none of it.
    for (const name of g.missing) {
      if (ratio < 1) metrics.set(name, { value: requests.get(name) ?? 0, timestamp: o.now, windowMs: 0 });
      else if (ratio > 1) metrics.set(name, { value: 0, timestamp: o.now, windowMs: 0 });
    }
  }
  if (rebalanceUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp: o.now, windowMs: 0 });
  const fresh = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (withinTolerance(fresh, o.tolerance) || (ratio < 1 && fresh > 1) || (ratio > 1 && fresh < 1)) {
    return { replicas: currentReplicas, utilization, rawAverage };
  }
  const replicas = Math.ceil(fresh * metrics.size);
  if ((fresh < 1 && replicas > currentReplicas) || (fresh > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization, rawAverage };
  return { replicas, utilization, rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: an AverageValue target (milli-units per pod). */
export function replicasForAverageValue(currentReplicas: number, targetAverage: number, resource: string, pods: CalcPod[], podMetrics: Map<string, PodMetric>, o: CalcOptions): { replicas: number; average: number } {
  if (pods.length === 0) throw new MetricCalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, podMetrics, resource === 'cpu', o);
  let metrics = without(without(podMetrics, g.ignored), g.unready);
  if (metrics.size === 0) throw new MetricCalcError('did not receive metrics for any ready pods');
  const ratioOf = (m: Map<string, PodMetric>) => {
    let total = 0;
    for (const v of m.values()) total += v.value;
    const average = total / m.size;
    return { ratio: average / targetAverage, average };
  };
  const { ratio, average } = ratioOf(metrics);
  const rebalanceUnready = g.unready.size > 0 && ratio > 1;
  if (!rebalanceUnready && g.missing.size === 0) {
    if (withinTolerance(ratio, o.tolerance)) return { replicas: currentReplicas, average };
    return { replicas: Math.ceil(ratio * g.readyCount), average };
  }
  metrics = new Map(metrics);
  for (const name of g.missing) metrics.set(name, { value: ratio < 1 ? targetAverage : 0, timestamp: o.now, windowMs: 0 });
  if (rebalanceUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp: o.now, windowMs: 0 });
  const fresh = ratioOf(metrics).ratio;
  if (withinTolerance(fresh, o.tolerance) || (ratio < 1 && fresh > 1) || (ratio > 1 && fresh < 1)) return { replicas: currentReplicas, average };
  return { replicas: Math.ceil(fresh * metrics.size), average };
}
