// The job-controller's own settings, read from the environment here only (the Manager reads the
// shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface JobControllerConfig {
  /**
   * KEELSON_JOB_WORKERS [20]: Jobs synced in parallel (--concurrent-job-syncs, 5 in kube). A sync
   * waits on one to three API round trips in a row; kube's 5 assume an apiserver answering in
   * milliseconds, while a loaded Keelson gateway takes 50–300 ms: with 5 workers the controller
   * sat idle three quarters of the time (bench jobs: 1,000 Jobs in 132 s with 5, 85 s with 20).
   */
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
  /**
   * KEELSON_JOB_SYNC_BATCH_MS [1000]: pod events and status-only Job updates queue their Job this
   * much later (syncJobBatchPeriod), so a pod's quick Pending → Running → Succeeded and the echo
   * of the controller's own status write become one sync, not one each.
   */
  syncBatchMs: number;
}

export const jobControllerConfig: ConfigReader<JobControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_JOB_WORKERS', 20, { min: 1 }),
  ttlWorkers: env.integer('KEELSON_TTL_WORKERS', 5, { min: 1 }),
  backoffBaseMs: env.integer('KEELSON_JOB_BACKOFF_BASE_MS', 10_000, { min: 0 }),
  backoffMaxMs: env.integer('KEELSON_JOB_BACKOFF_MAX_MS', 360_000, { min: 0 }),
  burst: env.integer('KEELSON_JOB_BURST', 500, { min: 1 }),
  syncBatchMs: env.integer('KEELSON_JOB_SYNC_BATCH_MS', 1000, { min: 0 }),
});
