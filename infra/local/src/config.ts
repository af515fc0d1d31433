// Local cluster settings: every port and path from the environment, with the defaults documented in README.
import { resolve } from 'node:path';

export interface LocalConfig {
  repoRoot: string;
  /** Data, PKI, tokens and kubeconfig (`KEELSON_HOME`, default `<repo>/.keelson`). */
  home: string;
  etcdBin: string;
  etcdPort: number;
  etcdPeerPort: number;
  /** etcd's plain-HTTP /health and /metrics listener on loopback (`KEELSON_ETCD_METRICS_PORT`); the client port wants a certificate. */
  etcdMetricsPort: number;
  /** etcd refuses writes past this size; the gateway compacts, this bounds a runaway (`KEELSON_ETCD_QUOTA_BYTES`). */
  etcdQuotaBytes: number;
  natsBin: string;
  natsPort: number;
  natsMonitorPort: number;
  apiHost: string;
  apiPort: number;
  /** Folder scanned for `<name>/dist/main.js`. */
  servicesDir: string;
  /** First of the ports handed out as KEELSON_HEALTH_PORT, one per service in name order. */
  servicePortBase: number;
  extraSans: string[];
  /**
   * HA (`KEELSON_REPLICAS`, default 1): gateway replicas (replica i serves on apiPort + i) and
   * replicas of every leader-elected service. Kubelets stay one per node.
   */
  replicas: number;
  /** etcd cluster size (`KEELSON_ETCD_MEMBERS`, default 1; 3 for HA): member i uses the etcd ports + 3·i. */
  etcdMembers: number;
}

const num = (v: string | undefined, d: number): number => {
  const n = Number(v);
  return v && Number.isFinite(n) ? n : d;
};

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const repoRoot = resolve(__dirname, '../../..');
  const home = resolve(env.KEELSON_HOME ?? resolve(repoRoot, '.keelson'));
  return {
    repoRoot,
    home,
    etcdBin: env.KEELSON_ETCD_BIN ?? 'etcd',
    etcdPort: num(env.KEELSON_ETCD_PORT, 2379),
    etcdPeerPort: num(env.KEELSON_ETCD_PEER_PORT, 2380),
    etcdMetricsPort: num(env.KEELSON_ETCD_METRICS_PORT, 2381),
    etcdQuotaBytes: num(env.KEELSON_ETCD_QUOTA_BYTES, 4 * 1024 ** 3),
    natsBin: env.KEELSON_NATS_BIN ?? 'nats-server',
    natsPort: num(env.KEELSON_NATS_PORT, 4222),
    natsMonitorPort: num(env.KEELSON_NATS_MONITOR_PORT, 8222),
    apiHost: env.KEELSON_API_HOST ?? '127.0.0.1',
    apiPort: num(env.KEELSON_API_PORT, 6443),
    servicesDir: resolve(env.KEELSON_SERVICES_DIR ?? resolve(repoRoot, 'services')),
    servicePortBase: num(env.KEELSON_SERVICE_PORT_BASE, 9100),
    replicas: Math.max(1, Math.floor(num(env.KEELSON_REPLICAS, 1))),
    etcdMembers: Math.max(1, Math.floor(num(env.KEELSON_ETCD_MEMBERS, 1))),
    extraSans: (env.KEELSON_EXTRA_SANS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

/** Where clients reach the API: a wildcard bind address is still dialled on loopback. */
export function apiUrl(cfg: LocalConfig): string {
  const host = cfg.apiHost === '0.0.0.0' || cfg.apiHost === '::' ? '127.0.0.1' : cfg.apiHost;
  return `https://${host.includes(':') ? `[${host}]` : host}:${cfg.apiPort}`;
}

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  metricsPort: number;
  /** Data directory under home: `etcd` for a single member (as before), `etcd-cluster/<name>` in a cluster. */
  dataDir: string;
}

/** The etcd members to run: one (the historic layout) or a cluster on consecutive port triples. */
export function etcdMembers(cfg: LocalConfig): EtcdMember[] {
  if (cfg.etcdMembers <= 1) {
    return [{ name: 'keelson', clientPort: cfg.etcdPort, peerPort: cfg.etcdPeerPort, metricsPort: cfg.etcdMetricsPort, dataDir: 'etcd' }];
  }
  return Array.from({ length: cfg.etcdMembers }, (_, i) => ({
    name: `keelson-${i}`,
    clientPort: cfg.etcdPort + 3 * i,
    peerPort: cfg.etcdPeerPort + 3 * i,
    metricsPort: cfg.etcdMetricsPort + 3 * i,
    dataDir: `etcd-cluster/keelson-${i}`,
  }));
}

/**
 * Node flags of the gateway process (npm start, the test harness and the compose image alike): a
 * 64 MB young generation. The gateway allocates a few short-lived objects per request and event
 * (bodies, decoded objects, envelopes); with V8's default 16 MB semi-space it spent its time in
 * scavenges. Measured with `npm run bench -- deploy` in two sessions, three runs each side by
 * side: the gateway's CPU per pod 4.2–4.65 ms against 4.77–5.0 ms, apply → all Ready 5.23–5.71 s
 * against 5.79–6.26 s (and 4.91–5.29 against 4.97–7.3 s earlier); the heap ceiling grows by ~100 MB.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64'];
