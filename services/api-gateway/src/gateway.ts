// Assembles the gateway: etcd store, one watch cache and registry store per resource,
// bootstrap namespaces, compaction, pod termination, the event relay, and the HTTPS server.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import { BUILTIN_RESOURCES, ResourceRegistry, type KubeObject } from '@keelson/api';
import { EtcdStore, REGISTRY_ROOT, StorageError, WatchCache, etcdClientOptions, etcdEndpoints, installEncryption, keyFor, loadEncryptionConfig, prefixFor, resourcePrefixOfKey } from '@keelson/storage';
import type { Logger } from '@keelson/telemetry';
import type { GatewayConfig } from './config';
import { TokenAuthenticator } from './http/auth';
import { nodeRestrictionAdmission, setupAuthorization } from './authz';
import { AuditLog } from './http/audit';
import { FlowControl } from './http/flow-control';
import { createGatewayServer } from './http/secure-server';
import { namespaceLifecycle } from './registry/admission';
import { PriorityClassStore, ensureSystemPriorityClasses, priorityClassAdmission } from './registry/priority-classes';
import { addConvertedVersionStores } from './registry/converted-version-store';
import { defaultIngressClassAdmission } from './registry/default-ingress-class';
import { nowTimestamp } from './registry/object-meta';
import { PodTerminator } from './registry/pod-termination';
import { startRelay, type RelayConfig, type RelayHandle } from './relay';
import { startRelayThread } from './relay/thread';
import { ResourceStore } from './registry/resource-store';
import { CrdController } from './registry/crd-controller';
import { createRequestListener } from './server';
import { upgradeListener } from './streaming/pod-stream-proxy';
import { GatewayMetrics } from './metrics';
import { ensureKubernetesService } from './registry/kubernetes-service';
import { advertiseAddress, KubernetesEndpointsReconciler } from './registry/kubernetes-endpoints';
import { ServiceStorage } from './registry/service-allocation';
import { NodePortRange, ServiceCIDR } from './registry/service-ranges';
import { ServiceAccountTokens } from './serviceaccount/tokens';
import { serviceAccountAdmission } from './serviceaccount/admission';
import { limitRangerAdmission } from './admission/limit-ranger';
import { resourceQuotaAdmission } from './admission/resource-quota';
import { NamespaceDefaults, readRootCA } from './serviceaccount/namespace-defaults';

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface Gateway {
  server: Http2SecureServer;
  port: number;
  stop(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, log: Logger): Promise<Gateway> {
  if (!config.tlsCertFile || !config.tlsKeyFile) throw new Error('KEELSON_TLS_CERT_FILE and KEELSON_TLS_KEY_FILE are required: the API serves HTTPS only');
  if (!config.tokenFile) throw new Error('KEELSON_TOKEN_FILE is required (kube-apiserver static token CSV)');
  const authenticator = TokenAuthenticator.fromFile(config.tokenFile);
  if (config.encryptionConfigFile) installEncryption(loadEncryptionConfig(config.encryptionConfigFile)); // before any read or write
  const client = new Etcd3(etcdClientOptions(config.etcd));
  const metrics = new GatewayMetrics({ defaultMetrics: true });
  // The relay is optional (no KEELSON_NATS_URL, no events); it never gates readiness. It starts
  // first: a relay thread takes a moment to load, and this gives it the rest of start-up, so on
  // a fresh stream it marks the stream's start (RESYNC) before the API serves its first write.
  const relayConfig: RelayConfig = { etcd: config.etcd, bus: config.bus, limits: config.eventsStream, leaseTtlSeconds: config.relayLeaseTtlSeconds, maxInFlight: config.relayMaxInFlight, encryptionConfigFile: config.encryptionConfigFile };
  const relay = !config.bus.servers
    ? undefined
    : config.relayThread ? startRelayThread(relayConfig, log, metrics.publish) : startRelay(relayConfig, log, metrics.publish);
  // Reads and writes go to one member at a time, passing over one that stops answering; watches use `client`.
  const members = etcdEndpoints(config.etcd);
  const store = new EtcdStore(client, { observe: metrics.etcd, groupCommit: config.etcd.groupCommit, writeRetry: config.etcd.writeRetry, kv: members.kv }); // KEELSON_ETCD_GROUP_COMMIT, KEELSON_ETCD_WRITE_ATTEMPT_TIMEOUT_MS
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const nsInfo = registry.lookup('', 'v1', 'namespaces')!;
  const stores = new Map<string, ResourceStore>();
  const caches = new Map<string, WatchCache>();
  for (const info of registry.all()) caches.set(`${info.group}/${info.resource}`, new WatchCache(client, prefixFor(info), { capacity: config.watchCacheCapacity, logger: log }));
  // Updates and deletes start from the watch cache's copy, reading etcd only when it may be stale
  // (kube's cachedExistingObject): one etcd round trip less per write.
  store.useCachedExisting((key) => cacheFor(caches, key)?.get(key));
  // Every namespace's default ServiceAccount and kube-root-ca.crt (serviceaccount/namespace-defaults.ts).
  const namespaceDefaults = new NamespaceDefaults({ stores, caches, namespaceKey: (name) => keyFor(nsInfo, undefined, name), rootCA: readRootCA(config.rootCAFile, config.tlsCertFile), log });
  const admission = [namespaceLifecycle(store, caches.get('/namespaces')!, (name) => keyFor(nsInfo, undefined, name)), priorityClassAdmission(store), defaultIngressClassAdmission(store, registry.lookup('networking.k8s.io', 'v1', 'ingressclasses')!), nodeRestrictionAdmission(), serviceAccountAdmission(namespaceDefaults), limitRangerAdmission(caches), resourceQuotaAdmission(stores, caches)];
  // Services write their cluster IP and node port keys in the same etcd transaction as themselves.
  const serviceCIDR = new ServiceCIDR(config.serviceClusterIPRange);
  const serviceStorage = new ServiceStorage(client, serviceCIDR, new NodePortRange(config.serviceNodePortRange), { observe: metrics.etcd });
  const storageFor = (info: { group: string; resource: string }) => (info.group === '' && info.resource === 'services' ? serviceStorage : store);
  for (const info of registry.all()) stores.set(`${info.group}/${info.resource}`, new ResourceStore(info, storageFor(info), admission));
  addConvertedVersionStores(registry, stores, caches, (info) => new ResourceStore(info, storageFor(info), admission));
  stores.set('scheduling.k8s.io/priorityclasses', new PriorityClassStore(registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses')!, store, admission));
  const serviceAccountTokens = await ServiceAccountTokens.load(client, config.serviceAccountKeyFile);
  // ServiceAccount tokens, the Node+RBAC authorizers over the RBAC caches, escalation checks (RBAC stores).
  const authz = setupAuthorization({ registry, stores, caches, store, admission, staticTokens: authenticator, serviceAccountTokens, log, mode: config.authorizationMode });
  await Promise.all([...caches.values()].map((c) => c.start()));
  await ensureNamespaces(store, nsInfo, log);
  await ensureSystemPriorityClasses(store, registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses')!, log);
  await authz.start();
  // CustomResourceDefinitions add and remove resources from here on (registry, stores, caches).
  const crds = new CrdController({ registry, stores, caches, client, store, admission, watchCacheCapacity: config.watchCacheCapacity, log });
  await crds.start();

  await namespaceDefaults.sync();
  namespaceDefaults.start();
  const terminator = new PodTerminator(stores.get('/pods')!, caches.get('/pods')!, log);
  terminator.start();
  const flowControl = new FlowControl(config.flowControl);
  metrics.attach({
    caches, currentRevision: () => store.currentRevision(), relayedRevision: () => relay?.compactionFloor() ?? undefined,
    groupCommit: () => store.groupCommitStats(), flowControl: () => flowControl.levelStates(),
  });
  if (!relay) log.info('KEELSON_NATS_URL is not set: no event relay');
  const compactor = startCompaction(store, config.compactionIntervalSeconds, log, relay);

  const audit = AuditLog.fromConfig(config.audit);
  const listener = createRequestListener({
    registry,
    stores,
    caches,
    authenticator: authz.authenticator,
    authorizer: authz.authorizer,
    serviceAccountTokens,
    log,
    flowControl,
    audit,
    maxRequestBytes: config.maxRequestBytes,
    bookmarkIntervalSeconds: 10,
    metrics,
    ready: () => store.currentRevision().then(() => true, () => false),
    kubeletClientToken: config.kubeletClientToken,
    gitCommit: config.gitCommit,
  });
  // HTTP/2 and HTTP/1.1 on one port (http/secure-server.ts); upgrades (pods/exec, attach, portforward,
  // streaming/) exist only in HTTP/1.1. Headers up to 1 MiB, as Go's http.Server (DefaultMaxHeaderBytes)
  // serves kube-apiserver: at Node's 16 KiB a 20 KB header got 431 and the socket closed under a body
  // still uploading (ECONNRESET).
  const secure = createGatewayServer(
    { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile), maxHeaderBytes: 1 << 20, keepAliveTimeoutMs: 65_000, http2: config.http2 },
    listener,
    upgradeListener(listener),
  );
  const server = secure.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info('api-gateway listening', { url: `https://${config.host}:${port}` });
  await ensureKubernetesService(stores.get('/services')!, serviceCIDR.first, port, log);
  // default/kubernetes Endpoints and EndpointSlice: every live gateway's advertised address (registry/kubernetes-endpoints.ts).
  const advertised = advertiseAddress(config.advertiseAddress, config.host);
  const apiEndpoints = advertised ? new KubernetesEndpointsReconciler(client, { endpoints: stores.get('/endpoints')!, slices: stores.get('discovery.k8s.io/endpointslices')! }, { ip: advertised, port }, log) : undefined;
  // In the background: serving never waits on it (its first write retries on the next tick).
  if (apiEndpoints) apiEndpoints.start();
  else log.warn('no address to advertise (KEELSON_API_ADVERTISE_ADDRESS): the kubernetes Service has no endpoint for this gateway');

  return {
    server,
    port,
    async stop() {
      await apiEndpoints?.stop();
      clearInterval(compactor);
      terminator.stop();
      namespaceDefaults.stop();
      authz.stop();
      await relay?.stop(); // revokes the relay lease, so a standby replica takes over at once
      secure.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await crds.stop();
      // etcd3 hangs closing a client with live watchers: cancel them first.
      await Promise.all([...caches.values()].map((c) => c.stop()));
      client.close();
      members.close();
      await audit?.close();
    },
  };
}

async function ensureNamespaces(store: EtcdStore, nsInfo: Parameters<typeof keyFor>[0], log: Logger): Promise<void> {
  for (const name of BOOTSTRAP_NAMESPACES) {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: randomUUID(), creationTimestamp: nowTimestamp(), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    try {
      await store.create(keyFor(nsInfo, undefined, name), ns);
      log.info('created bootstrap namespace', { namespace: name });
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'KeyExists')) throw e;
    }
  }
}

/**
 * Compacts etcd history every interval to the revision seen one interval earlier,
 * as kube-apiserver does: watchers keep at least one interval of history.
 * With a relay, only the relay leader compacts, and never past the last revision the events
 * stream confirmed, so the relay can always resume without a gap (a relay stuck on an
 * unreachable NATS therefore holds compaction back; a RESYNC is only for history lost otherwise).
 */
function startCompaction(store: EtcdStore, intervalSeconds: number, log: Logger, relay?: RelayHandle): NodeJS.Timeout {
  let previous: number | undefined;
  const timer = setInterval(() => {
    void (async () => {
      const current = await store.currentRevision();
      const floor = relay ? relay.compactionFloor() : Infinity;
      if (previous !== undefined && floor !== null && Math.min(previous, floor) > 1) {
        const revision = Math.min(previous, floor);
        await store.compact(revision);
        log.info('compacted etcd', { revision, heldBackByRelay: revision < previous });
      }
      previous = current;
    })().catch((e: unknown) => log.warn('compaction failed', { err: String(e) }));
  }, intervalSeconds * 1000);
  timer.unref();
  return timer;
}

/** The watch cache holding `key` (built-in and custom resources alike), if any. */
function cacheFor(caches: Map<string, WatchCache>, key: string): WatchCache | undefined {
  const prefix = resourcePrefixOfKey(key);
  if (!prefix) return undefined;
  const [group, resource] = prefix.slice(REGISTRY_ROOT.length, -1).split('/');
  const cache = caches.get(`${group === 'core' ? '' : group}/${resource}`);
  return cache?.prefix === prefix ? cache : undefined;
}
