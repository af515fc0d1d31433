// What an object charges against a ResourceQuota (kube's pkg/quota/v1/evaluator/core and the
// generic object-count evaluator): pods count with their cpu/memory requests and limits,
// Services with their node ports and load balancers, every other kind as `count/<resource>[.<group>]`
// (and the legacy names: services, secrets, configmaps, persistentvolumeclaims,
// replicationcontrollers, resourcequotas). Shared by the gateway's quota admission and the
// resourcequota-controller, so both count the same way.
import { parseQuantity, podQOSClass } from '../defaults';
import type { KubeObject } from '../types';

export type Usage = Record<string, number>;

const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods', services: 'services', secrets: 'secrets', configmaps: 'configmaps',
  persistentvolumeclaims: 'persistentvolumeclaims', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
};

const rec = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map((x) => rec(x) ?? {}) : []);

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise. */
export function countResourceName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** A pod in a terminal phase no longer uses quota (QuotaV1Pod's IsPodTerminal). */
export function podUsesQuota(pod: KubeObject): boolean {
  const phase = rec(pod.status)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** The pod's effective requests/limits of cpu and memory: containers summed, init containers' max. */
function podResources(spec: Record<string, unknown>, kind: 'requests' | 'limits'): Usage {
  const sum: Usage = {};
  for (const c of list(spec.containers)) {
    for (const [k, q] of Object.entries(rec(rec(c.resources)?.[kind]) ?? {})) {
      const v = parseQuantity(q);
      if (v !== undefined) sum[k] = (sum[k] ?? 0) + v;
    }
  }
  for (const c of list(spec.initContainers)) {
    for (const [k, q] of Object.entries(rec(rec(c.resources)?.[kind]) ?? {})) {
      const v = parseQuantity(q);
      if (v !== undefined && v > (sum[k] ?? 0)) sum[k] = v;
    }
  }
  for (const [k, q] of Object.entries(rec(rec(spec.overhead)) ?? {})) {
    const v = parseQuantity(q);
    if (v !== undefined && k in sum) sum[k] += v;
  }
  return sum;
}

/** Everything the object charges, by quota resource name. */
export function objectUsage(group: string, resource: string, obj: KubeObject): Usage {
  const usage: Usage = { [countResourceName(group, resource)]: 1 };
  if (!group && LEGACY_COUNTS[resource]) usage[LEGACY_COUNTS[resource]] = 1;
  if (!group && resource === 'pods') {
    if (!podUsesQuota(obj)) return {};
    const spec = rec(obj.spec) ?? {};
    const requests = podResources(spec, 'requests');
    const limits = podResources(spec, 'limits');
    for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
      if (requests[r] !== undefined) {
        usage[`requests.${r}`] = requests[r];
        usage[r] = requests[r];
      }
      if (limits[r] !== undefined) usage[`limits.${r}`] = limits[r];
    }
  }
  if (!group && resource === 'services') {
    const spec = rec(obj.spec) ?? {};
    if (spec.type === 'LoadBalancer') usage['services.loadbalancers'] = 1;
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') usage['services.nodeports'] = list(spec.ports).length;
  }
  if (!group && resource === 'persistentvolumeclaims') {
    const storage = parseQuantity(rec(rec(rec(obj.spec)?.resources)?.requests)?.storage);
    if (storage !== undefined) usage['requests.storage'] = storage;
  }
  return usage;
}

/** The quota's scopes select the object (Terminating, NotTerminating, BestEffort, NotBestEffort). */
export function quotaScopesMatch(quota: KubeObject, resource: string, obj: KubeObject): boolean {
  const spec = rec(quota.spec) ?? {};
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.filter((s): s is string => typeof s === 'string') : [];
  const selectorScopes = list(rec(spec.scopeSelector)?.matchExpressions).filter((e) => e.operator === 'Exists').map((e) => String(e.scopeName));
  const all = [...scopes, ...selectorScopes];
  if (!all.length) return true;
  if (resource !== 'pods') return false; // scoped quotas track pods only
  const podSpec = rec(obj.spec) ?? {};
  return all.every((scope) => {
    switch (scope) {
      case 'Terminating': return typeof podSpec.activeDeadlineSeconds === 'number';
      case 'NotTerminating': return typeof podSpec.activeDeadlineSeconds !== 'number';
      case 'BestEffort': return podQOSClass(podSpec) === 'BestEffort';
      case 'NotBestEffort': return podQOSClass(podSpec) !== 'BestEffort';
      default: return false; // PriorityClass, CrossNamespacePodAffinity: not tracked here
    }
  });
}

/** Quota resource names whose values are whole counts (shown without units). */
const isCount = (name: string): boolean => name.startsWith('count/') || !/(cpu|memory|storage)/.test(name);

/** A quantity as kube prints it: counts plain, cpu in cores or millicores, bytes in binary units. */
export function formatQuantity(name: string, v: number): string {
  if (isCount(name)) return String(Math.round(v));
  if (/cpu/.test(name)) {
    const milli = Math.round(v * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  for (const [suffix, size] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (v >= size && v % size === 0) return `${v / size}${suffix}`;
  }
  return String(Math.round(v));
}

/** kube's prettyPrint of a ResourceList: sorted `name=quantity`, comma-separated. */
export function prettyUsage(u: Usage): string {
  return Object.keys(u).sort().map((k) => `${k}=${formatQuantity(k, u[k])}`).join(',');
}

/** The hard limits a quota declares, parsed. */
export function parseResourceList(v: unknown): Usage {
  const out: Usage = {};
  for (const [k, q] of Object.entries(rec(v) ?? {})) {
    const n = parseQuantity(q);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Back to a ResourceList of strings (status.used). */
export function formatResourceList(u: Usage): Record<string, string> {
  return Object.fromEntries(Object.keys(u).sort().map((k) => [k, formatQuantity(k, u[k])]));
}
