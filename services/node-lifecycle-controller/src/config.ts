// node-lifecycle-controller configuration from the environment, read here only.
import { envNumber } from '@keelson/controller-runtime';
import type { PodGcConfig } from './pod-gc';

export interface NodeLifecycleConfig {
  /** KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS [40]: a node not heard from this long is Ready=Unknown. */
  gracePeriodMs: number;
  /** KEELSON_NODE_MONITOR_PERIOD_SECONDS [5]: how often each node's health is re-checked. */
  monitorPeriodMs: number;
  /** KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS [300]: pods without their own toleration of `unreachable`. */
  defaultUnreachableTolerationSeconds: number;
  /** KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS [300]: likewise for `not-ready`. */
  defaultNotReadyTolerationSeconds: number;
  /** Pod garbage collection (pod-gc.ts): KEELSON_POD_GC_PERIOD_SECONDS, KEELSON_POD_GC_QUARANTINE_SECONDS, KEELSON_TERMINATED_POD_GC_THRESHOLD. */
  podGc: PodGcConfig;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): NodeLifecycleConfig {
  const num = (name: string, dflt: number): number => envNumber(env, name, dflt);
  return {
    gracePeriodMs: num('KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS', 40) * 1000,
    monitorPeriodMs: num('KEELSON_NODE_MONITOR_PERIOD_SECONDS', 5) * 1000,
    defaultUnreachableTolerationSeconds: num('KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS', 300),
    defaultNotReadyTolerationSeconds: num('KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS', 300),
    podGc: {
      periodMs: num('KEELSON_POD_GC_PERIOD_SECONDS', 20) * 1000,
      quarantineMs: num('KEELSON_POD_GC_QUARANTINE_SECONDS', 40) * 1000,
      terminatedThreshold: num('KEELSON_TERMINATED_POD_GC_THRESHOLD', 12500),
    },
  };
}
