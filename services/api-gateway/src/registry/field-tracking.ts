// The gateway's field manager (kube-apiserver's fieldmanager wiring in its REST handlers):
// client writes record who set which fields in metadata.managedFields, and
// `application/apply-patch+yaml` is server-side apply. The semantics live in
// @keelson/api's managed-fields; this file binds them to requests and the registry store.
import {
  ApiError,
  applyConfiguration,
  causes,
  errors,
  groupVersion,
  isRecord,
  managerFromUserAgent,
  qualifiedResource,
  updateManagedFields,
  type FieldManagerScope,
  type KubeObject,
  type ResourceInfo,
  type SchemaNode,
  type StatusCause,
} from '@keelson/api';
import { booleanParamOf } from '../handlers/params';
import { nowTimestamp } from './object-meta';
import type { RequestContext } from './request-context';
import type { ResourceStore } from './resource-store';

export const APPLY_PATCH = 'application/apply-patch+yaml';
const FIELD_MANAGER_MAX_LENGTH = 128;

/** The store surface field tracking needs (kept narrow so custom resource stores fit too). */
export interface TrackedStore {
  readonly info: ResourceInfo;
  readonly schema: SchemaNode | undefined;
}

function invalidOptions(kind: string, cause: StatusCause): ApiError {
  return errors.invalid(kind, '', [cause], 'meta.k8s.io');
}

/** kube's ValidateFieldManager: at most 128 printable characters. */
function checkFieldManager(kind: string, manager: string | null): void {
  if (manager === null) return;
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) {
    throw invalidOptions(kind, { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`, field: 'fieldManager' });
  }
  for (const ch of manager) {
    if (!/\P{C}/u.test(ch)) throw invalidOptions(kind, causes.invalid('fieldManager', manager, 'invalid characters'));
  }
}

/**
 * Options kube-apiserver checks before it reads the object (ValidatePatchOptions and friends):
 * apply needs a fieldManager, `force` belongs to apply only. Returns apply's `force`.
 */
function checkWriteOptions(verb: string, patchType: string | undefined, query: URLSearchParams): boolean {
  const kind = verb === 'create' ? 'CreateOptions' : verb === 'update' ? 'UpdateOptions' : 'PatchOptions';
  const manager = query.get('fieldManager');
  // Read like every boolean query parameter (kube's Convert_Slice_string_To_Pointer_bool).
  const forceParam = booleanParamOf(query, 'force');
  let force = false;
  if (verb === 'patch') {
    if (patchType === APPLY_PATCH) {
      if (!manager) throw invalidOptions(kind, { reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
      force = forceParam === true;
    } else if (forceParam !== undefined) {
      throw invalidOptions(kind, { reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    }
  }
  checkFieldManager(kind, manager);
  return force;
}

/**
 * Checks a client write's options and records who makes it (the `fieldManager` parameter, else
 * the User-Agent's product, as kube does). Writes the gateway makes itself (deletion, binding,
 * finalizers) carry no tracking and leave managedFields as they are, as in kube.
 */
export function prepareFieldManagement(ctx: RequestContext, verb: string, subresource: string | undefined, query: URLSearchParams, headers: { userAgent?: string; contentType?: string }): void {
  if (verb !== 'create' && verb !== 'update' && verb !== 'patch') return;
  const force = checkWriteOptions(verb, headers.contentType, query);
  // Creates on a subresource (binding, eviction, token) act on the parent through the gateway's own code.
  if (verb === 'create' && subresource) return;
  const manager = query.get('fieldManager') || managerFromUserAgent(headers.userAgent);
  ctx.fieldTracking = { manager, subresource, apply: verb === 'patch' && headers.contentType === APPLY_PATCH ? { force } : undefined };
}

/** Top-level fields this endpoint's strategy resets, which no manager may own. */
function resetFields(info: ResourceInfo, subresource: string | undefined): string[] {
  if (subresource === 'status') return ['spec'];
  if (!subresource && info.subresources.some((s) => s.name === 'status')) return ['status'];
  return [];
}

function scopeOf(rs: TrackedStore, subresource: string | undefined): FieldManagerScope {
  return { schema: rs.schema, apiVersion: groupVersion(rs.info), resetFields: resetFields(rs.info, subresource), now: nowTimestamp() };
}

/** Records a tracked create in the new object (kube: UpdateNoErrors from an empty object). */
export function trackCreate(rs: TrackedStore, obj: KubeObject, ctx: RequestContext): void {
  const who = ctx.fieldTracking;
  if (!who || who.apply) return;
  setManagedFields(obj, safely(() => updateManagedFields(undefined, obj, who, scopeOf(rs, who.subresource))));
}

/** Records a tracked update of `current` into `updated`. */
export function trackUpdate(rs: TrackedStore, current: KubeObject, updated: KubeObject, ctx: RequestContext): void {
  const who = ctx.fieldTracking;
  if (!who || who.apply) return;
  setManagedFields(updated, safely(() => updateManagedFields(current, updated, who, scopeOf(rs, who.subresource))));
}

/** kube's UpdateNoErrors: tracking never fails a write; on failure the object carries no managedFields. */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    return undefined;
  }
}

function setManagedFields(obj: KubeObject, entries: KubeObject['metadata']['managedFields']): void {
  if (entries) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** The applied configuration, checked as kube's apply patcher does before merging. */
function appliedConfiguration(rs: TrackedStore, body: unknown): KubeObject {
  if (!isRecord(body)) throw errors.badRequest('the apply patch must be a YAML or JSON object');
  const gv = groupVersion(rs.info);
  if (body.apiVersion !== gv || body.kind !== rs.info.kind) {
    const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : '';
    const shown = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
    throw errors.badRequest(`invalid object type: ${shown}, Kind=${typeof body.kind === 'string' ? body.kind : ''}`);
  }
  if (isRecord(body.metadata) && body.metadata.managedFields !== undefined && body.metadata.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  return body as unknown as KubeObject;
}

/**
 * `PATCH` with `application/apply-patch+yaml`: merges the configuration into the object (creating
 * it when missing), with ownership and conflicts in managedFields. The store then defaults,
 * validates and writes the result like any update (a dry run writes nothing).
 */
export async function serverSideApply(
  rs: ResourceStore,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  body: unknown,
  ctx: RequestContext,
): Promise<{ code: 200 | 201; object: KubeObject }> {
  const who = ctx.fieldTracking;
  if (!who?.apply) throw errors.internal('server-side apply without a field manager');
  const config = appliedConfiguration(rs, body);
  const request = { manager: who.manager, subresource, force: who.apply.force };
  const current = await rs.get(namespace, name).catch((e: unknown) => {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  });
  if (!current) {
    if (subresource) throw errors.notFound(qualifiedResource(rs.info), name);
    const identity: KubeObject = { apiVersion: groupVersion(rs.info), kind: rs.info.kind, metadata: { name } };
    if (namespace && rs.info.namespaced) identity.metadata.namespace = namespace;
    const obj = rs.checkBody(applyConfiguration(identity, config, request, scopeOf(rs, subresource)), namespace);
    if (obj.metadata.name !== name) throw errors.badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    return { code: 201, object: await rs.create(namespace, obj, ctx) };
  }
  const object = await rs.update(namespace, name, (live) => applyConfiguration(live, config, request, scopeOf(rs, subresource)), ctx, { subresource });
  return { code: 200, object };
}
