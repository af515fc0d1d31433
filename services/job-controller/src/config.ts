// The job-controller's own settings, read from the environment here only (the Manager reads the
// shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface JobControllerConfig {
  /** KEELSON_JOB_WORKERS [5]: Jobs synced in parallel (--concurrent-job-syncs). */
  workers: number;
  /** KEELSON_TTL_WORKERS [5]: finished Jobs checked for their TTL in parallel (--concurrent-ttl-after-finished-syncs). */
  ttlWorkers: number;
  /**
   * KEELSON_JOB_BACKOFF_BASE_MS [10000], KEELSON_JOB_BACKOFF_MAX_MS [360000]: the delay before a
   * failed pod is replaced (DefaultJobPodFailureBackOff doubling to MaxJobPodFailureBackOff). A
   * test hook, not API: tests shorten it so a backoffLimit is reached in seconds.
   */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** KEELSON_JOB_BURST [500]: most pod creates or deletes in one sync. */
  burst: number;
}

export const jobControllerConfig: ConfigReader<JobControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_JOB_WORKERS', 5, { min: 1 }),
  ttlWorkers: env.integer('KEELSON_TTL_WORKERS', 5, { min: 1 }),
  backoffBaseMs: env.integer('KEELSON_JOB_BACKOFF_BASE_MS', 10_000, { min: 0 }),
  backoffMaxMs: env.integer('KEELSON_JOB_BACKOFF_MAX_MS', 360_000, { min: 0 }),
  burst: env.integer('KEELSON_JOB_BURST', 500, { min: 1 }),
});
