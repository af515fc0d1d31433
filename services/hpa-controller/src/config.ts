// The hpa-controller's own settings (kube-controller-manager's --horizontal-pod-autoscaler-*
// flags), read from the environment here only; the Manager reads the shared ones.
import type { ConfigReader } from '@keelson/controller-runtime';

export interface HpaControllerConfig {
  /** KEELSON_HPA_SYNC_PERIOD_MS [15000]: how often each HPA is evaluated (--horizontal-pod-autoscaler-sync-period). */
  syncPeriodMs: number;
  /** KEELSON_HPA_DOWNSCALE_STABILIZATION_SECONDS [300]: the default scale-down window. */
  downscaleStabilizationSeconds: number;
  /** KEELSON_HPA_TOLERANCE [0.1]. */
  tolerance: number;
  /** KEELSON_HPA_CPU_INITIALIZATION_PERIOD_MS [300000]. */
  cpuInitializationPeriodMs: number;
  /** KEELSON_HPA_INITIAL_READINESS_DELAY_MS [30000]. */
  delayOfInitialReadinessStatusMs: number;
  /** KEELSON_HPA_WORKERS [2]. */
  workers: number;
}

export const hpaControllerConfig: ConfigReader<HpaControllerConfig> = (env) => ({
  syncPeriodMs: env.integer('KEELSON_HPA_SYNC_PERIOD_MS', 15_000, { min: 100 }),
  downscaleStabilizationSeconds: env.integer('KEELSON_HPA_DOWNSCALE_STABILIZATION_SECONDS', 300, { min: 0 }),
  tolerance: env.number('KEELSON_HPA_TOLERANCE', 0.1, { min: 0 }),
  cpuInitializationPeriodMs: env.integer('KEELSON_HPA_CPU_INITIALIZATION_PERIOD_MS', 300_000, { min: 0 }),
  delayOfInitialReadinessStatusMs: env.integer('KEELSON_HPA_INITIAL_READINESS_DELAY_MS', 30_000, { min: 0 }),
  workers: env.integer('KEELSON_HPA_WORKERS', 2, { min: 1 }),
});
