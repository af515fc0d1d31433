// ResourceQuota admission (plugin/pkg/admission/resourcequota with pkg/quota/v1): a create is
// refused with kube's 403 when it would take any matching quota of its namespace past
// spec.hard; otherwise its usage is added to each quota's status.used in the same admission, with
// the quota's resourceVersion as precondition (a guaranteed update), so concurrent creates cannot
// both take the last unit. The resourcequota-controller recomputes status.used from what exists
// (deletions give quota back). A quota whose usage of a constrained resource is not yet known
// refuses, as kube does, until the controller has computed it.
import { errors, objectUsage, parseResourceList, prettyUsage, formatResourceList, quotaScopesMatch, type KubeObject, type ResourceInfo, type Usage } from '@keelson/api';
import type { RequestContext } from '../registry/request-context';
import type { WatchCache } from '@keelson/storage';
import type { AdmissionCheck, ResourceStore } from '../registry/resource-store';

const QUOTAS = '/resourcequotas';

/** The usage a quota constrains: only the resources it names in spec.hard. */
function constrained(usage: Usage, hard: Usage): Usage {
  return Object.fromEntries(Object.entries(usage).filter(([k]) => k in hard));
}

function forbidden(info: ResourceInfo, obj: KubeObject, message: string): Error {
  const resource = info.group ? `${info.resource}.${info.group}` : info.resource;
  return errors.forbidden(`${resource} "${obj.metadata.name ?? ''}" is forbidden: ${message}`, resource, obj.metadata.name);
}

/** Refuses, or returns the quota with the object's usage added to status.used. */
export function chargeQuota(quota: KubeObject, delta: Usage, info: ResourceInfo, obj: KubeObject): KubeObject | undefined {
  const hard = parseResourceList((quota.spec as Record<string, unknown> | undefined)?.hard);
  const requested = constrained(delta, hard);
  if (!Object.keys(requested).length) return undefined;
  const status = (quota.status as Record<string, unknown> | undefined) ?? {};
  const usedRaw = (status.used as Record<string, unknown> | undefined) ?? {};
  const used = parseResourceList(usedRaw);
  for (const k of Object.keys(requested)) {
    if (!(k in usedRaw)) throw forbidden(info, obj, `status unknown for quota: ${quota.metadata.name}, resource: ${k}`);
  }
  const over = Object.keys(requested).filter((k) => used[k] + requested[k] > hard[k]);
  if (over.length) {
    const pick = (u: Usage): Usage => Object.fromEntries(over.map((k) => [k, u[k] ?? 0]));
    throw forbidden(info, obj, `exceeded quota: ${quota.metadata.name}, requested: ${prettyUsage(pick(requested))}, used: ${prettyUsage(pick(used))}, limited: ${prettyUsage(pick(hard))}`);
  }
  const next: Usage = { ...used };
  for (const [k, v] of Object.entries(requested)) next[k] = (next[k] ?? 0) + v;
  return { ...quota, status: { ...status, used: { ...usedRaw, ...formatResourceList(constrained(next, hard)) } } };
}

/**
 * The admission check; `stores` and `caches` are the gateway's maps (read when a request
 * arrives). The quotas come from the watch cache (no etcd read for the many creates in
 * namespaces without one); the charge re-checks each against etcd's newest copy.
 */
export function resourceQuotaAdmission(stores: Map<string, ResourceStore>, caches: Map<string, WatchCache>): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo, ctx: RequestContext) => {
    if (!info.namespaced || !obj.metadata.namespace) return;
    const quotas = stores.get(QUOTAS);
    const cache = caches.get(QUOTAS);
    if (!quotas || !cache) return;
    const namespace = obj.metadata.namespace;
    const items = cache.list({ filter: (q) => q.metadata.namespace === namespace }).items.filter((q) => quotaScopesMatch(q, info.group ? '' : info.resource, obj));
    if (!items.length) return;
    const delta = objectUsage(info.group, info.resource, obj);
    // Every quota is checked before any is charged: a refusal charges none.
    const charged = items.filter((q) => chargeQuota(q, delta, info, obj) !== undefined);
    if (ctx.dryRun) return;
    for (const q of charged) {
      // Re-checked against the newest quota on every attempt (a concurrent create may have charged it).
      await quotas.update(namespace, q.metadata.name!, async (current) => chargeQuota(current, delta, info, obj) ?? current, ctx, { subresource: 'status' });
    }
  };
}
