// node-lifecycle-controller configuration from the environment, read here only.
import type { ConfigReader } from '@keelson/controller-runtime';
import type { NodeIpamConfig } from './node-ipam';
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
  /** KEELSON_NODE_LIFECYCLE_WORKERS [4]: nodes evaluated in parallel. */
  workers: number;
  /** Pod garbage collection (pod-gc.ts): KEELSON_POD_GC_PERIOD_SECONDS, KEELSON_POD_GC_QUARANTINE_SECONDS, KEELSON_TERMINATED_POD_GC_THRESHOLD. */
  podGc: PodGcConfig;
  /** Node IPAM (node-ipam.ts): KEELSON_CLUSTER_CIDR [10.244.0.0/16], KEELSON_NODE_CIDR_MASK_SIZE [24]. */
  ipam: NodeIpamConfig;
}

export const nodeLifecycleConfig: ConfigReader<NodeLifecycleConfig> = (env) => {
  const seconds = (name: string, dflt: number): number => env.number(name, dflt);
  return {
    gracePeriodMs: seconds('KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS', 40) * 1000,
    monitorPeriodMs: seconds('KEELSON_NODE_MONITOR_PERIOD_SECONDS', 5) * 1000,
    defaultUnreachableTolerationSeconds: seconds('KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS', 300),
    defaultNotReadyTolerationSeconds: seconds('KEELSON_DEFAULT_NOT_READY_TOLERATION_SECONDS', 300),
    workers: env.integer('KEELSON_NODE_LIFECYCLE_WORKERS', 4, { min: 1 }),
    podGc: {
      periodMs: seconds('KEELSON_POD_GC_PERIOD_SECONDS', 20) * 1000,
      quarantineMs: seconds('KEELSON_POD_GC_QUARANTINE_SECONDS', 40) * 1000,
      terminatedThreshold: env.integer('KEELSON_TERMINATED_POD_GC_THRESHOLD', 12500),
    },
    ipam: {
      clusterCidr: env.string('KEELSON_CLUSTER_CIDR', '10.244.0.0/16'),
      nodeMaskSize: env.integer('KEELSON_NODE_CIDR_MASK_SIZE', 24, { min: 1, max: 30 }),
    },
  };
};
