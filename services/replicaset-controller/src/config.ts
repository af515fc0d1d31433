// The replicaset-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import { envNumber } from '@keelson/controller-runtime';

export interface ReplicaSetControllerConfig {
  /** KEELSON_RS_WORKERS [5]: ReplicaSets synced in parallel (Kubernetes' --concurrent-replicaset-syncs). */
  workers: number;
  /** KEELSON_RS_BURST_REPLICAS [500]: most pod creates or deletes in one sync (BurstReplicas). */
  burstReplicas: number;
  /** KEELSON_RS_EXPECTATIONS_TIMEOUT_MS [300000]: when unobserved creates/deletes stop blocking a sync. */
  expectationsTimeoutMs: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicaSetControllerConfig {
  const num = (name: string, dflt: number, min: number): number => envNumber(env, name, dflt, { min, integer: true });
  return {
    workers: num('KEELSON_RS_WORKERS', 5, 1),
    burstReplicas: num('KEELSON_RS_BURST_REPLICAS', 500, 1),
    expectationsTimeoutMs: num('KEELSON_RS_EXPECTATIONS_TIMEOUT_MS', 5 * 60_000, 0),
  };
}
