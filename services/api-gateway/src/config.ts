// Gateway configuration: every setting comes from the environment, read here only.
import type { ConfigReader } from '@keelson/controller-runtime';
import { etcdConnectionFromEnv, type EtcdConnection } from '@keelson/storage';
import { auditConfigFromEnv, type AuditConfig } from './http/audit';
import { flowControlConfigFromEnv, type FlowControlConfig } from './http/flow-control';
import { busConfigFromEnv, DEFAULT_STREAM_LIMITS, EVENT_MAX_BYTES, type BusConfig, type EventsStreamLimits } from '@keelson/bus';

export interface GatewayConfig {
  /** `KEELSON_ETCD_ENDPOINTS` and, for etcd with client TLS, `KEELSON_ETCD_CA_FILE`/`_CERT_FILE`/`_KEY_FILE`. */
  etcd: EtcdConnection;
  /** `KEELSON_ENCRYPTION_CONFIG`: an EncryptionConfiguration (YAML/JSON) encrypting Secrets at rest; unset, stored as is. */
  encryptionConfigFile?: string;
  host: string;
  port: number;
  /** `KEELSON_API_ADVERTISE_ADDRESS`: the IPv4 address pods reach this gateway at, listed in the `kubernetes` Service's endpoints; unset: the bind address when routable, else the host's first non-loopback IPv4 (registry/kubernetes-endpoints.ts). */
  advertiseAddress?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tokenFile?: string;
  /** Largest request body accepted, in bytes (kube-apiserver: 3 MiB). */
  maxRequestBytes: number;
  /** `KEELSON_API_HTTP2` (true): offer HTTP/2 (ALPN h2) beside HTTP/1.1 on the API port (http/secure-server.ts). */
  http2: boolean;
  /** How often the gateway compacts etcd history, in seconds (kube-apiserver: 300). */
  compactionIntervalSeconds: number;
  /** Events each watch cache keeps for resuming watches. */
  watchCacheCapacity: number;
  /** NATS for the event relay (`KEELSON_NATS_URL`, `_USER`, `_PASSWORD`); no servers = no relay. */
  bus: BusConfig;
  /** Relay leader lease TTL (`KEELSON_RELAY_LEASE_TTL_SECONDS`, 10): a standby takes over within it. */
  relayLeaseTtlSeconds: number;
  /** Unacknowledged publishes the relay keeps in flight (`KEELSON_RELAY_MAX_IN_FLIGHT`, 256). */
  relayMaxInFlight: number;
  /** Run the relay on a worker thread of its own (`KEELSON_RELAY_THREAD`, true; relay/thread.ts says why); false: on the gateway's thread. */
  relayThread: boolean;
  /** KEELSON_EVENTS limits: `KEELSON_EVENTS_MAX_AGE_SECONDS` (86400), `KEELSON_EVENTS_MAX_BYTES` (1 GiB), `KEELSON_EVENTS_DUPLICATE_WINDOW_SECONDS` (120), `KEELSON_EVENTS_MAX_MSG_BYTES` (4 MiB; larger events go out as references), `KEELSON_EVENTS_REPLICAS` (1; 3 in a 3-node JetStream cluster). */
  eventsStream: EventsStreamLimits;
  /** Cluster IPs of Services come from this IPv4 block (`KEELSON_SERVICE_CLUSTER_IP_RANGE`, 10.96.0.0/12). */
  serviceClusterIPRange: string;
  /** Node ports of NodePort/LoadBalancer Services (`KEELSON_SERVICE_NODE_PORT_RANGE`, 30000-32767). */
  serviceNodePortRange: string;
  /** PEM private key signing service account tokens (`KEELSON_SERVICE_ACCOUNT_KEY_FILE`); unset: generated once, kept in etcd. */
  serviceAccountKeyFile?: string;
  /** The cluster CA (`KEELSON_CA_FILE`), published to every namespace as ConfigMap kube-root-ca.crt for pods; unset: the serving certificate's chain. */
  rootCAFile?: string;
  /** `KEELSON_KUBELET_CLIENT_TOKEN` (else `KEELSON_TOKEN`): the bearer token pods/log sends to kubelets. */
  kubeletClientToken?: string;
  /** `KEELSON_GIT_COMMIT` [unknown]: `/version`'s gitCommit. */
  gitCommit: string;
  /** `KEELSON_AUTHORIZATION_MODE`: a list of `Node`, `RBAC` (default `Node,RBAC`), or `AlwaysAllow` (see authz/authorizer.ts). */
  authorizationMode: string;
  /** `KEELSON_FLOW_*`, `KEELSON_REQUEST_TIMEOUT_SECONDS`: see http/flow-control.ts. */
  flowControl: FlowControlConfig;
  /** `KEELSON_AUDIT_LOG_PATH`, `KEELSON_AUDIT_POLICY_FILE`, `KEELSON_AUDIT_MAX_BODY_BYTES`. */
  audit: AuditConfig;
}

export const gatewayConfig: ConfigReader<GatewayConfig> = (r) => {
  const env = r.env;
  const cfg: GatewayConfig = {
    etcd: etcdConnectionFromEnv(env),
    encryptionConfigFile: r.optional('KEELSON_ENCRYPTION_CONFIG'),
    host: r.string('KEELSON_API_HOST', '127.0.0.1'),
    port: r.integer('KEELSON_API_PORT', 6443, { max: 65535 }),
    advertiseAddress: r.optional('KEELSON_API_ADVERTISE_ADDRESS'),
    tlsCertFile: r.optional('KEELSON_TLS_CERT_FILE'),
    tlsKeyFile: r.optional('KEELSON_TLS_KEY_FILE'),
    tokenFile: r.optional('KEELSON_TOKEN_FILE'),
    authorizationMode: r.string('KEELSON_AUTHORIZATION_MODE', 'Node,RBAC'),
    kubeletClientToken: r.optional('KEELSON_KUBELET_CLIENT_TOKEN') ?? r.optional('KEELSON_TOKEN'),
    gitCommit: r.string('KEELSON_GIT_COMMIT', 'unknown'),
    maxRequestBytes: r.integer('KEELSON_MAX_REQUEST_BYTES', 3 * 1024 * 1024, { min: 1 }),
    http2: r.boolean('KEELSON_API_HTTP2', true),
    compactionIntervalSeconds: r.number('KEELSON_COMPACTION_INTERVAL_SECONDS', 300),
    watchCacheCapacity: r.integer('KEELSON_WATCH_CACHE_CAPACITY', 10000, { min: 1 }),
    bus: busConfigFromEnv(env),
    relayLeaseTtlSeconds: r.integer('KEELSON_RELAY_LEASE_TTL_SECONDS', 10, { min: 1 }),
    relayMaxInFlight: r.integer('KEELSON_RELAY_MAX_IN_FLIGHT', 256, { min: 1 }),
    relayThread: r.boolean('KEELSON_RELAY_THREAD', true),
    eventsStream: {
      maxAgeSeconds: r.number('KEELSON_EVENTS_MAX_AGE_SECONDS', DEFAULT_STREAM_LIMITS.maxAgeSeconds),
      maxBytes: r.integer('KEELSON_EVENTS_MAX_BYTES', DEFAULT_STREAM_LIMITS.maxBytes, { min: 1 }),
      duplicateWindowSeconds: r.number('KEELSON_EVENTS_DUPLICATE_WINDOW_SECONDS', DEFAULT_STREAM_LIMITS.duplicateWindowSeconds),
      maxMsgBytes: r.integer('KEELSON_EVENTS_MAX_MSG_BYTES', DEFAULT_STREAM_LIMITS.maxMsgBytes ?? EVENT_MAX_BYTES, { min: 1 }),
      // JetStream allows 1 to 5 copies of a stream.
      replicas: r.integer('KEELSON_EVENTS_REPLICAS', 1, { min: 1, max: 5 }),
    },
    serviceClusterIPRange: r.string('KEELSON_SERVICE_CLUSTER_IP_RANGE', '10.96.0.0/12'),
    serviceNodePortRange: r.string('KEELSON_SERVICE_NODE_PORT_RANGE', '30000-32767'),
    serviceAccountKeyFile: r.optional('KEELSON_SERVICE_ACCOUNT_KEY_FILE'),
    rootCAFile: r.optional('KEELSON_CA_FILE'),
    flowControl: flowControlConfigFromEnv(env),
    audit: auditConfigFromEnv(env),
  };
  // The API serves HTTPS only and authenticates every request.
  if (!cfg.tlsCertFile) r.problem('KEELSON_TLS_CERT_FILE', 'the serving certificate (PEM file)');
  if (!cfg.tlsKeyFile) r.problem('KEELSON_TLS_KEY_FILE', 'the serving key (PEM file)');
  if (!cfg.tokenFile) r.problem('KEELSON_TOKEN_FILE', 'a static token CSV (token,user,uid[,groups])');
  if (cfg.advertiseAddress !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(cfg.advertiseAddress)) r.problem('KEELSON_API_ADVERTISE_ADDRESS', 'an IPv4 address');
  return cfg;
};

