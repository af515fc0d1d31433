// The registry store of one served version of a custom resource. Objects of every version
// share one etcd prefix; with `conversion: None` a read through this version only rewrites
// apiVersion, and schema defaults are applied on every read from storage, as kube's
// custom resource handler does (a default added to the schema later shows on old objects).
import { applySchemaDefaults, copyJson, errors, groupVersion, type JSONSchemaProps, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { EtcdStore, ListResult } from '@keelson/storage';
import type { RequestContext } from './request-context';
import { ResourceStore, type AdmissionCheck, type ListOptions, type UpdateMutation, type UpdateOptions } from './resource-store';

export class CustomResourceStore extends ResourceStore {
  /** Set while the CRD is being deleted: no new objects. */
  terminating = false;

  constructor(
    info: ResourceInfo,
    store: EtcdStore,
    admission: AdmissionCheck[],
    private readonly schema_: JSONSchemaProps | undefined,
  ) {
    super(info, store, admission);
  }

  /** An object as stored → this version's view of it (apiVersion, defaults). */
  fromStorage(obj: KubeObject): KubeObject {
    const out = copyJson(obj);
    out.apiVersion = groupVersion(this.info);
    if (this.schema_) applySchemaDefaults(out, this.schema_);
    return out;
  }

  override async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.fromStorage(await super.get(namespace, name));
  }

  override async list(opts: ListOptions): Promise<ListResult> {
    const r = await super.list(opts);
    return { ...r, items: r.items.map((o) => this.fromStorage(o)) };
  }

  override async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    if (this.terminating) {
      throw errors.methodNotAllowed(`create not allowed while custom resource definition is terminating`);
    }
    return this.fromStorage(await super.create(namespace, body, ctx));
  }

  override async update(namespace: string | undefined, name: string, mutate: UpdateMutation, ctx: RequestContext, opts: UpdateOptions = {}): Promise<KubeObject> {
    const written = await super.update(namespace, name, (current) => mutate(this.fromStorage(current)), ctx, opts);
    return this.fromStorage(written);
  }
}
