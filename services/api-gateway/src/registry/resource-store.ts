// The generic registry for one resource (apiserver's genericregistry.Store): turns
// API verbs into validated, defaulted etcd transactions. HTTP knows nothing of etcd;
// this knows nothing of HTTP.
import {
  ApiError,
  applyDefaults,
  applyDefaultsInPlace,
  dropUnknownFields,
  errors,
  groupVersion,
  isRecord,
  prepareForCreateInPlace,
  prepareForUpdateInPlace,
  qualifiedResource,
  resolveSchema,
  schemaForKind,
  validateObject,
  type KubeObject,
  type ResourceInfo,
  type SchemaNode,
} from '@keelson/api';
import { keyFor, prefixFor, type EtcdStore, type ListOptions as StoreListOptions, type ListResult } from '@keelson/storage';
import { toApiError } from './errors';
import { checkObjectLimits } from './object-limits';
import { trackCreate, trackUpdate } from './field-tracking';
import { isOwnedBody } from './owned-body';
import { deepCopy, fillSystemFieldsForCreate, generateName, keepSystemFields, sameIgnoringBookkeeping, setTraceparent } from './object-meta';
import type { RequestContext } from './request-context';
import { strictDecodingError, strictDecodingErrors, unknownFieldsOf } from './strict-decoding';

export interface ListOptions extends StoreListOptions {
  namespace?: string;
}

/** Returns the desired object from a private copy of the current one (or throws). */
export type UpdateMutation = (current: KubeObject) => unknown;

export interface UpdateOptions {
  /** status, scale, binding, finalize…: the write keeps what the subresource does not own. */
  subresource?: string;
  /** Refuse the write (409) unless the object is still at this etcd revision. */
  expectedRevision?: number;
}

/** Checks run before a write, e.g. that the namespace exists. */
export type AdmissionCheck = (obj: KubeObject, info: ResourceInfo, ctx: RequestContext) => Promise<void>;

export class ResourceStore {
  readonly schema: SchemaNode | undefined;

  constructor(
    readonly info: ResourceInfo,
    readonly store: EtcdStore,
    private readonly admission: AdmissionCheck[] = [],
  ) {
    this.schema = schemaForKind(info.group, info.version, info.kind);
  }

  key(namespace: string | undefined, name: string): string {
    return keyFor(this.info, this.info.namespaced ? namespace : undefined, name);
  }

  prefix(namespace?: string): string {
    return prefixFor(this.info, this.info.namespaced ? namespace : undefined);
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.store.get(this.key(namespace, name)).catch((e) => {
      throw toApiError(e, this.info, name);
    });
    if (!obj) throw errors.notFound(qualifiedResource(this.info), name);
    return obj;
  }

  async list(opts: ListOptions): Promise<ListResult> {
    try {
      return await this.store.list(this.prefix(opts.namespace), opts);
    } catch (e) {
      throw toApiError(e, this.info, '');
    }
  }

  /** Checks apiVersion/kind and namespace of a request body against the URL. */
  checkBody(body: unknown, namespace: string | undefined, kind = this.info.kind, gv = groupVersion(this.info)): KubeObject {
    if (!isRecord(body)) throw errors.badRequest(`the body must be a JSON object, got '${JSON.stringify(body)?.slice(0, 200)}'`);
    // Like kube's decoder, a body without kind/apiVersion takes the endpoint's.
    if (body.kind !== undefined && body.kind !== '' && body.kind !== kind) throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${kind})`);
    if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== gv) {
      throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
    }
    const metadata = body.metadata ?? {};
    if (!isRecord(metadata)) throw errors.badRequest('metadata must be an object');
    const obj = { ...body, apiVersion: gv, kind, metadata: { ...metadata } } as KubeObject;
    if (this.info.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (!namespace && !obj.metadata.namespace) throw errors.badRequest('the server could not find the requested resource: a namespace is required');
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  private validate(obj: KubeObject, ctx: RequestContext, old?: KubeObject, subresource?: string): void {
    const { causes, warnings } = validateObject(obj, this.info, { resolve: resolveSchema, schema: this.schema, unknownFields: ctx.fieldValidation, old, subresource });
    ctx.warnings.push(...warnings);
    // Custom resources find their unknown fields while pruning, here: a strict decoding error too.
    const unknown = ctx.fieldValidation === 'Strict' ? unknownFieldsOf(causes) : [];
    if (unknown.length > 0) throw strictDecodingError(this.info, strictDecodingErrors(unknown, ctx.bodyFields), ctx.bodyFields);
    if (causes.length > 0) throw errors.invalid(this.info.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', causes, this.info.group);
    checkObjectLimits(obj);
  }

  /** As decoding does: unknown fields are dropped (Warn: with a warning) or refused (Strict), never stored. */
  private dropUnknownFields(obj: KubeObject, ctx: RequestContext): void {
    const { fields } = dropUnknownFields(obj, this.info, { resolve: resolveSchema, schema: this.schema, unknownFields: ctx.fieldValidation });
    // Unknown and duplicate fields, in body order: one 400 under Strict, warnings under Warn (strict-decoding.ts).
    if (ctx.fieldValidation === 'Ignore') return;
    const found = strictDecodingErrors(fields, ctx.bodyFields);
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...found);
    else if (found.length > 0) throw strictDecodingError(this.info, found, ctx.bodyFields);
  }

  async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    const owned = isOwnedBody(body); // a decoded request body nobody else holds: no deep copy needed
    let obj = this.checkBody(body, namespace);
    this.dropUnknownFields(obj, ctx);
    // Only a string prefix generates a name; any other generateName is left to validation (was a 500, found by npm run fuzz).
    if (!obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    fillSystemFieldsForCreate(obj.metadata);
    obj = owned ? applyDefaultsInPlace(obj, this.info) : applyDefaults(obj, this.info);
    // Recorded before PrepareForCreate, as kube's create handler does: what the strategy
    // generates (a Job's selector and template labels) belongs to no manager, so a later
    // apply that does not name it cannot remove it.
    trackCreate(this, obj, ctx);
    obj = prepareForCreateInPlace(obj, this.info); // obj is ours: the owned body or defaulting's copy
    this.validate(obj, ctx);
    for (const check of this.admission) await check(obj, this.info, ctx);
    setTraceparent(obj, ctx.traceparent);
    if (ctx.dryRun) {
      // A dry run answers what the real create would, including a name that is taken.
      if (await this.store.get(this.key(namespace, obj.metadata.name!))) throw errors.alreadyExists(qualifiedResource(this.info), obj.metadata.name!);
      return obj;
    }
    try {
      return await this.store.create(this.key(namespace, obj.metadata.name!), obj);
    } catch (e) {
      throw toApiError(e, this.info, obj.metadata.name!);
    }
  }

  /**
   * Read-modify-write with retries on concurrent change. `mutate` gets a private copy of
   * the current object and returns the desired one (or throws). Subresource writes keep
   * what the subresource does not own (see prepareForUpdate).
   */
  async update(namespace: string | undefined, name: string, mutate: UpdateMutation, ctx: RequestContext, opts: UpdateOptions = {}): Promise<KubeObject> {
    const key = this.key(namespace, name);
    let result: KubeObject | undefined;
    let finalDelete = false;
    try {
      const written = await this.store.guaranteedUpdate(
        key,
        async (current) => {
          const desired = await mutate(deepCopy(current));
          const next = this.checkBody(desired, namespace);
          // kube's pods/binding writes storage directly (BindingREST.setPodNodeAndMetadata): the
          // stored pod was valid and the gateway's own code only sets spec.nodeName and the
          // PodScheduled condition, so it is neither decoded again for unknown fields nor
          // validated (a third of the pod writes in a rollout); its size still is checked.
          const binding = opts.subresource === 'binding';
          if (!binding) this.dropUnknownFields(next, ctx);
          // kube's checkName: a body (or patch result: `{"$patch":"delete"}` at the root) without
          // the name is refused, never stored as an emptied object.
          if ((next.metadata.name ?? '') !== name) {
            throw errors.badRequest(`the name of the object (${next.metadata.name ?? ''}) does not match the name on the URL (${name})`);
          }
          if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
            throw errors.conflict(qualifiedResource(this.info), name, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
          }
          const rv = next.metadata.resourceVersion;
          if (rv && rv !== current.metadata.resourceVersion) {
            throw errors.conflict(qualifiedResource(this.info), name, 'the object has been modified; please apply your changes to the latest version and try again');
          }
          keepSystemFields(next.metadata, current.metadata);
          // binding and finalize are narrow server-side writes (spec.nodeName, spec.finalizers):
          // their callers build the whole object, so no update strategy applies.
          const internal = opts.subresource === 'binding' || opts.subresource === 'finalize';
          // One copy (defaulting's), not two: prepareForUpdate works on that copy in place.
          const sub = opts.subresource === 'status' || opts.subresource === 'ephemeralcontainers' ? opts.subresource : undefined;
          const updated = internal ? next : prepareForUpdateInPlace(applyDefaults(next, this.info), current, this.info, sub);
          trackUpdate(this, current, updated, ctx);
          if (binding) checkObjectLimits(updated);
          else this.validate(updated, ctx, internal ? undefined : current, sub);
          // A terminating object whose last finalizer is gone is deleted, not updated.
          finalDelete = readyForRemoval(this.info, updated);
          if (sameIgnoringBookkeeping(updated, current) && !finalDelete) {
            result = current;
            return current; // no-op: storage skips the write
          }
          // `updated` is already this request's own copy (mutate got a deep copy; defaulting copies).
          updated.metadata.resourceVersion = current.metadata.resourceVersion;
          setTraceparent(updated, ctx.traceparent);
          if (ctx.dryRun) {
            result = updated;
            return current;
          }
          result = undefined;
          return updated;
        },
        { expectedRevision: opts.expectedRevision },
      );
      if (ctx.dryRun || result) return result ?? written;
      if (finalDelete) return await this.store.delete(key, { uid: written.metadata.uid });
      return written;
    } catch (e) {
      throw toApiError(e, this.info, name);
    }
  }
}

/** A terminating object is removed once nothing holds it: finalizers, a kubelet, namespace content. */
export function readyForRemoval(info: ResourceInfo, obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp || (obj.metadata.finalizers ?? []).length > 0) return false;
  if (info.group === '' && info.resource === 'namespaces') return ((obj.spec?.finalizers as unknown[] | undefined) ?? []).length === 0;
  return !isGracefulPod(info, obj);
}

/** A pod still waiting for its kubelet to confirm termination is not removed by finalizer logic. */
export function isGracefulPod(info: ResourceInfo, obj: KubeObject): boolean {
  return info.group === '' && info.resource === 'pods' && !!obj.spec?.nodeName && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
