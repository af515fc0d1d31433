// namespace-controller configuration from the environment, read here only.
import type { ConfigReader } from '@keelson/controller-runtime';

export interface NamespaceControllerConfig {
  /** KEELSON_CONCURRENT_NAMESPACE_SYNCS [10]: namespaces cleaned up in parallel (kube: --concurrent-namespace-syncs). */
  concurrency: number;
  /** KEELSON_NAMESPACE_DISCOVERY_TTL_MS [30000]: how long a discovery of the served resources is reused. */
  discoveryTtlMs: number;
  /** KEELSON_NAMESPACE_RETRY_MAX_DELAY_MS [60000]: cap of the per-namespace retry back-off (kube: 5 ms → 60 s). */
  retryMaxDelayMs: number;
}

export const namespaceControllerConfig: ConfigReader<NamespaceControllerConfig> = (env) => ({
  concurrency: env.integer('KEELSON_CONCURRENT_NAMESPACE_SYNCS', 10, { min: 1 }),
  discoveryTtlMs: env.number('KEELSON_NAMESPACE_DISCOVERY_TTL_MS', 30_000),
  retryMaxDelayMs: env.number('KEELSON_NAMESPACE_RETRY_MAX_DELAY_MS', 60_000, { min: 5 }),
});
