// The disruption-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface DisruptionControllerConfig {
  /** KEELSON_PDB_WORKERS [2]: budgets synced in parallel. */
  workers: number;
}

export const disruptionControllerConfig: ConfigReader<DisruptionControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_PDB_WORKERS', 2, { min: 1 }),
});
