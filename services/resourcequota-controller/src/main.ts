// resourcequota-controller: ResourceQuota status (hard and used) for every quota, recounted
// when it changes, when objects it counts come, go or turn terminal, and periodically. The
// gateway's quota admission charges creates against status.used; this gives quota back. Wiring only.
import type { KubeObject } from '@keelson/api';
import { keyOf, runManager } from '@keelson/controller-runtime';
import { resourceQuotaControllerConfig } from './config';
import { QuotaReconciler } from './quota-reconciler';
import { REPLENISHED, RESOURCEQUOTAS } from './types';

void runManager('resourcequota-controller', resourceQuotaControllerConfig, (mgr, config) => {
  const quotas = mgr.informer<KubeObject>(RESOURCEQUOTAS).cache;
  /** Every quota of the object's namespace (a namespace without quotas queues nothing). */
  const quotasOf = (o: KubeObject): string[] => quotas.byNamespace(o.metadata.namespace ?? '').map(keyOf);
  let builder = mgr.newControllerManagedBy('resourcequota').for(RESOURCEQUOTAS, { kind: 'ResourceQuota' });
  for (const r of REPLENISHED) builder = builder.watches<KubeObject>(r, quotasOf);
  builder
    .withOptions({ concurrency: config.workers })
    .complete(new QuotaReconciler({ client: mgr.client, quotas, resyncMs: config.resyncMs }));
});
