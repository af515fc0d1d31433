// The statefulset-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface StatefulSetControllerConfig {
  /** KEELSON_STS_WORKERS [5]: StatefulSets synced in parallel (--concurrent-statefulset-syncs). */
  workers: number;
}

export const statefulSetControllerConfig: ConfigReader<StatefulSetControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_STS_WORKERS', 5, { min: 1 }),
});
