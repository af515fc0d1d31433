// namespace-controller: empties terminating namespaces, then finalizes them (leader-elected).
import { Manager, enqueueObject, ItemExponentialRateLimiter } from '@keelson/controller-runtime';
import { startTelemetry } from '@keelson/telemetry';
import { configFromEnv } from './config';
import { ContentDeleter } from './content-deleter';
import { NamespacedResourceDiscovery } from './discovery';
import { NAMESPACES, NamespaceReconciler } from './namespace-reconciler';

async function main(): Promise<void> {
  const service = 'namespace-controller';
  startTelemetry(process.env.OTEL_SERVICE_NAME ?? service);
  const cfg = configFromEnv();
  const mgr = await Manager.create(service);
  const deleter = new ContentDeleter(mgr.client, new NamespacedResourceDiscovery(mgr.client, cfg.discoveryTtlMs));
  const controller = mgr.controller('namespace', new NamespaceReconciler(mgr.client, deleter), {
    concurrency: cfg.concurrency,
    rateLimiter: new ItemExponentialRateLimiter(5, cfg.retryMaxDelayMs),
  });
  mgr.informer(NAMESPACES).addEventHandler(enqueueObject(controller));
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`namespace-controller failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
