// Serving a version of a built-in resource whose objects are stored in another version (a
// strategy's `storedAs`, e.g. autoscaling/v1 HorizontalPodAutoscalers stored as autoscaling/v2),
// as kube-apiserver serves every version from one storage version: a request's object is
// converted to the storage version and goes through that version's store (defaults,
// validation, admission, managed fields); what comes back is converted to the requested one.
import { strategyFor, type KubeObject, type ResourceInfo, type ResourceRegistry } from '@keelson/api';
import type { DeletePreconditions, EtcdStore, ListResult } from '@keelson/storage';
import type { RequestContext } from './request-context';
import { ResourceStore, type ListOptions } from './resource-store';

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

  override async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.fromStorage(await this.storage.get(namespace, name));
  }

  override async list(opts: ListOptions): Promise<ListResult> {
    const r = await this.storage.list(opts);
    return { ...r, items: r.items.map((o) => this.fromStorage(o)) };
  }

  override async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    return this.fromStorage(await this.storage.create(namespace, this.conv.toStorage(this.checkBody(body, namespace)), ctx));
  }

  override async update(
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => unknown,
    ctx: RequestContext,
    opts: { subresource?: string; expectedRevision?: number } = {},
  ): Promise<KubeObject> {
    const written = await this.storage.update(
      namespace,
      name,
      async (current) => this.conv.toStorage(this.checkBody(await mutate(this.fromStorage(current)), namespace)),
      ctx,
      opts,
    );
    return this.fromStorage(written);
  }
}

/**
 * For every served version whose strategy is `storedAs` another: the storage version keeps the
 * resource's store (`group/resource`), the served version gets a converting one
 * (`group/version/resource`, which routing prefers).
 */
export function addConvertedVersionStores(
  registry: ResourceRegistry,
  stores: Map<string, ResourceStore>,
  storeFor: (info: ResourceInfo) => ResourceStore,
): void {
  for (const info of registry.all()) {
    const storedAs = strategyFor(info)?.storedAs;
    const storageInfo = storedAs && registry.lookup(info.group, storedAs.version, info.resource);
    if (!storedAs || !storageInfo) continue;
    const storage = storeFor(storageInfo);
    stores.set(`${info.group}/${info.resource}`, storage);
    stores.set(`${info.group}/${info.version}/${info.resource}`, new ConvertedVersionStore(info, storage, storedAs));
  }
}
