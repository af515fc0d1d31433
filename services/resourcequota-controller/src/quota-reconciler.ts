// syncResourceQuota (pkg/controller/resourcequota): status.hard mirrors spec.hard and
// status.used is recomputed from what the namespace holds, read from the API (a consistent
// list, so a pod the gateway's quota admission just charged is counted, never lost to a stale
// cache). Deletions and pods turning terminal give quota back this way.
import { formatResourceList, objectUsage, parseResourceList, quotaScopesMatch, type KubeObject, type Usage } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import { splitKey, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import { resourceFor, resourcesFor } from './quota-resources';
import { RESOURCEQUOTAS } from './types';

export interface QuotaReconcilerOptions {
  client: Pick<KeelsonClient, 'list' | 'updateStatus'>;
  quotas: ReadOnlyCache<KubeObject>;
  /** Full recount period (kube's --resource-quota-sync-period). */
  resyncMs: number;
}

export class QuotaReconciler implements Reconciler {
  constructor(private readonly opts: QuotaReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const quota = this.opts.quotas.getByName(namespace, name);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hardRaw = ((quota.spec as Record<string, unknown> | undefined)?.hard ?? {}) as Record<string, unknown>;
    const hard = parseResourceList(hardRaw);
    const names = Object.keys(hard);
    const used: Usage = Object.fromEntries(names.map((n) => [n, 0]));
    for (const r of resourcesFor(names)) {
      const items = (await this.opts.client.list(r, namespace, {}, { signal: ctx.signal })).items;
      for (const obj of items) {
        if (!quotaScopesMatch(quota, r.group ? '' : r.resource, obj)) continue;
        for (const [k, v] of Object.entries(objectUsage(r.group, r.resource, obj))) {
          if (k in used && resourceFor(k)?.resource === r.resource) used[k] += v;
        }
      }
    }
    const status = { hard: { ...hardRaw }, used: formatResourceList(used) };
    if (JSON.stringify(quota.status ?? {}) !== JSON.stringify(status)) {
      try {
        await this.opts.client.updateStatus(RESOURCEQUOTAS, { ...quota, status }, { signal: ctx.signal });
      } catch (err) {
        if (isNotFound(err)) return;
        // The gateway charged the quota meanwhile: count again.
        if (isConflict(err)) return { requeueAfter: 50 };
        throw err;
      }
    }
    return { requeueAfter: this.opts.resyncMs };
  }
}
