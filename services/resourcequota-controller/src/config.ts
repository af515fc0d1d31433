// The resourcequota-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface ResourceQuotaControllerConfig {
  /** KEELSON_QUOTA_WORKERS [5]: quotas synced in parallel (--concurrent-resource-quota-syncs). */
  workers: number;
  /** KEELSON_QUOTA_RESYNC_MS [300000]: full recount of every quota (--resource-quota-sync-period). */
  resyncMs: number;
}

export const resourceQuotaControllerConfig: ConfigReader<ResourceQuotaControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_QUOTA_WORKERS', 5, { min: 1 }),
  resyncMs: env.integer('KEELSON_QUOTA_RESYNC_MS', 5 * 60_000, { min: 1000 }),
});
