// Serving a built-in version whose objects are stored as another (a strategy's `storedAs`:
// autoscaling/v1 HorizontalPodAutoscalers stored as autoscaling/v2, events.k8s.io/v1 Events
// stored as core/v1 events), as kube-apiserver serves every version from one storage version.
// A request's object is validated as the served version (its schema and rules), converted, and
// goes through the storage version's store (defaults, validation, admission, managed fields);
// what comes back, watch events included (fromStorage), is converted to the served version.
import { copyJson, errors, type KubeObject, resolveSchema, type ResourceInfo, type ResourceRegistry, strategyFor, validateObject } from '@keelson/api';
import type { DeletePreconditions, EtcdStore, ListResult, WatchCache } from '@keelson/storage';
import { keepSystemFields } from './object-meta';
import type { RequestContext } from './request-context';
import { ResourceStore, type ListOptions, type UpdateMutation, type UpdateOptions } from './resource-store';

interface Conversion {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/**
 * The etcd store as seen from the served version, for code that writes through `rs.store`
 * directly (deletion setting deletionTimestamp and finalizers): reads convert from storage,
 * writes to it.
 */
function convertingEtcdStore(base: EtcdStore, conv: Conversion): EtcdStore {
  const from = (o: KubeObject): KubeObject => conv.fromStorage(o);
  return new Proxy(base, {
    get(target, prop) {
      switch (prop) {
        case 'get':
          return async (key: string) => {
            const o = await target.get(key);
            return o && from(o);
          };
        case 'create':
          return async (key: string, obj: KubeObject) => from(await target.create(key, conv.toStorage(obj)));
        case 'update':
          return async (key: string, obj: KubeObject, expectedRevision?: number) => from(await target.update(key, conv.toStorage(obj), expectedRevision));
        case 'delete':
          return async (key: string, pre?: DeletePreconditions) => from(await target.delete(key, pre));
        default: {
          const v: unknown = Reflect.get(target, prop, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
      }
    },
  });
}

export class ConvertedVersionStore extends ResourceStore {
  constructor(
    info: ResourceInfo,
    private readonly storage: ResourceStore,
    private readonly conv: Conversion,
  ) {
    super(info, convertingEtcdStore(storage.store, conv));
  }

  /** A stored object as this version shows it. */
  fromStorage(obj: KubeObject): KubeObject {
    return this.conv.fromStorage(obj);
  }

  // Keys are the storage resource's (deletion writes through them).
  override key(namespace: string | undefined, name: string): string {
    return this.storage.key(namespace, name);
  }

  override prefix(namespace?: string): string {
    return this.storage.prefix(namespace);
  }

  /**
   * Validates `obj` as this version (the rules are per request version, as ValidateEventCreate's
   * are), and returns the context the storage version continues with: unknown fields have been
   * judged here already, by this version's schema.
   */
  private validateServed(obj: KubeObject, ctx: RequestContext, old?: KubeObject): RequestContext {
    const { causes, warnings } = validateObject(obj, this.info, { resolve: resolveSchema, schema: this.schema, unknownFields: ctx.fieldValidation, old });
    ctx.warnings.push(...warnings);
    if (causes.length > 0) throw errors.invalid(this.info.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', causes, this.info.group);
    return { ...ctx, fieldValidation: 'Ignore' };
  }

  override async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.fromStorage(await this.storage.get(namespace, name));
  }

  override async list(opts: ListOptions): Promise<ListResult> {
    const r = await this.storage.list(opts);
    return { ...r, items: r.items.map((o) => this.fromStorage(o)) };
  }

  override async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    const obj = this.checkBody(body, namespace);
    const next = this.validateServed(obj, ctx);
    return this.fromStorage(await this.storage.create(namespace, this.conv.toStorage(obj), next));
  }

  override async update(namespace: string | undefined, name: string, mutate: UpdateMutation, ctx: RequestContext, opts: UpdateOptions = {}): Promise<KubeObject> {
    const storageCtx = { ...ctx, fieldValidation: 'Ignore' as const };
    const written = await this.storage.update(
      namespace,
      name,
      async (stored) => {
        const current = this.fromStorage(stored);
        const desired = this.checkBody(await mutate(copyJson(current)), namespace);
        const judged = copyJson(desired);
        keepSystemFields(judged.metadata, current.metadata);
        this.validateServed(judged, ctx, current);
        return this.conv.toStorage(desired);
      },
      storageCtx,
      opts,
    );
    return this.fromStorage(written);
  }
}

/**
 * For every served version whose strategy is `storedAs` another: it gets a converting store
 * (`group/version/resource`, which routing prefers) and watches the storage's cache. Another
 * version of the same resource leaves the resource's store (`group/resource`) to the storage
 * version. Call before the caches start: a cache replaced here is never started.
 */
export function addConvertedVersionStores(
  registry: ResourceRegistry,
  stores: Map<string, ResourceStore>,
  caches: Map<string, WatchCache>,
  storeFor: (info: ResourceInfo) => ResourceStore,
): void {
  for (const info of registry.all()) {
    const storedAs = strategyFor(info)?.storedAs;
    if (!storedAs) continue;
    const group = storedAs.group ?? info.group;
    const resource = storedAs.resource ?? info.resource;
    const storageInfo = registry.lookup(group, storedAs.version, resource);
    if (!storageInfo) continue;
    const storage = storeFor(storageInfo);
    if (group === info.group && resource === info.resource) stores.set(`${group}/${resource}`, storage);
    else {
      const cache = caches.get(`${group}/${resource}`);
      if (cache) caches.set(`${info.group}/${info.resource}`, cache);
    }
    stores.set(`${info.group}/${info.version}/${info.resource}`, new ConvertedVersionStore(info, storage, storedAs));
  }
}
