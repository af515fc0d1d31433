// Garbage-collector settings from the environment, read here only.
export interface GarbageCollectorConfig {
  /** KEELSON_GC_WORKERS [20]: attempt-to-delete workers (kube's --concurrent-gc-syncs). */
  workers: number;
  /** KEELSON_GC_ORPHAN_WORKERS [5]: attempt-to-orphan workers. */
  orphanWorkers: number;
  /** KEELSON_GC_IGNORED_RESOURCES [events]: comma-separated `resource` or `resource.group` never collected or watched. */
  ignoredResources: string[];
  /** KEELSON_GC_ABSENT_OWNER_CACHE_SIZE [500]: owners remembered as verified absent. */
  absentOwnerCacheSize: number;
}

export function gcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GarbageCollectorConfig {
  const num = (name: string, dflt: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  const ignored = env.KEELSON_GC_IGNORED_RESOURCES ?? 'events';
  return {
    workers: num('KEELSON_GC_WORKERS', 20),
    orphanWorkers: num('KEELSON_GC_ORPHAN_WORKERS', 5),
    ignoredResources: ignored.split(',').map((s) => s.trim()).filter(Boolean),
    absentOwnerCacheSize: num('KEELSON_GC_ABSENT_OWNER_CACHE_SIZE', 500),
  };
}
