// The gateway's CustomResourceDefinition controllers (kube runs them inside the apiserver):
// naming (NamesAccepted), establishing (Established), serving (a registry store, watch cache,
// strategy, OpenAPI components and discovery entry per served version, added and removed at
// run time) and finalizing (Terminating: delete every object, then drop the cleanup finalizer).
// It follows the CRD watch cache, so every gateway replica serves the same resources; status
// writes are idempotent, so replicas racing on them only retry on conflict.
import {
  ApiError,
  CRD_CLEANUP_FINALIZER,
  BUILTIN_RESOURCES,
  compareKubeVersions,
  customResourceStrategy,
  registerSchemas,
  registerStrategy,
  servedVersions,
  unregisterSchemas,
  unregisterStrategy,
  type CustomResourceDefinition,
  type CustomResourceDefinitionCondition,
  type CustomResourceDefinitionNames,
  type KubeObject,
  type ResourceInfo,
  type ResourceRegistry,
} from '@keelson/api';
import { WatchCache, type EtcdStore } from '@keelson/storage';
import type { Etcd3 } from 'etcd3';
import type { Logger } from '@keelson/telemetry';
import { CustomResourceStore } from './custom-resource-store';
import { deleteObject } from './deletion';
import { nowTimestamp } from './object-meta';
import type { RequestContext } from './request-context';
import type { AdmissionCheck, ResourceStore } from './resource-store';

export interface CrdControllerDeps {
  registry: ResourceRegistry;
  /** `group/resource` → store (the storage version); `group/version/resource` for every served version. */
  stores: Map<string, ResourceStore>;
  /** `group/resource` → watch cache. */
  caches: Map<string, WatchCache>;
  client: Etcd3;
  store: EtcdStore;
  admission: AdmissionCheck[];
  watchCacheCapacity?: number;
  log: Logger;
}

const GROUP = 'apiextensions.k8s.io';
const SYSTEM_CONTEXT: RequestContext = { user: { name: 'system:apiextensions-controller', uid: '', groups: ['system:masters'] }, dryRun: false, fieldValidation: 'Ignore', warnings: [] };

/** What is served for one CRD, to compare with the next version of it and to tear it down. */
interface Served {
  signature: string;
  group: string;
  resource: string;
  infos: ResourceInfo[];
  /** OpenAPI component names registered for it. */
  schemas: string[];
}

export class CrdController {
  private readonly served = new Map<string, Served>();
  private readonly queue = new Set<string>();
  private running: Promise<void> | undefined;
  private handle: { cancel(): void } | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CrdControllerDeps) {}

  private get crdCache(): WatchCache {
    return this.deps.caches.get(`${GROUP}/customresourcedefinitions`)!;
  }

  private get crdStore(): ResourceStore {
    return this.deps.stores.get(`${GROUP}/customresourcedefinitions`)!;
  }

  /** Serves every CRD already Established before returning, then follows changes. */
  async start(): Promise<void> {
    this.subscribe();
    await this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.handle?.cancel();
    await this.running; // the gateway stops every cache, custom ones included
  }

  /** Resolves once every queued CRD has been reconciled (tests and start-up). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private subscribe(): void {
    this.handle = this.crdCache.watch(
      {
        onClose: () => {
          // The cache relisted: watch again from its current state.
          if (!this.stopped) this.retry = setTimeout(() => this.subscribe(), 100);
        },
      },
      (e) => this.enqueue(e.object.metadata.name!),
    );
  }

  private enqueue(name: string): void {
    if (this.stopped) return;
    this.queue.add(name);
    if (!this.running) this.running = this.work().finally(() => (this.running = undefined));
  }

  private async work(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const name = this.queue.values().next().value as string;
      this.queue.delete(name);
      try {
        await this.reconcile(name);
      } catch (e) {
        const conflict = e instanceof ApiError && (e.code === 409 || e.code === 404);
        if (!conflict) this.deps.log.warn('reconciling CustomResourceDefinition failed', { name, err: e instanceof Error ? e.message : String(e) });
        setTimeout(() => this.enqueue(name), conflict ? 50 : 1000).unref();
      }
    }
  }

  private current(name: string): CustomResourceDefinition | undefined {
    return this.crdCache.get(`/registry/${GROUP}/customresourcedefinitions/${name}`) as unknown as CustomResourceDefinition | undefined;
  }

  private async reconcile(name: string): Promise<void> {
    const crd = this.current(name);
    if (!crd) {
      this.unserve(name);
      this.requeueRejected();
      return;
    }
    if (crd.metadata.deletionTimestamp) return this.finalize(crd);
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
      await this.crdStore.update(undefined, name, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [...(o.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER] } }), SYSTEM_CONTEXT);
      return; // the write comes back as an event
    }
    const conflict = this.nameConflict(crd);
    const conditions: CustomResourceDefinitionCondition[] = conflict
      ? [
          { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message },
          { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
        ]
      : [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
        ];
    // Serve before saying Established: a client that waits for the condition may call at once.
    if (conflict) this.unserve(name);
    else await this.serve(crd);
    await this.writeStatus(crd, conditions, conflict ? undefined : crd.spec.names);
  }

  /** The first conflicting name, against accepted names of other CRDs and built-ins in the group. */
  private nameConflict(crd: CustomResourceDefinition): { reason: string; message: string } | undefined {
    const { group, names } = crd.spec;
    const taken = { plural: new Set<string>(), singular: new Set<string>(), short: new Set<string>(), kind: new Set<string>(), listKind: new Set<string>() };
    const claim = (n: Partial<CustomResourceDefinitionNames>): void => {
      if (n.plural) taken.plural.add(n.plural);
      if (n.singular) taken.singular.add(n.singular);
      for (const s of n.shortNames ?? []) taken.short.add(s);
      if (n.kind) taken.kind.add(n.kind);
      if (n.listKind) taken.listKind.add(n.listKind);
    };
    for (const r of BUILTIN_RESOURCES) if (r.group === group) claim({ plural: r.resource, singular: r.singular, shortNames: r.shortNames, kind: r.kind, listKind: r.listKind });
    for (const other of this.crdCache.list().items as unknown as CustomResourceDefinition[]) {
      if (other.metadata.name === crd.metadata.name || other.spec.group !== group) continue;
      if (other.status?.acceptedNames) claim(other.status.acceptedNames);
    }
    const all = new Set([...taken.plural, ...taken.singular, ...taken.short]);
    if (taken.plural.has(names.plural) || taken.singular.has(names.plural) || taken.short.has(names.plural)) return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
    const singular = names.singular || names.kind.toLowerCase();
    if (all.has(singular)) return { reason: 'SingularConflict', message: `"${singular}" is already in use` };
    for (const s of names.shortNames ?? []) if (all.has(s)) return { reason: 'ShortNamesConflict', message: `"${s}" is already in use` };
    if (taken.kind.has(names.kind) || taken.listKind.has(names.kind)) return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
    const listKind = names.listKind || `${names.kind}List`;
    if (taken.kind.has(listKind) || taken.listKind.has(listKind)) return { reason: 'ListKindConflict', message: `"${listKind}" is already in use` };
    return undefined;
  }

  /** CRDs refused for names get another look when names may have been released. */
  private requeueRejected(): void {
    for (const o of this.crdCache.list().items as unknown as CustomResourceDefinition[]) {
      if (o.status?.conditions?.some((c) => c.type === 'NamesAccepted' && c.status === 'False')) this.enqueue(o.metadata.name!);
    }
  }

  private async writeStatus(crd: CustomResourceDefinition, wanted: CustomResourceDefinitionCondition[], acceptedNames?: CustomResourceDefinitionNames): Promise<void> {
    const before = crd.status?.conditions ?? [];
    const same = wanted.every((w) => before.some((b) => b.type === w.type && b.status === w.status && b.reason === w.reason && b.message === w.message));
    const namesSame = JSON.stringify(crd.status?.acceptedNames ?? null) === JSON.stringify(acceptedNames ?? crd.status?.acceptedNames ?? null);
    if (same && namesSame) return;
    const now = nowTimestamp();
    await this.crdStore.update(
      undefined,
      crd.metadata.name!,
      (o) => {
        const status = { ...(o.status ?? {}) } as NonNullable<CustomResourceDefinition['status']>;
        const conditions = [...(status.conditions ?? [])];
        for (const w of wanted) {
          const i = conditions.findIndex((c) => c.type === w.type);
          const keep = i >= 0 && conditions[i].status === w.status ? conditions[i].lastTransitionTime : undefined;
          const next = { ...w, lastTransitionTime: keep ?? now };
          if (i >= 0) conditions[i] = next;
          else conditions.push(next);
        }
        status.conditions = conditions;
        if (acceptedNames) status.acceptedNames = { ...acceptedNames, singular: acceptedNames.singular || acceptedNames.kind.toLowerCase(), listKind: acceptedNames.listKind || `${acceptedNames.kind}List` };
        return { ...o, status } as KubeObject;
      },
      SYSTEM_CONTEXT,
      { subresource: 'status' },
    );
  }

  /** Registers (or re-registers, when the CRD changed) every served version. */
  private async serve(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const signature = JSON.stringify(crd.spec);
    const existing = this.served.get(name);
    if (existing?.signature === signature) return;
    const { group } = crd.spec;
    const resource = crd.spec.names.plural;
    if (existing && (existing.group !== group || existing.resource !== resource)) this.unserve(name);
    else if (existing) this.unregister(existing);
    // Registered in Kubernetes' version priority: discovery prefers the first.
    const versions = servedVersions(crd).sort((a, b) => compareKubeVersions(a.name, b.name));
    const storage = crd.spec.versions.find((v) => v.storage) ?? versions[0];
    const infos: ResourceInfo[] = [];
    const schemas: string[] = [];
    for (const v of versions) {
      const strategy = customResourceStrategy(crd, v);
      registerStrategy(strategy);
      if (strategy.schemas) {
        registerSchemas(strategy.schemas);
        schemas.push(...Object.keys(strategy.schemas));
      }
      const rs = new CustomResourceStore(strategy.info, this.deps.store, this.deps.admission, v.schema?.openAPIV3Schema);
      this.deps.stores.set(`${group}/${v.name}/${resource}`, rs);
      if (v === storage || (!storage.served && v === versions[0])) this.deps.stores.set(`${group}/${resource}`, rs);
      this.deps.registry.add(strategy.info);
      infos.push(strategy.info);
    }
    const cacheKey = `${group}/${resource}`;
    if (!this.deps.caches.has(cacheKey) && infos.length > 0) {
      const cache = new WatchCache(this.deps.client, `/registry/${group}/${resource}/`, { capacity: this.deps.watchCacheCapacity, logger: this.deps.log });
      this.deps.caches.set(cacheKey, cache);
      await cache.start();
    }
    this.served.set(name, { signature, group, resource, infos, schemas });
    this.deps.log.info('serving custom resource', { crd: name, versions: infos.map((i) => i.version) });
  }

  private unregister(s: Served): void {
    for (const info of s.infos) {
      this.deps.registry.remove(info.group, info.version, info.resource);
      unregisterStrategy(info.group, info.kind, info.version);
      this.deps.stores.delete(`${info.group}/${info.version}/${info.resource}`);
    }
    this.deps.stores.delete(`${s.group}/${s.resource}`);
    unregisterSchemas(s.schemas);
  }

  private unserve(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    this.unregister(s);
    const cacheKey = `${s.group}/${s.resource}`;
    const cache = this.deps.caches.get(cacheKey);
    this.deps.caches.delete(cacheKey);
    void cache?.stop();
    this.served.delete(name);
    this.deps.log.info('stopped serving custom resource', { crd: name });
  }

  /** Terminating: refuse creates, delete every object, then release the CRD. */
  private async finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
      this.unserve(name);
      return;
    }
    await this.writeStatus(crd, [{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }]);
    // A CRD deleted while no gateway served it (e.g. during a restart) is served to be emptied.
    if (!this.served.has(name) && crd.status?.acceptedNames) await this.serve(crd);
    const rs = this.deps.stores.get(`${crd.spec.group}/${crd.spec.names.plural}`);
    if (rs) {
      if (rs instanceof CustomResourceStore) rs.terminating = true;
      const listed = await rs.list({});
      let remaining = 0;
      for (const o of listed.items) {
        try {
          const r = await deleteObject(rs, o.metadata.namespace, o.metadata.name!, {}, SYSTEM_CONTEXT);
          if (!r.deleted) remaining++;
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      if (remaining > 0) {
        // Objects held by finalizers: look again shortly, as kube's finalizer controller does.
        setTimeout(() => this.enqueue(name), 1000).unref();
        return;
      }
    }
    this.unserve(name);
    await this.crdStore.update(undefined, name, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER) } }), SYSTEM_CONTEXT);
  }
}
