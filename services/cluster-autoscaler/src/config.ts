// The cluster autoscaler's own settings (upstream cluster-autoscaler's flags), read from the
// environment here only; runOperator reads the service's shared ones.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigReader, EnvReader } from '@keelson/operator-sdk';
import type { ContainerProviderConfig } from './container-provider';

/** The `process` provider's settings; undefined (the provider off) without a kubelet identity. */
export interface ProcessProviderConfig {
  /** KEELSON_AUTOSCALER_KUBELET_TOKEN or _TOKEN_FILE: the identity its kubelets authenticate as (the shared kubelet one). */
  token: string;
  /** KEELSON_AUTOSCALER_KUBELET_NATS_USER [kubelet] and _NATS_PASSWORD: their NATS identity. */
  natsUser: string;
  natsPassword?: string;
  /** KEELSON_AUTOSCALER_KUBELET_ROOT [.keelson/autoscaler-kubelets]: each kubelet's root (pods, logs) is <root>/<node>. */
  root: string;
  /** KEELSON_AUTOSCALER_KUBELET_MAIN [services/kubelet/dist/main.js]: the kubelet to start. */
  kubeletMain: string;
  /** KEELSON_AUTOSCALER_KUBELET_ENV: `K=V,K2=V2` more environment for every kubelet (e.g. KEELSON_KUBELET_POD_NETWORK=host). */
  extraEnv: Record<string, string>;
  /** KEELSON_AUTOSCALER_KUBELET_STOP_TIMEOUT_MS [20000]: SIGKILL a kubelet still running this long after SIGTERM. */
  stopTimeoutMs: number;
}

export interface AutoscalerConfig {
  /** KEELSON_AUTOSCALER_SCAN_INTERVAL_MS [10000]: how often the cluster is re-evaluated (--scan-interval). */
  scanIntervalMs: number;
  /** KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS [600000]: how long a node must stay empty before it is removed (--scale-down-unneeded-time). */
  scaleDownUnneededMs: number;
  /** KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS [600000]: no scale-down of a pool this soon after it scaled up (--scale-down-delay-after-add). */
  scaleDownDelayAfterAddMs: number;
  /** KEELSON_AUTOSCALER_MAX_NODE_PROVISION_TIME_MS [900000]: a provisioned node that never registered is given up and deleted (--max-node-provision-time). */
  maxNodeProvisionMs: number;
  /** KEELSON_AUTOSCALER_MAX_EMPTY_BULK_DELETE [10]: empty nodes removed per loop (--max-empty-bulk-delete). */
  maxEmptyBulkDelete: number;
  /**
   * KEELSON_AUTOSCALER_RELIST_PERIOD_MS [30000; 0 = never]: the NodePool, Node and Pod caches are
   * also listed this often and converged (a level-based safety net: a watch that lost events
   * would otherwise leave the loop deciding on a wrong cluster, e.g. pods it never saw as pending).
   */
  relistPeriodMs: number;
  process?: ProcessProviderConfig;
  container?: ContainerProviderConfig;
}

function containerProvider(env: EnvReader): ContainerProviderConfig | undefined {
  const socket = env.optional('KEELSON_AUTOSCALER_DOCKER_SOCKET');
  if (!socket) return undefined;
  return {
    socket,
    template: env.string('KEELSON_AUTOSCALER_CONTAINER_TEMPLATE', 'nodes-sim'),
    stopSeconds: env.integer('KEELSON_AUTOSCALER_CONTAINER_STOP_SECONDS', 20, { min: 0 }),
  };
}

function processProvider(env: EnvReader): ProcessProviderConfig | undefined {
  const file = env.optional('KEELSON_AUTOSCALER_KUBELET_TOKEN_FILE');
  const token = env.optional('KEELSON_AUTOSCALER_KUBELET_TOKEN')
    ?? (file ? env.parsed('KEELSON_AUTOSCALER_KUBELET_TOKEN_FILE', undefined, 'a readable token file', (f) => readFileSync(f, 'utf8').split('\n')[0].trim() || undefined) : undefined);
  if (!token) return undefined;
  return {
    token,
    natsUser: env.string('KEELSON_AUTOSCALER_KUBELET_NATS_USER', 'kubelet'),
    natsPassword: env.optional('KEELSON_AUTOSCALER_KUBELET_NATS_PASSWORD'),
    root: resolve(env.string('KEELSON_AUTOSCALER_KUBELET_ROOT', join('.keelson', 'autoscaler-kubelets'))),
    kubeletMain: resolve(env.string('KEELSON_AUTOSCALER_KUBELET_MAIN', resolve(__dirname, '../../kubelet/dist/main.js'))),
    extraEnv: env.parsed('KEELSON_AUTOSCALER_KUBELET_ENV', {}, 'K=V pairs, comma-separated', (v) => Object.fromEntries(v.split(',').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`${kv} is not K=V`);
      return [kv.slice(0, i).trim(), kv.slice(i + 1)];
    }))),
    stopTimeoutMs: env.integer('KEELSON_AUTOSCALER_KUBELET_STOP_TIMEOUT_MS', 20_000, { min: 1 }),
  };
}

export const autoscalerConfig: ConfigReader<AutoscalerConfig> = (env) => ({
  scanIntervalMs: env.integer('KEELSON_AUTOSCALER_SCAN_INTERVAL_MS', 10_000, { min: 50 }),
  scaleDownUnneededMs: env.integer('KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS', 600_000, { min: 0 }),
  scaleDownDelayAfterAddMs: env.integer('KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS', 600_000, { min: 0 }),
  maxNodeProvisionMs: env.integer('KEELSON_AUTOSCALER_MAX_NODE_PROVISION_TIME_MS', 900_000, { min: 1000 }),
  maxEmptyBulkDelete: env.integer('KEELSON_AUTOSCALER_MAX_EMPTY_BULK_DELETE', 10, { min: 1 }),
  relistPeriodMs: env.integer('KEELSON_AUTOSCALER_RELIST_PERIOD_MS', 30_000, { min: 0 }),
  process: processProvider(env),
  container: containerProvider(env),
});
