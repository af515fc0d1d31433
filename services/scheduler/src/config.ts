// Scheduler configuration from the environment (and `--config`), read here only (the Manager reads its own).
import type { ConfigReader } from '@keelson/controller-runtime';
import { configFlag, defaultSchedulerConfiguration, loadSchedulerConfiguration, SchedulerConfigurationError, type SchedulerConfiguration } from './configuration/load';

export interface SchedulerConfig {
  /** KEELSON_SCHEDULER_NAME [default-scheduler]: the default profile's name, when no profile file is given. */
  schedulerName: string;
  /**
   * KEELSON_SCHEDULER_CONFIG, or `--config <file>` (the flag wins): a KubeSchedulerConfiguration
   * (kubescheduler.config.k8s.io/v1) whose profiles replace the default one. Unset: the service's
   * shipped profile file if it has one, else kube's default profile under KEELSON_SCHEDULER_NAME.
   */
  configFile?: string;
  /** The profiles this process serves, from the file or the default. */
  configuration: SchedulerConfiguration;
  /** KEELSON_SCHEDULER_BACKOFF_INITIAL_MS [1000], KEELSON_SCHEDULER_BACKOFF_MAX_MS [10000]: unschedulable retry back-off.
   *  The profile file's podInitialBackoffSeconds / podMaxBackoffSeconds win over these. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** KEELSON_SCHEDULER_BIND_CONCURRENCY [32]: binding calls in flight while scheduling continues
   *  (measured: 32 reaches ~0.8x the raw binding rate of 16 in flight; 16 reaches ~0.7x). */
  bindConcurrency: number;
  /** KEELSON_SCHEDULER_ASSUMED_TTL_MS [0 = never]: an assumed, bound pod the informer never shows is
   *  dropped after this. Never by default, as kube-scheduler: a lagging watch must not free its requests. */
  assumedTtlMs: number;
  /** KEELSON_SCHEDULER_SCHEDULED_EVENTS [true]: record a `Scheduled` Event per bound pod, as kube-scheduler does. */
  scheduledEvents: boolean;
}

export interface SchedulerConfigOptions {
  /** Command-line arguments searched for `--config` (default process.argv). */
  argv?: readonly string[];
  /** A profile file shipped with the service, used when neither the flag nor the variable names one. */
  defaultConfigFile?: string;
}

export const schedulerConfigReader = (opts: SchedulerConfigOptions = {}): ConfigReader<SchedulerConfig> => (env) => {
  const schedulerName = env.string('KEELSON_SCHEDULER_NAME', 'default-scheduler');
  const flag = configFlag(opts.argv ?? process.argv.slice(2));
  if (flag === '') env.problem('--config', 'the path of a KubeSchedulerConfiguration file');
  const configFile = flag || env.optional('KEELSON_SCHEDULER_CONFIG') || opts.defaultConfigFile;
  let configuration = defaultSchedulerConfiguration(schedulerName);
  if (configFile) {
    try {
      configuration = loadSchedulerConfiguration(configFile);
    } catch (err) {
      if (!(err instanceof SchedulerConfigurationError)) throw err;
      const variable = flag ? '--config' : env.optional('KEELSON_SCHEDULER_CONFIG') ? 'KEELSON_SCHEDULER_CONFIG' : 'the shipped profile file';
      for (const e of err.errors) env.problem(variable, `a valid KubeSchedulerConfiguration (${e})`, configFile);
    }
  }
  const backoffInitialMs = configuration.backoffInitialMs ?? env.number('KEELSON_SCHEDULER_BACKOFF_INITIAL_MS', 1000, { min: 1 });
  return {
    schedulerName,
    ...(configFile ? { configFile } : {}),
    configuration,
    backoffInitialMs,
    backoffMaxMs: configuration.backoffMaxMs ?? env.number('KEELSON_SCHEDULER_BACKOFF_MAX_MS', 10_000, { min: 1 }),
    bindConcurrency: env.integer('KEELSON_SCHEDULER_BIND_CONCURRENCY', 32, { min: 1 }),
    assumedTtlMs: env.number('KEELSON_SCHEDULER_ASSUMED_TTL_MS', 0, { min: 0 }),
    scheduledEvents: env.boolean('KEELSON_SCHEDULER_SCHEDULED_EVENTS', true),
  };
};

/** The default scheduler's reader: process.argv, no shipped file. */
export const schedulerConfig: ConfigReader<SchedulerConfig> = schedulerConfigReader();
