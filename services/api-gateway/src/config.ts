// Gateway configuration: every setting comes from the environment, read here only.
import { etcdConnectionFromEnv, type EtcdConnection } from '@keelson/storage';
import { auditConfigFromEnv, type AuditConfig } from './http/audit';
import { flowControlConfigFromEnv, type FlowControlConfig } from './http/flow-control';
import { busConfigFromEnv, DEFAULT_STREAM_LIMITS, type BusConfig, type EventsStreamLimits } from '@keelson/bus';

export interface GatewayConfig {
  /** `KEELSON_ETCD_ENDPOINTS` and, for etcd with client TLS, `KEELSON_ETCD_CA_FILE`/`_CERT_FILE`/`_KEY_FILE`. */
  etcd: EtcdConnection;
  /** `KEELSON_ENCRYPTION_CONFIG`: an EncryptionConfiguration (YAML/JSON) encrypting Secrets at rest; unset, stored as is. */
  encryptionConfigFile?: string;
  host: string;
  port: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tokenFile?: string;
  /** Largest request body accepted, in bytes (kube-apiserver: 3 MiB). */
  maxRequestBytes: number;
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
  /** KEELSON_EVENTS limits: `KEELSON_EVENTS_MAX_AGE_SECONDS` (86400), `KEELSON_EVENTS_MAX_BYTES` (1 GiB), `KEELSON_EVENTS_DUPLICATE_WINDOW_SECONDS` (120), `KEELSON_EVENTS_MAX_MSG_BYTES` (4 MiB; larger events go out as references). */
  eventsStream: EventsStreamLimits;
  /** Cluster IPs of Services come from this IPv4 block (`KEELSON_SERVICE_CLUSTER_IP_RANGE`, 10.96.0.0/12). */
  serviceClusterIPRange: string;
  /** Node ports of NodePort/LoadBalancer Services (`KEELSON_SERVICE_NODE_PORT_RANGE`, 30000-32767). */
  serviceNodePortRange: string;
  /** PEM private key signing service account tokens (`KEELSON_SERVICE_ACCOUNT_KEY_FILE`); unset: generated once, kept in etcd. */
  serviceAccountKeyFile?: string;
  /** `KEELSON_AUTHORIZATION_MODE`: a list of `Node`, `RBAC` (default `Node,RBAC`), or `AlwaysAllow` (see authz/authorizer.ts). */
  authorizationMode: string;
  /** `KEELSON_FLOW_*`, `KEELSON_REQUEST_TIMEOUT_SECONDS`: see http/flow-control.ts. */
  flowControl: FlowControlConfig;
  /** `KEELSON_AUDIT_LOG_PATH`, `KEELSON_AUDIT_POLICY_FILE`, `KEELSON_AUDIT_MAX_BODY_BYTES`. */
  audit: AuditConfig;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    etcd: etcdConnectionFromEnv(env),
    encryptionConfigFile: env.KEELSON_ENCRYPTION_CONFIG || undefined,
    host: env.KEELSON_API_HOST ?? '127.0.0.1',
    port: Number(env.KEELSON_API_PORT ?? 6443),
    tlsCertFile: env.KEELSON_TLS_CERT_FILE || undefined,
    tlsKeyFile: env.KEELSON_TLS_KEY_FILE || undefined,
    tokenFile: env.KEELSON_TOKEN_FILE || undefined,
    authorizationMode: env.KEELSON_AUTHORIZATION_MODE || 'Node,RBAC',
    maxRequestBytes: Number(env.KEELSON_MAX_REQUEST_BYTES ?? 3 * 1024 * 1024),
    compactionIntervalSeconds: Number(env.KEELSON_COMPACTION_INTERVAL_SECONDS ?? 300),
    watchCacheCapacity: Number(env.KEELSON_WATCH_CACHE_CAPACITY ?? 10000),
    bus: busConfigFromEnv(env),
    relayLeaseTtlSeconds: Number(env.KEELSON_RELAY_LEASE_TTL_SECONDS ?? 10),
    relayMaxInFlight: Number(env.KEELSON_RELAY_MAX_IN_FLIGHT ?? 256),
    eventsStream: {
      maxAgeSeconds: Number(env.KEELSON_EVENTS_MAX_AGE_SECONDS ?? DEFAULT_STREAM_LIMITS.maxAgeSeconds),
      maxBytes: Number(env.KEELSON_EVENTS_MAX_BYTES ?? DEFAULT_STREAM_LIMITS.maxBytes),
      duplicateWindowSeconds: Number(env.KEELSON_EVENTS_DUPLICATE_WINDOW_SECONDS ?? DEFAULT_STREAM_LIMITS.duplicateWindowSeconds),
      maxMsgBytes: Number(env.KEELSON_EVENTS_MAX_MSG_BYTES ?? DEFAULT_STREAM_LIMITS.maxMsgBytes),
      // KEELSON_EVENTS_REPLICAS [1]: 3 on a 3-node JetStream cluster (docker-compose.yml).
      replicas: Number(env.KEELSON_EVENTS_REPLICAS ?? 1),
    },
    serviceClusterIPRange: env.KEELSON_SERVICE_CLUSTER_IP_RANGE || '10.96.0.0/12',
    serviceNodePortRange: env.KEELSON_SERVICE_NODE_PORT_RANGE || '30000-32767',
    serviceAccountKeyFile: env.KEELSON_SERVICE_ACCOUNT_KEY_FILE || undefined,
    flowControl: flowControlConfigFromEnv(env),
    audit: auditConfigFromEnv(env),
  };
}
