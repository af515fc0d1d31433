// node-lifecycle-controller configuration from the environment, read here only.

export interface NodeLifecycleConfig {
  /** KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS [40]: a node not heard from this long is Ready=Unknown. */
  gracePeriodMs: number;
  /** KEELSON_NODE_MONITOR_PERIOD_SECONDS [5]: how often each node's health is re-checked. */
  monitorPeriodMs: number;
  /** KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS [300]: pods without their own toleration of `unreachable`. */
  defaultUnreachableTolerationSeconds: number;
  /** KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS [300]: likewise for `not-ready`. */
  defaultNotReadyTolerationSeconds: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): NodeLifecycleConfig {
  const num = (name: string, dflt: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  return {
    gracePeriodMs: num('KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS', 40) * 1000,
    monitorPeriodMs: num('KEELSON_NODE_MONITOR_PERIOD_SECONDS', 5) * 1000,
    defaultUnreachableTolerationSeconds: num('KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS', 300),
    defaultNotReadyTolerationSeconds: num('KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS', 300),
  };
}
