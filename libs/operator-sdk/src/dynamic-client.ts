// A client for any resource, built-in or custom, addressed by group/version/resource
// (client-go's dynamic client): no generated code needed. Objects are plain KubeObjects, or
// the types `keelson-operator codegen` writes from a CRD. It wraps @keelson/client's
// KeelsonClient (retries, timeouts, trace propagation, Status errors) and adds a RESTMapper
// (apiVersion + kind → resource, through discovery) and server-side apply.
import type { KubeList, KubeObject, Status } from '@keelson/api';
import {
  KeelsonClient, discoverResources, resourcePath, withQuery,
  type CallOptions, type ClientConfig, type DeleteOptions, type DiscoveredResource, type JsonPatchOperation, type ListOptions, type PatchType, type ResourceRef, type WriteOptions,
} from '@keelson/client';

/** A resource (plural) at one group version: `{ group: 'apps', version: 'v1', resource: 'deployments' }`. */
export type GroupVersionResource = ResourceRef;

/** A resource plus what discovery knows of it. */
export interface ResourceMapping extends GroupVersionResource {
  kind: string;
  namespaced: boolean;
}

/** No served resource has this apiVersion and kind (yet: a CRD may not be Established). */
export class NoKindMatchError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`no matches for kind "${kind}" in version "${apiVersion}"`);
    this.name = 'NoKindMatchError';
  }
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/**
 * apiVersion + kind → resource, from discovery; refreshed when asked for a kind it does not
 * know (a CRD created after the operator started).
 */
export class RestMapper {
  private resources?: Promise<DiscoveredResource[]>;

  constructor(private readonly client: KeelsonClient) {}

  async mapping(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const { group, version } = splitApiVersion(apiVersion);
    const find = (all: DiscoveredResource[]): DiscoveredResource | undefined => all.find((r) => r.group === group && r.version === version && r.kind === kind);
    let hit = find(await this.load());
    if (!hit) hit = find(await this.load(true));
    if (!hit) throw new NoKindMatchError(apiVersion, kind);
    return { group, version, resource: hit.resource, kind: hit.kind, namespaced: hit.namespaced };
  }

  /** Forgets what discovery said (the next mapping() asks again). */
  reset(): void {
    this.resources = undefined;
  }

  private load(fresh = false): Promise<DiscoveredResource[]> {
    if (fresh || !this.resources) {
      const p = discoverResources(this.client);
      this.resources = p;
      p.catch(() => { if (this.resources === p) this.resources = undefined; });
    }
    return this.resources;
  }
}

export interface ApplyOptions extends CallOptions {
  /** Required by server-side apply: who owns the fields this apply sets. */
  fieldManager: string;
  /** Take fields other managers own (kubectl apply --server-side --force-conflicts). */
  force?: boolean;
  dryRun?: boolean;
}

/** The verbs on one resource; `.namespace(ns)` scopes list, get, patch and delete. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(readonly client: KeelsonClient, readonly resource: GroupVersionResource, readonly ns?: string) {}

  /** The same resource in one namespace. */
  namespace(ns: string): ResourceClient<T> {
    return new ResourceClient<T>(this.client, this.resource, ns);
  }

  get(name: string, call?: CallOptions): Promise<T> {
    return this.client.get<T>(this.resource, this.ns, name, call);
  }

  /** Every item (follows `continue`); in this namespace, or all namespaces when unscoped. */
  list(opts?: ListOptions, call?: CallOptions): Promise<KubeList<T>> {
    return this.client.list<T>(this.resource, this.ns, opts, call);
  }

  create(obj: T, opts?: WriteOptions & CallOptions): Promise<T> {
    return this.client.create<T>(this.resource, this.scoped(obj), opts);
  }

  /** PUT with optimistic concurrency (409 Conflict when `metadata.resourceVersion` is stale). */
  update(obj: T, opts?: WriteOptions & CallOptions): Promise<T> {
    return this.client.update<T>(this.resource, this.scoped(obj), opts);
  }

  /** PUT to the status subresource (the CRD must enable `subresources.status`). */
  updateStatus(obj: T, opts?: WriteOptions & CallOptions): Promise<T> {
    return this.client.updateStatus<T>(this.resource, this.scoped(obj), opts);
  }

  patch(name: string, patch: Record<string, unknown> | JsonPatchOperation[], opts?: WriteOptions & CallOptions & { type?: PatchType; subresource?: string }): Promise<T> {
    return this.client.patch<T>(this.resource, this.ns, name, patch, opts);
  }

  /** Merge-patches `.status` through the status subresource. */
  patchStatus(name: string, status: Record<string, unknown>, opts?: WriteOptions & CallOptions): Promise<T> {
    return this.client.patch<T>(this.resource, this.ns, name, { status }, { ...opts, type: 'merge', subresource: 'status' });
  }

  delete(name: string, opts?: DeleteOptions & CallOptions): Promise<KubeObject | Status> {
    return this.client.delete(this.resource, this.ns, name, opts);
  }

  /**
   * Evicts a pod (POST pods/NAME/eviction, policy/v1 Eviction), as `kubectl drain` does: the API
   * refuses with 429 TooManyRequests when a PodDisruptionBudget does not allow it now. Pods only.
   */
  evict(name: string, opts: { deleteOptions?: Record<string, unknown> } & CallOptions = {}): Promise<Status> {
    if (this.resource.group !== '' || this.resource.resource !== 'pods') throw new TypeError('evict() is for pods');
    if (!this.ns) throw new TypeError('evict() needs the pod\'s namespace: resource(PODS).namespace(ns).evict(name)');
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: this.ns }, ...(opts.deleteOptions ? { deleteOptions: opts.deleteOptions } : {}) };
    return this.client.raw<Status>('POST', `${resourcePath(this.resource, this.ns, name)}/eviction`, { body, timeoutMs: opts.timeoutMs, signal: opts.signal });
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): creates the object or merges the
   * fields this manager owns; `obj` carries apiVersion, kind and metadata.name.
   */
  apply(obj: T, opts: ApplyOptions): Promise<T> {
    const o = this.scoped(obj);
    const name = o.metadata.name;
    if (!name) throw new TypeError('apply needs metadata.name');
    const path = withQuery(resourcePath(this.resource, o.metadata.namespace, name), {
      fieldManager: opts.fieldManager, force: opts.force ? 'true' : undefined, dryRun: opts.dryRun ? 'All' : undefined,
    });
    return this.client.raw<T>('PATCH', path, { body: o, contentType: 'application/apply-patch+yaml', timeoutMs: opts.timeoutMs, signal: opts.signal });
  }

  // An object without a namespace takes the client's.
  private scoped(obj: T): T {
    if (!this.ns || obj.metadata.namespace) return obj;
    return { ...obj, metadata: { ...obj.metadata, namespace: this.ns } };
  }
}

/**
 * Any resource by group/version/resource (`dyn.resource(gvr)`) or by apiVersion + kind
 * (`await dyn.forKind('example.com/v1', 'Greeting')`, mapped through discovery).
 */
export class DynamicClient {
  readonly mapper: RestMapper;

  constructor(readonly client: KeelsonClient) {
    this.mapper = new RestMapper(client);
  }

  static fromConfig(config: ClientConfig): DynamicClient {
    return new DynamicClient(new KeelsonClient(config));
  }

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    return new ResourceClient<T>(this.client, gvr);
  }

  async forKind<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): Promise<ResourceClient<T>> {
    const m = await this.mapper.mapping(apiVersion, kind);
    return new ResourceClient<T>(this.client, { group: m.group, version: m.version, resource: m.resource });
  }

  /** The client for an object's own resource (by its apiVersion and kind), scoped to its namespace. */
  async forObject<T extends KubeObject = KubeObject>(obj: T): Promise<ResourceClient<T>> {
    const rc = await this.forKind<T>(obj.apiVersion, obj.kind);
    return obj.metadata.namespace ? rc.namespace(obj.metadata.namespace) : rc;
  }

  close(): void {
    this.client.close();
  }
}
