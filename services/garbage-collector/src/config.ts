// Garbage-collector settings from the environment, read here only.
import type { ConfigReader } from '@keelson/controller-runtime';

export interface GarbageCollectorConfig {
  /** KEELSON_GC_WORKERS [20]: attempt-to-delete workers (kube's --concurrent-gc-syncs). */
  workers: number;
  /** KEELSON_GC_ORPHAN_WORKERS [5]: attempt-to-orphan workers. */
  orphanWorkers: number;
  /** KEELSON_GC_IGNORED_RESOURCES [events]: comma-separated `resource` or `resource.group` never collected or watched. */
  ignoredResources: string[];
  /** KEELSON_GC_ABSENT_OWNER_CACHE_SIZE [500]: owners remembered as verified absent. */
  absentOwnerCacheSize: number;
  /** KEELSON_GC_DISCOVERY_RESYNC_MS [30000]: how often discovery is read to start and stop monitors (kube's 30 s). */
  discoveryResyncMs: number;
}

export const garbageCollectorConfig: ConfigReader<GarbageCollectorConfig> = (env) => {
  const int = (name: string, dflt: number): number => env.integer(name, dflt, { min: 1 });
  return {
    workers: int('KEELSON_GC_WORKERS', 20),
    orphanWorkers: int('KEELSON_GC_ORPHAN_WORKERS', 5),
    ignoredResources: env.list('KEELSON_GC_IGNORED_RESOURCES', ['events']),
    absentOwnerCacheSize: int('KEELSON_GC_ABSENT_OWNER_CACHE_SIZE', 500),
    discoveryResyncMs: int('KEELSON_GC_DISCOVERY_RESYNC_MS', 30_000),
  };
};
