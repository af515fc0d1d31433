// runOperator: an operator run as a long-lived service, the way Keelson's own controllers run
// (controller-runtime's runService underneath): its settings read and validated from the
// environment before anything starts (one ConfigError naming every bad variable), tracing
// started first and flushed last, /healthz /readyz /metrics served, leader election among
// replicas, SIGTERM/SIGINT drained. The operator's own settings come from a ConfigReader:
//
//   const settings: ConfigReader<Settings> = (env) => ({ intervalMs: env.integer('MY_INTERVAL_MS', 10_000, { min: 50 }) });
//   runOperator('my-operator', settings, (op, s) => {
//     op.for<Greeting>(GREETINGS).reconcile(...);
//     op.add({ start: () => ..., stop: () => ... });
//   });
//
// The API is found as the Operator finds it (KEELSON_API_URL + KEELSON_TOKEN(_FILE) +
// KEELSON_CA_FILE, else $KUBECONFIG); the service settings are the Keelson services' own
// variables (managerConfig in @keelson/controller-runtime, read here, not copied).
import { managerConfig, runService, type ConfigReader, type EnvReader, type RunningService, type RunServiceOptions } from '@keelson/controller-runtime';
import { loadClientConfig } from './kubeconfig';
import { Operator, type OperatorLeaderElection } from './operator';

export interface OperatorServiceSettings {
  /** KEELSON_HEALTH_HOST [0.0.0.0], KEELSON_HEALTH_PORT [8081; 0 = any free port]. */
  health: { host: string; port: number };
  /** KEELSON_LEADER_ELECT [true]; KEELSON_LEADER_ELECTION_NAMESPACE [kube-system], KEELSON_LEADER_ELECTION_ID [the name], POD_NAME, KEELSON_LEASE_DURATION_MS / _RENEW_DEADLINE_MS / _RETRY_PERIOD_MS. */
  leaderElection?: OperatorLeaderElection;
  /** KEELSON_RESYNC_PERIOD_MS [600000; 0 = off]. */
  resyncPeriodMs: number;
}

/** The service settings of an operator named `name`, from the environment. */
export function operatorServiceSettings(r: EnvReader, name: string): OperatorServiceSettings {
  const m = managerConfig(r, name);
  return {
    health: { host: m.healthHost, port: m.healthPort },
    leaderElection: m.leaderElection ? {
      namespace: m.leaseNamespace, name: m.leaseName, identity: m.identity,
      leaseDurationMs: m.leaseDurationMs, renewDeadlineMs: m.renewDeadlineMs, retryPeriodMs: m.retryPeriodMs,
    } : undefined,
    resyncPeriodMs: m.resyncPeriodMs,
  };
}

/**
 * Runs an operator as a service: reads `read`'s settings and the service settings together,
 * builds the Operator, lets `setup` declare its controllers and runnables, starts it, and stops
 * it on SIGTERM/SIGINT. A bad setting or a failing setup prints one fatal JSON line and exits 1.
 */
export function runOperator<C>(
  name: string,
  read: ConfigReader<C>,
  setup: (op: Operator, config: C) => Promise<void> | void,
  opts: RunServiceOptions = {},
): Promise<RunningService | undefined> {
  return runService(name, async (svc) => {
    const { own, service } = svc.config((r) => ({ own: read(r), service: operatorServiceSettings(r, name) }));
    const op = new Operator({
      name, logger: svc.log, config: loadClientConfig({ env: svc.env, userAgent: name }),
      health: service.health, leaderElection: service.leaderElection, resyncPeriodMs: service.resyncPeriodMs,
    });
    svc.onShutdown(() => op.stop());
    await setup(op, own);
    await op.start();
  }, opts);
}
