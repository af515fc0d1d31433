// The daemonset-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface DaemonSetControllerConfig {
  /** KEELSON_DS_WORKERS [2]: DaemonSets synced in parallel (--concurrent-daemonset-syncs). */
  workers: number;
  /** KEELSON_DS_BURST_REPLICAS [250]: most pod creates or deletes in one sync (BurstReplicas). */
  burstReplicas: number;
  /** KEELSON_DS_EXPECTATIONS_TIMEOUT_MS [300000]: when unobserved creates/deletes stop blocking a sync. */
  expectationsTimeoutMs: number;
}

export const daemonSetControllerConfig: ConfigReader<DaemonSetControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_DS_WORKERS', 2, { min: 1 }),
  burstReplicas: env.integer('KEELSON_DS_BURST_REPLICAS', 250, { min: 1 }),
  expectationsTimeoutMs: env.integer('KEELSON_DS_EXPECTATIONS_TIMEOUT_MS', 5 * 60_000, { min: 0 }),
});
