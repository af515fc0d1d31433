// LimitRanger admission (plugin/pkg/admission/limitranger) for pods: each LimitRange of the
// namespace defaults the containers' missing requests (defaultRequest) and limits (default),
// noting what it set in the `kubernetes.io/limit-ranger` annotation, then enforces min, max
// and maxLimitRequestRatio per Container and per Pod with kube's 403 messages.
import { errors, formatQuantity, isRecord, parseQuantity, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { WatchCache } from '@keelson/storage';
import type { AdmissionCheck } from '../registry/resource-store';

const LIMIT_RANGES = '/limitranges';
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Quantities = Record<string, string>;
type Container = { name?: string; resources?: { requests?: Quantities; limits?: Quantities } };

const quantities = (v: unknown): Quantities =>
  Object.fromEntries(Object.entries(isRecord(v) ? v : {}).filter((e): e is [string, string] => typeof e[1] === 'string' || typeof e[1] === 'number').map(([k, q]) => [k, String(q)]));

function containersOf(pod: KubeObject): Container[] {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  return [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])].filter(isRecord) as Container[];
}

function itemsOf(ranges: KubeObject[], type: string): Array<Record<string, unknown>> {
  return ranges.flatMap((r) => {
    const limits = isRecord(r.spec) && Array.isArray(r.spec.limits) ? r.spec.limits : [];
    return limits.filter((i): i is Record<string, unknown> => isRecord(i) && i.type === type);
  });
}

/** defaultContainerResourceRequirements + mergeContainerResources; returns the annotation text. */
export function applyLimitRangeDefaults(pod: KubeObject, ranges: KubeObject[]): string | undefined {
  const notes: string[] = [];
  for (const item of itemsOf(ranges, 'Container')) {
    const defLimits = quantities(item.default);
    const defRequests = quantities(item.defaultRequest);
    for (const c of containersOf(pod)) {
      const res = (c.resources ??= {});
      const setRequests: string[] = [];
      const setLimits: string[] = [];
      for (const [k, q] of Object.entries(defRequests)) {
        if (res.requests?.[k] !== undefined) continue;
        (res.requests ??= {})[k] = q;
        setRequests.push(k);
      }
      for (const [k, q] of Object.entries(defLimits)) {
        if (res.limits?.[k] !== undefined) continue;
        (res.limits ??= {})[k] = q;
        setLimits.push(k);
      }
      if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${initOrNot(pod, c)} ${c.name}`);
      if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${initOrNot(pod, c)} ${c.name}`);
    }
  }
  return notes.length ? `LimitRanger plugin set: ${notes.join('; ')}` : undefined;
}

function initOrNot(pod: KubeObject, c: Container): string {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  return Array.isArray(spec.initContainers) && spec.initContainers.includes(c) ? 'init container' : 'container';
}

const q = (v: string | undefined): number | undefined => (v === undefined ? undefined : parseQuantity(v));

/** The min/max/ratio violations of one request/limit pair, in kube's words. */
function checkBounds(limitType: string, item: Record<string, unknown>, requests: Quantities, limits: Quantities): string[] {
  const out: string[] = [];
  for (const [k, min] of Object.entries(quantities(item.min))) {
    const req = requests[k];
    if (req === undefined) out.push(`minimum ${k} usage per ${limitType} is ${min}.  No request is specified`);
    else if (q(req)! < q(min)!) out.push(`minimum ${k} usage per ${limitType} is ${min}, but request is ${req}`);
  }
  for (const [k, max] of Object.entries(quantities(item.max))) {
    const lim = limits[k];
    if (lim === undefined) out.push(`maximum ${k} usage per ${limitType} is ${max}.  No limit is specified`);
    else if (q(lim)! > q(max)!) out.push(`maximum ${k} usage per ${limitType} is ${max}, but limit is ${lim}`);
  }
  for (const [k, ratio] of Object.entries(quantities(item.maxLimitRequestRatio))) {
    const req = q(requests[k]);
    const lim = q(limits[k]);
    if (lim === undefined) out.push(`${k} max limit to request ratio per ${limitType} is ${ratio}, but no limit is specified`);
    else if (req === undefined || req === 0) out.push(`${k} max limit to request ratio per ${limitType} is ${ratio}, but no request is specified or request is 0`);
    else if (lim / req > q(ratio)!) out.push(`${k} max limit to request ratio per ${limitType} is ${ratio}, but provided ratio is ${(lim / req).toFixed(6)}`);
  }
  return out;
}

function sum(containers: Container[], kind: 'requests' | 'limits'): Quantities {
  const totals: Record<string, number> = {};
  for (const c of containers) for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) totals[k] = (totals[k] ?? 0) + (parseQuantity(v) ?? 0);
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, formatQuantity(k, v)]));
}

/** PodValidateLimitFunc: every violation of the namespace's LimitRanges. */
export function limitRangeViolations(pod: KubeObject, ranges: KubeObject[]): string[] {
  const out: string[] = [];
  const containers = containersOf(pod);
  for (const item of itemsOf(ranges, 'Container')) {
    for (const c of containers) out.push(...checkBounds('Container', item, quantities(c.resources?.requests), quantities(c.resources?.limits)));
  }
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const regular = (Array.isArray(spec.containers) ? spec.containers : []).filter(isRecord) as Container[];
  for (const item of itemsOf(ranges, 'Pod')) out.push(...checkBounds('Pod', item, sum(regular, 'requests'), sum(regular, 'limits')));
  return out;
}

/** The admission check over the gateway's watch caches (the LimitRanges of the pod's namespace). */
export function limitRangerAdmission(caches: Map<string, WatchCache>): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (info.group !== '' || info.resource !== 'pods' || !obj.metadata.namespace) return;
    const cache = caches.get(LIMIT_RANGES);
    if (!cache) return;
    const namespace = obj.metadata.namespace;
    const ranges = cache.list({ filter: (r) => r.metadata.namespace === namespace }).items;
    if (!ranges.length) return;
    const note = applyLimitRangeDefaults(obj, ranges);
    if (note) obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: note };
    const violations = limitRangeViolations(obj, ranges);
    if (violations.length) {
      const message = violations.length === 1 ? violations[0] : `[${violations.join(', ')}]`;
      throw errors.forbidden(`pods "${obj.metadata.name ?? ''}" is forbidden: ${message}`, 'pods', obj.metadata.name);
    }
  };
}
