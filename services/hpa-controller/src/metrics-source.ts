// Where the numbers come from: the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics, as
// metrics-server serves it behind the gateway) and the pods' requests. Usage is in milli-units.
import { parseQuantity, type KubeObject } from '@keelson/api';
import type { KeelsonClient } from '@keelson/client';
import type { CalcPod, PodMetric } from './replica-calculator';
import type { PodMetrics } from './types';

export type PodMetricsFetcher = (namespace: string, labelSelector: string, signal?: AbortSignal) => Promise<PodMetrics[]>;

export function metricsApiFetcher(client: Pick<KeelsonClient, 'raw'>): PodMetricsFetcher {
  return async (namespace, labelSelector, signal) => {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = await client.raw<{ items?: PodMetrics[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${q}`, { signal });
    return list.items ?? [];
  };
}

/** A Go duration as metrics-server prints it ("30s", "1m0s", "15.5s", "500ms") in ms. */
export function durationMs(s: string | undefined): number {
  if (!s) return 0;
  let total = 0;
  for (const m of s.matchAll(/([0-9.]+)(h|ms|m|s|us|µs|ns)/g)) {
    const v = Number(m[1]);
    total += v * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 } as Record<string, number>)[m[2]];
  }
  return total;
}

/** GetResourceMetric: each pod's summed container usage; a pod missing the resource in any container has no metric. */
export function resourceMetrics(items: PodMetrics[], resource: string): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  for (const pm of items) {
    let sum = 0;
    let complete = pm.containers.length > 0;
    for (const c of pm.containers) {
      const v = parseQuantity(c.usage?.[resource]);
      if (v === undefined) { complete = false; break; }
      sum += v * 1000;
    }
    if (complete) out.set(pm.metadata.name, { value: Math.round(sum), timestamp: Date.parse(pm.timestamp), windowMs: durationMs(pm.window) });
  }
  return out;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter((x): x is Rec => !!rec(x)) : []);

/** The pod fields the calculator reads, with its summed container requests for `resource`. */
export function calcPod(pod: KubeObject, resource: string): CalcPod {
  const status = rec(pod.status) ?? {};
  const ready = arr(status.conditions).find((c) => c.type === 'Ready');
  let request: number | undefined = 0;
  let missing: string | undefined;
  for (const c of arr(rec(pod.spec)?.containers)) {
    const q = parseQuantity(rec(rec(c.resources)?.requests)?.[resource]);
    if (q === undefined) { request = undefined; missing = String(c.name ?? ''); break; }
    request += q * 1000;
  }
  return {
    name: pod.metadata.name ?? '',
    phase: typeof status.phase === 'string' ? status.phase : undefined,
    deleting: !!pod.metadata.deletionTimestamp,
    startTime: typeof status.startTime === 'string' ? Date.parse(status.startTime) : undefined,
    ready: ready ? { status: String(ready.status), lastTransitionTime: typeof ready.lastTransitionTime === 'string' ? Date.parse(ready.lastTransitionTime) : undefined } : undefined,
    request: request === undefined ? undefined : Math.round(request),
    missingRequestContainer: missing,
  };
}

/** resource.NewMilliQuantity(v, DecimalSI).String() for the values the status reports. */
export function milliQuantity(milli: number): string {
  const v = Math.round(milli);
  return v % 1000 === 0 ? String(v / 1000) : `${v}m`;
}
