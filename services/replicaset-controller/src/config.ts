// The replicaset-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface ReplicaSetControllerConfig {
  /** KEELSON_RS_WORKERS [5]: ReplicaSets synced in parallel (Kubernetes' --concurrent-replicaset-syncs). */
  workers: number;
  /** KEELSON_RS_BURST_REPLICAS [500]: most pod creates or deletes in one sync (BurstReplicas). */
  burstReplicas: number;
  /** KEELSON_RS_EXPECTATIONS_TIMEOUT_MS [300000]: when unobserved creates/deletes stop blocking a sync. */
  expectationsTimeoutMs: number;
}

export const replicaSetControllerConfig: ConfigReader<ReplicaSetControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_RS_WORKERS', 5, { min: 1 }),
  burstReplicas: env.integer('KEELSON_RS_BURST_REPLICAS', 500, { min: 1 }),
  expectationsTimeoutMs: env.integer('KEELSON_RS_EXPECTATIONS_TIMEOUT_MS', 5 * 60_000, { min: 0 }),
});
