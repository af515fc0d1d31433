// A pod's and a container's cgroup settings from `resources`, as the kubelet computes them
// (pkg/kubelet/cm/helpers_linux.go, kuberuntime's container resources):
//   - cpu request → cpu.shares (milli × 1024 / 1000, at least 2); none → 2;
//   - cpu limit → CFS quota per 100 ms period (milli × period / 1000, at least 1 ms);
//   - memory limit → the memory limit; the pod's limits are the sums of its containers' when
//     every container has one (else the pod is not limited), init containers counted as kube
//     does (the larger of the app containers' sum and the largest init container);
//   - QoS class (libs/api's podQOSClass, kube's GetPodQOS) places the pod in the hierarchy:
//     Guaranteed → kubepods/pod<uid>, Burstable → kubepods/burstable/pod<uid>,
//     BestEffort → kubepods/besteffort/pod<uid>.
import { parseQuantity, podQOSClass } from '@keelson/api';
import type { Container, Pod } from '../../types';
import type { CgroupLimits } from './driver';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA_US = 1000;

interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

function resourcesOf(c: Container): Resources {
  const r = (c as { resources?: unknown }).resources;
  return r && typeof r === 'object' ? (r as Resources) : {};
}

/** A positive quantity, or undefined (unset, zero or unparsable). */
function quantity(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v !== undefined && v > 0 ? v : undefined;
}

/** requests default to limits (the API server does this; a pod from elsewhere may lack it). */
function request(c: Container, name: string): number | undefined {
  const r = resourcesOf(c);
  return quantity(r.requests?.[name]) ?? quantity(r.limits?.[name]);
}

function limit(c: Container, name: string): number | undefined {
  return quantity(resourcesOf(c).limits?.[name]);
}

export function milliCpuToShares(cpu: number | undefined): number {
  if (!cpu) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((Math.round(cpu * 1000) * 1024) / 1000)));
}

export function milliCpuToQuota(cpu: number | undefined, periodUs = CPU_PERIOD_US): number {
  if (!cpu) return -1;
  return Math.max(MIN_QUOTA_US, Math.floor((Math.round(cpu * 1000) * periodUs) / 1000));
}

const QOS_CLASSES: ReadonlySet<string> = new Set<QOSClass>(['Guaranteed', 'Burstable', 'BestEffort']);

/**
 * kube's GetPodQOS: the class the API server recorded in `status.qosClass` when it created the pod
 * (it never changes after), else computed from the spec as the API server defaults it (a limit
 * without a request requests the limit).
 */
export function qosOf(pod: Pod): QOSClass {
  const recorded = pod.status?.qosClass;
  if (recorded !== undefined && QOS_CLASSES.has(recorded)) return recorded as QOSClass;
  const withRequests = (c: Container): Container => {
    const r = resourcesOf(c);
    if (!r.limits) return c;
    return { ...c, resources: { ...r, requests: { ...r.limits, ...(r.requests ?? {}) } } } as Container;
  };
  return podQOSClass({ ...pod.spec, containers: pod.spec.containers.map(withRequests), initContainers: (pod.spec.initContainers ?? []).map(withRequests) });
}

/** The cgroup path of a pod under the node's root, by QoS class (kubelet's cgroupfs naming). */
export function podCgroupPath(pod: Pod): string {
  return `${qosDir(qosOf(pod))}/pod${pod.metadata.uid ?? ''}`;
}

export function qosDir(q: QOSClass): string {
  return q === 'Guaranteed' ? 'kubepods' : `kubepods/${q.toLowerCase()}`;
}

/** One container's cgroup: its own requests and limits. */
export function containerLimits(c: Container): CgroupLimits {
  const mem = limit(c, 'memory');
  return {
    cpuShares: milliCpuToShares(request(c, 'cpu')),
    cpuPeriodUs: CPU_PERIOD_US,
    cpuQuotaUs: milliCpuToQuota(limit(c, 'cpu')),
    memoryBytes: mem === undefined ? -1 : Math.floor(mem),
  };
}

/** A pod-wide total of one resource: the app containers' sum, or the largest init container if larger. */
function podTotal(pod: Pod, per: (c: Container) => number | undefined, needAll: boolean): number | undefined {
  let sum = 0;
  for (const c of pod.spec.containers) {
    const v = per(c);
    if (v === undefined && needAll) return undefined;
    sum += v ?? 0;
  }
  let init = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const v = per(c);
    if (v === undefined && needAll) return undefined;
    init = Math.max(init, v ?? 0);
  }
  return Math.max(sum, init) || undefined;
}

/** The pod's cgroup: shares from total requests, quota and memory only when every container is limited. */
export function podLimits(pod: Pod, pidsLimit: number): CgroupLimits {
  const mem = podTotal(pod, (c) => limit(c, 'memory'), true);
  return {
    cpuShares: milliCpuToShares(podTotal(pod, (c) => request(c, 'cpu'), false)),
    cpuPeriodUs: CPU_PERIOD_US,
    cpuQuotaUs: milliCpuToQuota(podTotal(pod, (c) => limit(c, 'cpu'), true)),
    memoryBytes: mem === undefined ? -1 : Math.floor(mem),
    pidsMax: pidsLimit,
  };
}
