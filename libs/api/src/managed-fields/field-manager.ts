// kube-apiserver's field manager (k8s.io/apiserver …/fieldmanager over structured-merge-diff's
// merge.Updater), for one group version: every write records who set which fields in
// metadata.managedFields. Update operations (create, update, patch) take the fields they change
// from everyone else; Apply merges a configuration, fails on fields another manager set to a
// different value unless forced, and removes what the applier stopped applying and nobody
// else owns.
import { deepEqual } from '../patch/json-value';
import type { SchemaNode } from '../schema/types';
import { ApiError, type StatusCause } from '../status';
import { TRACEPARENT_ANNOTATION, type KubeObject, type ManagedFieldsEntry } from '../types';
import { difference, intersection, isEmptySet, memberPaths, sortedSet, union, type FieldSet } from './field-set';
import {
  capUpdateManagers,
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  isResetManagedFields,
  ManagedFieldsError,
  managerIdentity,
  setFields,
  type Managed,
  type ManagerEntry,
} from './managed-entries';
import { pathString } from './path-element';
import { atomOf, structuralNode } from './typed-schema';
import { compare, createdFields, ensureNamedFieldsAreMembers, isSameComparison, merge, removeItems, toFieldSet } from './typed-value';
import { copyJson } from '../json-copy';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the field manager knows about the resource written. */
export interface FieldManagerScope {
  /** The kind's schema; undefined for schemaless objects (all maps granular, all lists atomic). */
  schema: SchemaNode | undefined;
  /** The endpoint's group version, recorded in every entry (`apps/v1`). */
  apiVersion: string;
  /** Top-level fields the strategy resets on this endpoint (`status` on the main resource, `spec` on /status): never owned. */
  resetFields: readonly string[];
  /** metav1.Time of this write. */
  now: string;
}

export interface WriteManager {
  manager: string;
  subresource?: string;
}

type JsonMap = Record<string, unknown>;

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The server-owned metadata nobody manages (kube's stripMetaManager), plus Keelson's trace annotation. */
const STRIPPED_METADATA = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];
const STRIP_SET: FieldSet = {
  'f:apiVersion': {},
  'f:kind': {},
  'f:metadata': { '.': {}, ...Object.fromEntries(STRIPPED_METADATA.map((f) => [`f:${f}`, {}])) },
};

/** A shallow copy without what field management ignores; values below are shared, never mutated. */
function strip(obj: JsonMap, resetFields: readonly string[]): JsonMap {
  const out: JsonMap = { ...obj };
  delete out.apiVersion;
  delete out.kind;
  for (const f of resetFields) delete out[f];
  if (isMap(obj.metadata)) {
    const meta: JsonMap = { ...obj.metadata };
    for (const f of STRIPPED_METADATA) delete meta[f];
    if (isMap(meta.annotations) && meta.annotations[TRACEPARENT_ANNOTATION] !== undefined) {
      const annotations = { ...meta.annotations };
      delete annotations[TRACEPARENT_ANNOTATION];
      if (Object.keys(annotations).length === 0) delete meta.annotations;
      else meta.annotations = annotations;
    }
    out.metadata = meta;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Update operations

// Struct fields Go always serializes (non-pointer structs), so they exist in a new, empty
// object: a create does not "add" them, and kube's entries show them without ".".
const VALUE_STRUCT_FIELDS = new Set(['metadata', 'spec', 'status', 'template', 'strategy', 'updateStrategy', 'jobTemplate']);
const zeroCache = new WeakMap<SchemaNode, JsonMap>();

/** The empty object a create starts from (kube's `creater.New(kind)`), as far as field tracking sees it. */
function zeroObject(schema: SchemaNode | undefined): JsonMap {
  if (!schema) return { metadata: {} };
  let z = zeroCache.get(schema);
  if (!z) {
    z = zeroStruct(schema, 0);
    zeroCache.set(schema, z);
  }
  return z;
}

function zeroStruct(schema: SchemaNode, depth: number): JsonMap {
  const out: JsonMap = {};
  const atom = atomOf(schema);
  if (atom.kind !== 'map' || !atom.fields || depth > 6) return out;
  const required = new Set(structuralNode(schema).required ?? []);
  for (const [name, field] of Object.entries(atom.fields)) {
    const fa = atomOf(field);
    if (VALUE_STRUCT_FIELDS.has(name) && fa.kind === 'map' && fa.fields && !fa.atomic) out[name] = zeroStruct(field, depth + 1);
    else if (required.has(name) && fa.kind !== 'scalar') out[name] = null;
  }
  return out;
}

/** kube's decodeLiveOrNew: the request's managedFields when valid and non-empty (not on subresources), else the live object's. */
function baseManaged(live: KubeObject | undefined, next: KubeObject, isSubresource: boolean): Managed {
  const liveManaged = (): Managed => {
    try {
      return decodeManagedFields(live?.metadata.managedFields, true);
    } catch {
      return new Map(); // unreadable stored entries: start over rather than fail every write
    }
  };
  if (isSubresource) return liveManaged();
  const sent = next.metadata.managedFields;
  if (isResetManagedFields(sent)) return new Map();
  // Clients mostly send back what they read: then the stored entries need no second check.
  if (live && (sent === live.metadata.managedFields || deepEqual(sent, live.metadata.managedFields))) return liveManaged();
  try {
    const managed = decodeManagedFields(sent);
    if (managed.size > 0) return managed;
  } catch (e) {
    if (!(e instanceof ManagedFieldsError)) throw e;
  }
  return liveManaged();
}

/**
 * managedFields after an Update-operation write of `next` over `live` (undefined on create):
 * the fields the write added or changed belong to `who` and leave every other manager; removed
 * fields leave everyone. Returns the entries to store (undefined: none).
 */
export function updateManagedFields(live: KubeObject | undefined, next: KubeObject, who: WriteManager, scope: FieldManagerScope): ManagedFieldsEntry[] | undefined {
  const managed = baseManaged(live, next, !!who.subresource);
  const before = live ? strip(live as unknown as JsonMap, scope.resetFields) : zeroObject(scope.schema);
  const after = strip(next as unknown as JsonMap, scope.resetFields);
  if (!live && managed.size === 0) {
    // A plain create (the common write): one entry, built in one pass.
    const fieldsV1 = createdFields(after, before, scope.schema);
    if (isEmptySet(fieldsV1)) return undefined;
    const entry: ManagedFieldsEntry = { manager: who.manager, operation: 'Update', apiVersion: scope.apiVersion, time: scope.now, fieldsType: 'FieldsV1', fieldsV1 };
    if (who.subresource) entry.subresource = who.subresource;
    return [entry];
  }
  const c = compare(before, after, scope.schema);
  if (!isSameComparison(c)) {
    const changed = difference(union(c.added, c.modified), STRIP_SET);
    const removed = c.removed;
    for (const [id, e] of managed) {
      const rest = difference(difference(e.set, changed), removed);
      if (rest !== e.set) setFields(managed, id, { ...e, set: rest });
    }
    if (!isEmptySet(changed)) {
      const own: Omit<ManagerEntry, 'raw' | 'set'> = { manager: who.manager, operation: 'Update', apiVersion: scope.apiVersion, subresource: who.subresource, time: scope.now };
      const id = managerIdentity(own);
      setFields(managed, id, { ...own, set: union(managed.get(id)?.set ?? {}, changed) });
    }
    capUpdateManagers(managed);
  }
  return encodeManagedFields(managed);
}

// ---------------------------------------------------------------------------------------
// Apply

export interface ApplyRequest extends WriteManager {
  force: boolean;
}

/**
 * Server-side apply of `config` onto `live` (for a create, the new object's identity only).
 * Returns the object to store, managedFields set; throws a 409 ApiError listing the conflicts.
 */
export function applyConfiguration(live: KubeObject, config: KubeObject, req: ApplyRequest, scope: FieldManagerScope): KubeObject {
  let managed: Managed;
  try {
    managed = decodeManagedFields(live.metadata.managedFields, true);
  } catch (e) {
    throw new ApiError(500, 'InternalError', `failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveObj: JsonMap = { ...live, metadata: { ...live.metadata } };
  delete (liveObj.metadata as JsonMap).managedFields;
  const applied: JsonMap = { ...config };
  for (const f of scope.resetFields) delete applied[f];

  const own: Omit<ManagerEntry, 'raw' | 'set'> = { manager: req.manager, operation: 'Apply', apiVersion: scope.apiVersion, subresource: req.subresource };
  const id = managerIdentity(own);
  const lastEntry = managed.get(id);
  const newSet = difference(toFieldSet(strip(applied, []), scope.schema), STRIP_SET);

  const attempt = (force: boolean): { object: JsonMap; managed: Managed } | Conflict[] => {
    const m: Managed = new Map(managed);
    m.set(id, { ...own, time: lastEntry?.time, set: newSet });
    let merged = merge(liveObj, applied, scope.schema) as JsonMap;
    merged = prune(merged, m, lastEntry?.set, scope.schema);
    const c = compare(strip(liveObj, scope.resetFields), strip(merged, scope.resetFields), scope.schema);
    const changed = union(c.added, c.modified);
    const conflicts: Conflict[] = [];
    for (const [other, e] of m) {
      if (other === id) continue;
      const clash = intersection(e.set, changed);
      if (!isEmptySet(clash)) conflicts.push({ entry: e, set: clash });
    }
    if (conflicts.length > 0 && !force) return conflicts;
    for (const [other, e] of m) {
      if (other === id) continue;
      const rest = difference(difference(e.set, changed), c.removed);
      if (rest !== e.set) setFields(m, other, { ...e, set: rest });
    }
    const changedObject = !isSameComparison(c) || !deepEqual(newSet, lastEntry?.set ?? {});
    setFields(m, id, { ...own, set: newSet, time: changedObject || !lastEntry?.time ? scope.now : lastEntry.time });
    return { object: merged, managed: m };
  };

  let result = attempt(req.force);
  if (Array.isArray(result) && req.manager === 'kubectl') {
    // kube's lastAppliedManager: kubectl taking over from its own client-side apply may change
    // the fields its last-applied configuration still describes.
    const allowed = allowedByLastApplied(liveObj, scope);
    const remaining = result.map((c) => ({ ...c, set: difference(c.set, allowed) })).filter((c) => !isEmptySet(c.set));
    result = remaining.length === 0 ? attempt(true) : remaining;
  }
  if (Array.isArray(result)) throw conflictError(result);

  const object = result.object as KubeObject;
  capUpdateManagers(result.managed);
  const entries = encodeManagedFields(result.managed);
  object.metadata = { ...object.metadata };
  if (entries) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
  syncLastApplied(object, config, req.manager);
  return object;
}

/** SMD Updater.prune: drop what the applier applied last time, no longer applies, and nobody else owns. */
function prune(merged: JsonMap, managed: Managed, lastSet: FieldSet | undefined, schema: SchemaNode | undefined): JsonMap {
  if (!lastSet || isEmptySet(lastSet)) return merged;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema);
  const last = ensure(lastSet);
  const pruned = (removeItems(merged, last, schema) ?? {}) as JsonMap;
  let owned: FieldSet = {};
  for (const e of managed.values()) owned = union(owned, e.set);
  const mergedSet = ensure(toFieldSet(merged, schema));
  const keep = union(ensure(toFieldSet(pruned, schema)), ensure(owned));
  const withOwned = (removeItems(merged, difference(mergedSet, keep), schema) ?? {}) as JsonMap;
  const remaining = ensure(toFieldSet(withOwned, schema));
  return (removeItems(merged, intersection(difference(mergedSet, remaining), last), schema) ?? {}) as JsonMap;
}

/** Fields of the last-applied annotation whose live values still equal it. */
function allowedByLastApplied(live: JsonMap, scope: FieldManagerScope): FieldSet {
  const annotations = isMap(live.metadata) && isMap(live.metadata.annotations) ? live.metadata.annotations : {};
  const raw = annotations[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '') return {};
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!isMap(lastApplied)) return {};
  const c = compare(strip(live, scope.resetFields), strip(lastApplied, scope.resetFields), scope.schema);
  return difference(toFieldSet(strip(lastApplied, scope.resetFields), scope.schema), union(c.modified, c.added));
}

/** kube's lastAppliedUpdater: `kubectl apply --server-side` keeps a client-side annotation current. */
function syncLastApplied(object: KubeObject, config: KubeObject, manager: string): void {
  const annotations = object.metadata.annotations;
  if (manager !== 'kubectl' || !annotations || annotations[LAST_APPLIED_ANNOTATION] === undefined) return;
  const copy = copyJson(config);
  if (copy.metadata?.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  object.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: JSON.stringify(sortKeys(copy)) + '\n' };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

interface Conflict {
  entry: ManagerEntry;
  set: FieldSet;
}

/** The 409 kube-apiserver answers (NewApplyConflict): one cause per conflicting field. */
export function conflictError(conflicts: Conflict[]): ApiError {
  const flat: { manager: string; path: string }[] = [];
  for (const c of conflicts) {
    const manager = describeManager(c.entry);
    for (const p of memberPaths(sortedSet(c.set))) flat.push({ manager, path: pathString(p) });
  }
  const causes: StatusCause[] = flat.map((f) => ({ reason: 'FieldManagerConflict', message: `conflict with ${f.manager}`, field: f.path }));
  let message: string;
  if (flat.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${flat[0].manager}: ${flat[0].path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const f of flat) byManager.set(f.manager, [...(byManager.get(f.manager) ?? []), f.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** kube's prefixFromUserAgent: a manager name for writes that name none (`kubectl/v1.32…` → `kubectl`). */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const head = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of head) {
    if (!/\P{C}/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
