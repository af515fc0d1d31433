// Kubelet configuration from the environment, read here only.
import { readFileSync } from 'node:fs';
import type { ConfigReader } from '@keelson/controller-runtime';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Taint } from './types';

export type RuntimeName = 'process' | 'simulated';

export interface KubeletConfig {
  /** NODE_NAME [hostname]: this node's name; with NODE_COUNT > 1 nodes are `<NODE_NAME>-<i>`. */
  nodeName: string;
  /** KEELSON_KUBELET_RUNTIME [process] | simulated. */
  runtime: RuntimeName;
  /** NODE_COUNT [1]: nodes hosted by this process (simulated runtime only). */
  nodeCount: number;
  /** KEELSON_KUBELET_ROOT [.keelson/kubelet/<NODE_NAME>]: pod dirs, logs, pid files. */
  root: string;
  /** KEELSON_NODE_CPU [machine cores], KEELSON_NODE_MEMORY [machine memory, e.g. 8Gi], KEELSON_NODE_PODS [110]. */
  capacity: { cpu: string; memory: string; pods: string };
  /** KEELSON_NODE_ALLOCATABLE_CPU / _MEMORY / _PODS [= capacity]. */
  allocatable: { cpu: string; memory: string; pods: string };
  /** KEELSON_NODE_LABELS: `k=v,k2=v2`, added to the well-known node labels. */
  labels: Record<string, string>;
  /** KEELSON_NODE_TAINTS: `key=value:NoSchedule,key2:NoExecute`, set when the Node is registered. */
  taints: Taint[];
  /** KEELSON_NODE_LEASE_DURATION_SECONDS [40]; KEELSON_NODE_LEASE_RENEW_MS [10000]. */
  leaseDurationSeconds: number;
  leaseRenewMs: number;
  /** KEELSON_NODE_STATUS_UPDATE_MS [10000]: how often NodeStatus is computed and compared with the stored one. */
  nodeStatusUpdateMs: number;
  /**
   * KEELSON_NODE_STATUS_REPORT_MS [300000]: most time between NodeStatus writes when nothing in
   * it changed (kubelet's nodeStatusReportFrequency); a change is written at the next update.
   */
  nodeStatusReportMs: number;
  /** KEELSON_KUBELET_BACKOFF_BASE_MS [10000], KEELSON_KUBELET_BACKOFF_MAX_MS [300000]: CrashLoopBackOff and ImagePullBackOff. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** KEELSON_KUBELET_RESYNC_MS [10000]: every pod is re-synced this often (level-based safety net). */
  resyncMs: number;
  /** KEELSON_KUBELET_ADDRESS [127.0.0.1], KEELSON_KUBELET_PORT [0 = any free port]: the log server. */
  address: string;
  port: number;
  /** KEELSON_KUBELET_POD_PIDS_LIMIT [4096]: pids.max of each process pod's cgroup (kubelet's podPidsLimit; -1: none). */
  podPidsLimit: number;
  /** KEELSON_KUBELET_SHUTDOWN_GRACE_SECONDS [8]: on a graceful stop the kubelet stops its pods, each within min(its grace period, this). */
  shutdownGraceMs: number;
  /**
   * KEELSON_KUBELET_POD_NETWORK [auto] | host: `auto` gives each process pod its own network
   * namespace and IP from the Node's podCIDR where the kubelet can (root, iproute2, nsenter);
   * `host` keeps every pod on the host network (runtime/network/pod-network.ts).
   */
  podNetwork: 'auto' | 'host';
  /** KEELSON_KUBELET_POD_CIDR_WAIT_MS [10000]: how long the first pod waits for the Node's podCIDR before pods use the host network. */
  podCidrWaitMs: number;
  /**
   * KEELSON_KUBELET_CLUSTER_DNS [true]: serve cluster DNS on the pod bridge's address (dns/) and
   * make it sandboxed pods' nameserver (dnsPolicy ClusterFirst); false: pods get the host's resolv.conf.
   */
  clusterDns: boolean;
  /** KEELSON_CLUSTER_DOMAIN [cluster.local]: the DNS domain of the cluster (kubelet's --cluster-domain). */
  clusterDomain: string;
  /** KEELSON_KUBELET_AUTH_TOKEN (or _FILE, its first line): when set, the log server requires `Authorization: Bearer <it>` (the gateway's token). */
  authToken?: string;
}

export const kubeletConfig: ConfigReader<KubeletConfig> = (env) => {
  const num = (name: string, dflt: number): number => env.number(name, dflt);
  const nodeName = env.optional('NODE_NAME') ?? env.optional('HOSTNAME') ?? 'node-1';
  const capacity = {
    cpu: env.string('KEELSON_NODE_CPU', String(cpus().length)),
    memory: env.string('KEELSON_NODE_MEMORY', `${Math.floor(totalmem() / 1024)}Ki`),
    pods: env.string('KEELSON_NODE_PODS', '110'),
  };
  return {
    nodeName,
    runtime: env.oneOf<RuntimeName>('KEELSON_KUBELET_RUNTIME', ['process', 'simulated'], 'process'),
    nodeCount: env.integer('NODE_COUNT', 1, { min: 1 }),
    root: resolve(env.string('KEELSON_KUBELET_ROOT', join('.keelson', 'kubelet', nodeName))),
    capacity,
    allocatable: {
      cpu: env.string('KEELSON_NODE_ALLOCATABLE_CPU', capacity.cpu),
      memory: env.string('KEELSON_NODE_ALLOCATABLE_MEMORY', capacity.memory),
      pods: env.string('KEELSON_NODE_ALLOCATABLE_PODS', capacity.pods),
    },
    labels: parseLabels(env.string('KEELSON_NODE_LABELS', '')),
    taints: env.parsed('KEELSON_NODE_TAINTS', [], 'key=value:Effect or key:Effect, comma-separated', parseTaints),
    leaseDurationSeconds: num('KEELSON_NODE_LEASE_DURATION_SECONDS', 40),
    leaseRenewMs: num('KEELSON_NODE_LEASE_RENEW_MS', 10_000),
    nodeStatusUpdateMs: num('KEELSON_NODE_STATUS_UPDATE_MS', 10_000),
    nodeStatusReportMs: env.number('KEELSON_NODE_STATUS_REPORT_MS', 300_000, { min: 0 }),
    backoffBaseMs: num('KEELSON_KUBELET_BACKOFF_BASE_MS', 10_000),
    backoffMaxMs: num('KEELSON_KUBELET_BACKOFF_MAX_MS', 300_000),
    resyncMs: env.number('KEELSON_KUBELET_RESYNC_MS', 10_000, { min: 1 }),
    address: env.string('KEELSON_KUBELET_ADDRESS', '127.0.0.1'),
    port: env.integer('KEELSON_KUBELET_PORT', 0, { max: 65535 }),
    authToken: env.optional('KEELSON_KUBELET_AUTH_TOKEN')
      ?? env.parsed<string | undefined>('KEELSON_KUBELET_AUTH_TOKEN_FILE', undefined, 'a readable token file', (f) => readFileSync(f, 'utf8').split('\n')[0].trim() || undefined),
    podNetwork: env.oneOf<'auto' | 'host'>('KEELSON_KUBELET_POD_NETWORK', ['auto', 'host'], 'auto'),
    podCidrWaitMs: env.integer('KEELSON_KUBELET_POD_CIDR_WAIT_MS', 10_000, { min: 0 }),
    clusterDns: env.boolean('KEELSON_KUBELET_CLUSTER_DNS', true),
    clusterDomain: env.parsed('KEELSON_CLUSTER_DOMAIN', 'cluster.local', 'a DNS domain (labels of letters, digits and -)', (v) => {
      const d = v.toLowerCase().replace(/\.$/, '');
      if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(d)) throw new Error('not a domain');
      return d;
    }),
    podPidsLimit: env.integer('KEELSON_KUBELET_POD_PIDS_LIMIT', 4096, { min: -1 }),
    shutdownGraceMs: env.number('KEELSON_KUBELET_SHUTDOWN_GRACE_SECONDS', 8, { min: 0 }) * 1000,
  };
};

export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i < 0) out[part] = '';
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** `key=value:Effect` or `key:Effect`, comma-separated (kubelet's --register-with-taints). */
export function parseTaints(s: string): Taint[] {
  return s.split(',').map((p) => p.trim()).filter(Boolean).map((part) => {
    const colon = part.lastIndexOf(':');
    if (colon < 0) throw new Error(`taint ${JSON.stringify(part)} has no effect (key=value:Effect)`);
    const effect = part.slice(colon + 1);
    if (effect !== 'NoSchedule' && effect !== 'PreferNoSchedule' && effect !== 'NoExecute') throw new Error(`taint ${JSON.stringify(part)}: unknown effect ${effect}`);
    const kv = part.slice(0, colon);
    const eq = kv.indexOf('=');
    return eq < 0 ? { key: kv, effect } : { key: kv.slice(0, eq), value: kv.slice(eq + 1), effect };
  });
}
