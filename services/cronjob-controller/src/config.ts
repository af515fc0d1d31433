// The cronjob-controller's own settings, read from the environment here only (the Manager reads
// the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface CronJobControllerConfig {
  /** KEELSON_CRONJOB_WORKERS [5]: CronJobs synced in parallel (--concurrent-cron-job-syncs). */
  workers: number;
  /**
   * KEELSON_CRONJOB_MINUTE_MS [60000]: how long a schedule minute lasts, in whole seconds. A test
   * hook, not API: at 3000 `*\/1 * * * *` fires every 3 s, and every other duration of the
   * schedule (startingDeadlineSeconds, missed runs) shrinks by the same factor.
   */
  minuteMs: number;
}

export const cronJobControllerConfig: ConfigReader<CronJobControllerConfig> = (env) => {
  const minuteMs = env.integer('KEELSON_CRONJOB_MINUTE_MS', 60_000, { min: 1000, max: 60_000 });
  if (minuteMs % 1000 !== 0) env.problem('KEELSON_CRONJOB_MINUTE_MS', 'a whole number of seconds (a multiple of 1000)', String(minuteMs));
  return { workers: env.integer('KEELSON_CRONJOB_WORKERS', 5, { min: 1 }), minuteMs };
};
