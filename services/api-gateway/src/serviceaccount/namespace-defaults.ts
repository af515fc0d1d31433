// What every namespace holds for its pods, kept by the gateway as kube-controller-manager's
// serviceaccounts controller and root-ca-cert-publisher keep it: a `default` ServiceAccount and a
// `kube-root-ca.crt` ConfigMap with the CA that signed the API's serving certificate (`ca.crt`),
// which the kubelet projects into pods next to their token. Both are created in every active
// namespace, created again when deleted, and the ConfigMap is set back when edited. Runs in the
// gateway (which already keeps bootstrap objects): it sees namespaces in its watch cache the
// moment they exist, so no pod waits on another service. A pass runs after any change of the
// namespaces, serviceaccounts or configmaps caches; several replicas agree (creates are
// idempotent, updates carry resourceVersions).
import { readFileSync } from 'node:fs';
import { ApiError, type KubeObject } from '@keelson/api';
import type { WatchCache } from '@keelson/storage';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from '../registry/request-context';
import type { ResourceStore } from '../registry/resource-store';
import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, type ServiceAccountSource } from './admission';

/** The annotation kube's publisher puts on the ConfigMap. */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * The CA bundle to publish: the cluster CA file (KEELSON_CA_FILE, as controller-manager's
 * --root-ca-file), else the certificates of the serving certificate file (a self-signed
 * serving certificate is its own root).
 */
export function readRootCA(caFile: string | undefined, servingCertFile: string): string {
  if (caFile) return readFileSync(caFile, 'utf8');
  const pem = readFileSync(servingCertFile, 'utf8');
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  return certs.length > 1 ? certs.slice(1).join('') : certs.join('');
}

export interface NamespaceDefaultsDeps {
  /** The gateway's stores and caches by `group/resource`, read when used (they are filled after admission is built). */
  stores: Map<string, ResourceStore>;
  caches: Map<string, WatchCache>;
  /** The namespaces cache's key of a namespace. */
  namespaceKey: (name: string) => string;
  rootCA: string;
  log: Logger;
  intervalMs?: number;
}

interface Resource {
  cache: WatchCache;
  store: ResourceStore;
}

const SYSTEM: RequestContext['user'] = { name: 'system:kube-controller-manager', uid: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };
const ctx = (): RequestContext => ({ user: SYSTEM, dryRun: false, fieldValidation: 'Strict', warnings: [] });

export class NamespaceDefaults implements ServiceAccountSource {
  private timer: NodeJS.Timeout | undefined;
  private seen = '';
  private running = false;

  constructor(private readonly deps: NamespaceDefaultsDeps) {}

  private resource(name: string): Resource {
    const cache = this.deps.caches.get(`/${name}`);
    const store = this.deps.stores.get(`/${name}`);
    if (!cache || !store) throw new Error(`no store for ${name}`);
    return { cache, store };
  }

  private get namespaces(): WatchCache {
    return this.resource('namespaces').cache;
  }

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.deps.intervalMs ?? 200);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The service account from the cache, else from etcd (created a moment ago). */
  async get(namespace: string, name: string): Promise<KubeObject | undefined> {
    const { cache, store } = this.resource('serviceaccounts');
    const cached = cache.get(store.key(namespace, name));
    if (cached) return cached;
    return store.get(namespace, name).catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    });
  }

  async ensureDefault(namespace: string): Promise<KubeObject | undefined> {
    const ns = this.namespaces.get(this.deps.namespaceKey(namespace));
    if (ns?.metadata.deletionTimestamp) return undefined;
    await this.createIfMissing(this.resource('serviceaccounts').store, namespace, defaultServiceAccount(namespace));
    return this.get(namespace, DEFAULT_SERVICE_ACCOUNT);
  }

  /** One pass over every namespace, when any of the three caches moved since the last one. */
  async sync(): Promise<void> {
    const namespaces = this.namespaces;
    const sas = this.resource('serviceaccounts');
    const cms = this.resource('configmaps');
    const revision = `${namespaces.currentRevision()}/${sas.cache.currentRevision()}/${cms.cache.currentRevision()}`;
    if (this.running || revision === this.seen) return;
    this.running = true;
    try {
      for (const ns of namespaces.list().items) {
        const name = ns.metadata.name ?? '';
        if (ns.metadata.deletionTimestamp || !name) continue;
        if (!sas.cache.get(sas.store.key(name, DEFAULT_SERVICE_ACCOUNT))) await this.createIfMissing(sas.store, name, defaultServiceAccount(name));
        const cm = cms.cache.get(cms.store.key(name, ROOT_CA_CONFIGMAP));
        if (!cm) await this.createIfMissing(cms.store, name, this.rootCAConfigMap(name));
        else if ((cm.data as Record<string, unknown> | undefined)?.['ca.crt'] !== this.deps.rootCA) await this.restoreRootCA(cms.store, name);
      }
      this.seen = revision;
    } catch (e) {
      this.deps.log.warn('service account defaults failed; retrying', { err: e instanceof Error ? e.message : String(e) });
    } finally {
      this.running = false;
    }
  }

  private rootCAConfigMap(namespace: string): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
      data: { 'ca.crt': this.deps.rootCA },
    };
  }

  private async restoreRootCA(store: ResourceStore, namespace: string): Promise<void> {
    await store
      .update(namespace, ROOT_CA_CONFIGMAP, (current) => ({
        ...current,
        metadata: { ...current.metadata, annotations: { ...(current.metadata.annotations ?? {}), 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
        data: { 'ca.crt': this.deps.rootCA },
      }), ctx())
      .catch((e: unknown) => ignoreGoneOrTerminating(e));
  }

  private async createIfMissing(store: ResourceStore, namespace: string, obj: KubeObject): Promise<void> {
    try {
      await store.create(namespace, obj, ctx());
      this.deps.log.info('created', { kind: obj.kind, namespace, name: obj.metadata.name });
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return; // another replica (or the admission) was first
      ignoreGoneOrTerminating(e);
    }
  }
}

const defaultServiceAccount = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace },
});

/** A namespace deleted or terminating meanwhile (404 / 403 from NamespaceLifecycle): nothing to keep. */
function ignoreGoneOrTerminating(e: unknown): void {
  if (e instanceof ApiError && (e.code === 404 || e.code === 403)) return;
  throw e;
}
