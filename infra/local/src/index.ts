// @keelson/local: the local cluster supervisor and the credentials it (and compose) generate.
export { ensureCredentials, ensureEtcdCertificates, ensureNatsCertificate, ETCD_SANS, NATS_SANS, writeKubeconfig, parseTokenFile, certificateSans, serviceUser, DEFAULT_SANS, DEFAULT_SERVICE_CLUSTER_IP_RANGE, apiServiceIp, ADMIN_USER, SERVICE_GROUP } from './credentials';
export type { Credentials, CredentialOptions, EtcdCertificates } from './credentials';
export { ManagedProcess, nextBackoff, DEFAULT_BACKOFF, pipeTagged, formatTag } from './supervisor';
export type { BackoffPolicy, ProcessSpec, ProcessEvent } from './supervisor';
export { loadLocalConfig, apiUrl } from './config';
export type { LocalConfig } from './config';
export { waitReady, probe, portFree, NotReadyError } from './health';
export { discoverServices } from './main';
export { ensureNatsCredentials, natsServerConfig, writeNatsServerConfig, permissionsFor, parseNatsUsers, inboxPrefixFor, NATS_GATEWAY_USER } from './nats-config';
export type { NatsCredentials, NatsUser, NatsServerConfigOptions } from './nats-config';
export { ensureEncryptionConfig, encryptionConfigYaml, newEncryptionKey, ENCRYPTION_CONFIG_FILE } from './encryption-config';
export { runningMachines, stopMachines } from './machines';
export { GATEWAY_NODE_FLAGS } from './config';
