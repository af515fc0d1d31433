// namespace-controller: empties terminating namespaces, then finalizes them (leader-elected).
import { ItemExponentialRateLimiter, runManager } from '@keelson/controller-runtime';
import { namespaceControllerConfig } from './config';
import { ContentDeleter } from './content-deleter';
import { NamespacedResourceDiscovery } from './discovery';
import { NAMESPACES, NamespaceReconciler } from './namespace-reconciler';

void runManager('namespace-controller', namespaceControllerConfig, (mgr, cfg) => {
  const deleter = new ContentDeleter(mgr.client, new NamespacedResourceDiscovery(mgr.client, cfg.discoveryTtlMs));
  mgr.newControllerManagedBy('namespace')
    .for(NAMESPACES)
    .withOptions({ concurrency: cfg.concurrency, rateLimiter: new ItemExponentialRateLimiter(5, cfg.retryMaxDelayMs) })
    .complete(new NamespaceReconciler(mgr.client, deleter));
});
