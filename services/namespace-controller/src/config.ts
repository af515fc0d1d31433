// namespace-controller configuration from the environment, read here only.
import { envNumber } from '@keelson/controller-runtime';

export interface NamespaceControllerConfig {
  /** KEELSON_CONCURRENT_NAMESPACE_SYNCS [10]: namespaces cleaned up in parallel (kube: --concurrent-namespace-syncs). */
  concurrency: number;
  /** KEELSON_NAMESPACE_DISCOVERY_TTL_MS [30000]: how long a discovery of the served resources is reused. */
  discoveryTtlMs: number;
  /** KEELSON_NAMESPACE_RETRY_MAX_DELAY_MS [60000]: cap of the per-namespace retry back-off (kube: 5 ms → 60 s). */
  retryMaxDelayMs: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): NamespaceControllerConfig {
  const num = (name: string, dflt: number): number => envNumber(env, name, dflt);
  return {
    concurrency: Math.max(1, num('KEELSON_CONCURRENT_NAMESPACE_SYNCS', 10)),
    discoveryTtlMs: num('KEELSON_NAMESPACE_DISCOVERY_TTL_MS', 30_000),
    retryMaxDelayMs: num('KEELSON_NAMESPACE_RETRY_MAX_DELAY_MS', 60_000),
  };
}
