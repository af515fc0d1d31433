// Service configuration from the environment, read in each service's config module only.
// An EnvReader collects every bad variable instead of stopping at the first, so a service
// that fails to start names all of them at once (runService prints them as one JSON line).
import { hostname } from 'node:os';

/** One environment variable that does not hold what the service needs. */
export interface ConfigProblem {
  variable: string;
  /** The value found (omitted for variables that may hold secrets and for missing ones). */
  value?: string;
  /** What it must be, e.g. `an integer >= 1`. */
  expected: string;
}

/** Invalid configuration: the service must not start. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.variable} must be ${p.expected}${p.value !== undefined ? `, got ${JSON.stringify(p.value)}` : ''}`).join('; '));
    this.name = 'ConfigError';
  }
}

export interface NumberOptions {
  /** Default 0. */
  min?: number;
  max?: number;
  integer?: boolean;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** Typed reads of environment variables; a bad value is recorded and the default returned. */
export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  /** The variable's value, `undefined` when unset or empty. */
  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  string(name: string, dflt: string): string {
    return this.optional(name) ?? dflt;
  }

  number(name: string, dflt: number, opts: NumberOptions = {}): number {
    const v = this.optional(name);
    if (v === undefined) return dflt;
    const n = Number(v.trim());
    const min = opts.min ?? 0;
    if (!Number.isFinite(n) || n < min || (opts.max !== undefined && n > opts.max) || (opts.integer && !Number.isInteger(n))) {
      const range = opts.max !== undefined ? `between ${min} and ${opts.max}` : `>= ${min}`;
      this.problem(name, `${opts.integer ? 'an integer' : 'a number'} ${range}`, v);
      return dflt;
    }
    return n;
  }

  integer(name: string, dflt: number, opts: Omit<NumberOptions, 'integer'> = {}): number {
    return this.number(name, dflt, { ...opts, integer: true });
  }

  boolean(name: string, dflt: boolean): boolean {
    const v = this.optional(name)?.toLowerCase();
    if (v === undefined) return dflt;
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    this.problem(name, 'true or false', this.env[name]);
    return dflt;
  }

  oneOf<T extends string>(name: string, values: readonly T[], dflt: T): T {
    const v = this.optional(name);
    if (v === undefined) return dflt;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.problem(name, `one of ${values.join(', ')}`, v);
    return dflt;
  }

  /** Comma-separated, trimmed, empty entries dropped. */
  list(name: string, dflt: string[]): string[] {
    const v = this.env[name];
    if (v === undefined) return dflt;
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** Parses the variable with `parse`; a thrown error is recorded as the problem. */
  parsed<T>(name: string, dflt: T, expected: string, parse: (v: string) => T): T {
    const v = this.optional(name);
    if (v === undefined) return dflt;
    try {
      return parse(v);
    } catch (err) {
      this.problem(name, `${expected} (${err instanceof Error ? err.message : String(err)})`, v);
      return dflt;
    }
  }

  problem(variable: string, expected: string, value?: string): void {
    this.problems.push({ variable, expected, ...(value !== undefined ? { value } : {}) });
  }

  /** Throws a ConfigError naming every problem recorded so far. */
  check(): void {
    if (this.problems.length) throw new ConfigError([...this.problems]);
  }
}

/** A service's typed configuration, read from an EnvReader. */
export type ConfigReader<T> = (env: EnvReader) => T;

/** Reads a configuration; throws one ConfigError listing every bad variable. */
export function readConfig<T>(read: ConfigReader<T>, env: NodeJS.ProcessEnv = process.env): T {
  const r = new EnvReader(env);
  const config = read(r);
  r.check();
  return config;
}

/**
 * A number from `env[name]`, `dflt` when unset; one below `min` (default 0), or not an integer
 * when `integer` is asked, is a start-up error naming the variable.
 */
export function envNumber(env: NodeJS.ProcessEnv, name: string, dflt: number, opts: { min?: number; integer?: boolean } = {}): number {
  return readConfig((r) => r.number(name, dflt, opts), env);
}

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
}

/** The settings every controller process shares (the Manager's). */
export function managerConfig(r: EnvReader, service: string): ManagerConfig {
  const ms = (name: string, dflt: number, min = 0): number => r.integer(name, dflt, { min });
  const cfg: ManagerConfig = {
    service,
    natsServers: r.list('KEELSON_NATS_URL', ['nats://127.0.0.1:4222']),
    natsUser: r.optional('KEELSON_NATS_USER'),
    natsPassword: r.optional('KEELSON_NATS_PASSWORD'),
    natsCaFile: r.optional('KEELSON_NATS_CA_FILE'),
    natsToken: r.optional('KEELSON_NATS_TOKEN'),
    healthHost: r.string('KEELSON_HEALTH_HOST', '0.0.0.0'),
    healthPort: r.integer('KEELSON_HEALTH_PORT', 8081, { max: 65535 }),
    leaderElection: r.boolean('KEELSON_LEADER_ELECT', true),
    leaseNamespace: r.string('KEELSON_LEADER_ELECTION_NAMESPACE', 'kube-system'),
    leaseName: r.string('KEELSON_LEADER_ELECTION_ID', service),
    identity: r.optional('POD_NAME') ?? `${hostname()}_${process.pid}`,
    leaseDurationMs: ms('KEELSON_LEASE_DURATION_MS', 15_000, 1),
    renewDeadlineMs: ms('KEELSON_RENEW_DEADLINE_MS', 10_000, 1),
    retryPeriodMs: ms('KEELSON_RETRY_PERIOD_MS', 2_000, 1),
    resyncPeriodMs: ms('KEELSON_RESYNC_PERIOD_MS', 600_000),
  };
  if (!cfg.natsServers.length) r.problem('KEELSON_NATS_URL', 'one or more NATS URLs', r.env.KEELSON_NATS_URL);
  // client-go's leader election refuses these too: a renew deadline at or past the lease
  // duration lets two replicas lead at once.
  if (cfg.renewDeadlineMs >= cfg.leaseDurationMs) r.problem('KEELSON_RENEW_DEADLINE_MS', `less than KEELSON_LEASE_DURATION_MS (${cfg.leaseDurationMs})`, String(cfg.renewDeadlineMs));
  if (cfg.retryPeriodMs >= cfg.renewDeadlineMs) r.problem('KEELSON_RETRY_PERIOD_MS', `less than KEELSON_RENEW_DEADLINE_MS (${cfg.renewDeadlineMs})`, String(cfg.retryPeriodMs));
  return cfg;
}

export function managerConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ManagerConfig {
  return readConfig((r) => managerConfig(r, service), env);
}
