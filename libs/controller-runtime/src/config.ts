// Controller-process configuration from the environment, read here only.
import { hostname } from 'node:os';

export interface ManagerConfig {
  service: string;
  /** KEELSON_NATS_URL [nats://127.0.0.1:4222] (comma-separated for several servers). */
  natsServers: string[];
  /** KEELSON_NATS_USER / KEELSON_NATS_PASSWORD, or KEELSON_NATS_TOKEN: this service's NATS identity. */
  natsUser?: string;
  natsPassword?: string;
  /** KEELSON_NATS_CA_FILE: NATS serves TLS with a certificate from this CA (then connect with TLS). */
  natsCaFile?: string;
  natsToken?: string;
  /** KEELSON_HEALTH_HOST [0.0.0.0], KEELSON_HEALTH_PORT [8081; 0 = any free port]: /healthz, /readyz, /metrics. */
  healthHost: string;
  healthPort: number;
  /** KEELSON_LEADER_ELECT [true]: off runs the controllers at once (single replica, tests). */
  leaderElection: boolean;
  /** KEELSON_LEADER_ELECTION_NAMESPACE [kube-system], KEELSON_LEADER_ELECTION_ID [service name]. */
  leaseNamespace: string;
  leaseName: string;
  /** POD_NAME, else `<hostname>_<pid>`. */
  identity: string;
  /** KEELSON_LEASE_DURATION_MS [15000], KEELSON_RENEW_DEADLINE_MS [10000], KEELSON_RETRY_PERIOD_MS [2000]. */
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** KEELSON_RESYNC_PERIOD_MS [600000; 0 = off]: informers re-deliver every object this often. */
  resyncPeriodMs: number;
  /** KEELSON_SHUTDOWN_TIMEOUT_MS [30000]: longest drain on SIGTERM. */
  shutdownTimeoutMs: number;
}

/**
 * A number from `env[name]`, `dflt` when unset; one below `min` (default 0), or not an integer
 * when `integer` is asked, is a start-up error naming the variable.
 */
export function envNumber(env: NodeJS.ProcessEnv, name: string, dflt: number, opts: { min?: number; integer?: boolean } = {}): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  const min = opts.min ?? 0;
  if (!Number.isFinite(n) || n < min || (opts.integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be ${opts.integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function managerConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ManagerConfig {
  const num = (name: string, dflt: number): number => envNumber(env, name, dflt);
  return {
    service,
    natsServers: (env.KEELSON_NATS_URL || 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter(Boolean),
    natsUser: env.KEELSON_NATS_USER || undefined,
    natsPassword: env.KEELSON_NATS_PASSWORD || undefined,
    natsCaFile: env.KEELSON_NATS_CA_FILE || undefined,
    natsToken: env.KEELSON_NATS_TOKEN || undefined,
    healthHost: env.KEELSON_HEALTH_HOST || '0.0.0.0',
    healthPort: num('KEELSON_HEALTH_PORT', 8081),
    leaderElection: !['false', '0', 'no'].includes((env.KEELSON_LEADER_ELECT ?? 'true').toLowerCase()),
    leaseNamespace: env.KEELSON_LEADER_ELECTION_NAMESPACE || 'kube-system',
    leaseName: env.KEELSON_LEADER_ELECTION_ID || service,
    identity: env.POD_NAME || `${hostname()}_${process.pid}`,
    leaseDurationMs: num('KEELSON_LEASE_DURATION_MS', 15_000),
    renewDeadlineMs: num('KEELSON_RENEW_DEADLINE_MS', 10_000),
    retryPeriodMs: num('KEELSON_RETRY_PERIOD_MS', 2_000),
    resyncPeriodMs: num('KEELSON_RESYNC_PERIOD_MS', 600_000),
    shutdownTimeoutMs: num('KEELSON_SHUTDOWN_TIMEOUT_MS', 30_000),
  };
}
