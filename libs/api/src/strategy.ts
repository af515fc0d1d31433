// Per-kind registry strategies, as kube-apiserver's `pkg/registry/<group>/<resource>/strategy.go`:
// everything specific to one kind — what is served (ResourceInfo), its OpenAPI schemas,
// defaulting, PrepareForCreate/PrepareForUpdate, validation, Table columns and protobuf
// field numbers — lives in one file, `kinds/<group-or-core>/<resource>.ts`, listed in
// BUILTIN_KINDS (kinds/index.ts; its order is the order of discovery and `kubectl
// api-resources`). The generic steps (applyDefaults, prepareForCreate, prepareForUpdate in
// defaults.ts; validateObject; printerFor; decodeKubernetesProtobuf; BUILTIN_RESOURCES) name
// no kind: they do what every kind shares, then call these hooks. A kind without a hook gets
// the generic behaviour only.
//
// The order in which the gateway (services/api-gateway/src/registry/resource-store.ts) calls them:
//
//   create:  defaults → [generic BeforeCreate: no deletion state] → prepareForCreate
//            → [generic: generation = 1 when `generation`] → schema + ObjectMeta checks → validate(obj)
//            → admission plugins → storage
//   update:  defaults → [generic BeforeUpdate: uid, generation, creation/deletion state kept;
//            status kept when the kind has /status] → prepareForUpdate(obj, old)
//            → [generic: generation + 1 on a spec change when `generation`]
//            → schema + ObjectMeta checks → validate(obj, old) → storage
//   /status: defaults → [generic BeforeUpdate; spec kept] → prepareForUpdate(obj, old, 'status')
//            → schema + ObjectMeta checks → validate(obj, old) → storage
//   binding, finalize: no hooks but validate(obj) (their handlers build the whole object).
//
// What each hook may do:
//   - defaults: fill absent fields of the request's own copy, in place, and nothing else: it
//     runs on every write (updates too), so it must be idempotent and must not read the stored
//     object, the clock or other objects. It may throw an ApiError for a body that does not
//     decode (Secret's `data`), as conversion would.
//   - prepareForCreate / prepareForUpdate: reset or carry over what the client does not own
//     (status, allocated or generated fields, fields owned by another subresource), in place.
//     They may not reject: anything wrong is left for validate to report. No I/O; allocations
//     that need storage belong to the gateway's store for that kind.
//   - validate: pure; returns causes (an empty list accepts), never throws and never changes
//     `obj`. Schema types, required fields and ObjectMeta are checked before it runs; `old`
//     is the stored object on updates. Messages follow kube-apiserver's.
//   - printer, protobuf, schemas: data, read when a Table, a protobuf body or an OpenAPI
//     document is asked for.
// Admission (cross-object rules: namespace lifecycle, a single default class) is the
// gateway's, not a strategy's: a hook sees only its object (and the old one).
//
// Strategies are registered at run time too (CustomResourceDefinitions): the table is
// keyed by `group/Kind`, and a later registration of the same kind replaces the earlier.
import type { ResourceInfo, SubresourceInfo, Verb } from './registry';
import type { SchemaNode } from './schema/types';
import type { StatusCause } from './status';
import type { Printer } from './table';
import type { KubeObject } from './types';
import type { Descriptor } from './protobuf/decode';

export interface KindStrategy {
  info: ResourceInfo;
  /** OpenAPI components this kind introduces (its own and its nested types). */
  schemas?: Record<string, SchemaNode>;
  /** SetDefaults_<Kind>: fills absent fields in place (the object is the request's own copy). */
  defaults?(obj: KubeObject): void;
  /** PrepareForCreate beyond the generic one (status reset, allocated fields). In place. */
  prepareForCreate?(obj: KubeObject): void;
  /**
   * PrepareForUpdate (subresource undefined) or the status strategy's (subresource 'status'),
   * after the generic one (status kept on main writes, spec kept on status writes). In place.
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, subresource?: 'status'): void;
  /**
   * The kind's own rules (schema and ObjectMeta validation are generic); `old` on update, and
   * the subresource written through (a pod's `ephemeralcontainers` has rules of its own).
   */
  validate?(obj: KubeObject, old?: KubeObject, subresource?: string): StatusCause[];
  /** `metadata.generation` starts at 1 and grows on every spec change. */
  generation?: boolean;
  /** Server-side printing; default NAME, AGE. */
  printer?: Printer;
  /** Protobuf message of the top-level object, for kubectl's typed commands. */
  protobuf?: Descriptor;
  /**
   * Replaces the generic schema walk: custom resources prune unknown fields from `obj` in
   * place and validate against their structural schema and CEL rules (`old` on update).
   */
  validateSchema?(obj: KubeObject, old: KubeObject | undefined, unknownFields: 'Strict' | 'Warn' | 'Ignore'): { causes: StatusCause[]; unknownFields: string[] };
  /** The scale subresource's field paths (custom resources; `.spec.replicas` style). */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** An immediate DELETE answers with the removed object, not a Status (kube's `ReturnDeletedObject`: services, storageclasses). */
  returnDeletedObject?: boolean;
  /** Why this object may not be deleted, if it may not (registries overriding Delete: the system priority classes). */
  refuseDelete?(obj: KubeObject): string | undefined;
  /**
   * What a DELETE naming no propagation policy does to dependents (kube's
   * DefaultGarbageCollectionPolicy): batch/v1 Jobs orphan their pods; every other kind deletes them.
   */
  defaultGarbageCollectionPolicy?: 'OrphanDependents' | 'DeleteDependents';
  /**
   * This version is a view of objects stored as another version, of the same resource (kube's
   * storage version: autoscaling/v1 HPAs stored as autoscaling/v2) or of another group's
   * resource (events.k8s.io/v1 Events stored as core/v1 events). Requests are validated as this
   * version, then converted, so the storage version's strategy applies too; answers convert back.
   */
  storedAs?: { group?: string; resource?: string; version: string; toStorage(obj: KubeObject): KubeObject; fromStorage(obj: KubeObject): KubeObject };
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A ResourceInfo with Kubernetes' usual defaults: every verb, `<Kind>List`, no subresources. */
export function resourceInfo(
  r: Omit<ResourceInfo, 'listKind' | 'verbs' | 'categories' | 'subresources' | 'shortNames'> & Partial<ResourceInfo>,
): ResourceInfo {
  return { listKind: `${r.kind}List`, verbs: ALL_VERBS, categories: [], subresources: [], shortNames: [], ...r };
}

export const statusSubresource = (info: Pick<ResourceInfo, 'kind' | 'group' | 'version'>): SubresourceInfo => ({
  name: 'status',
  kind: info.kind,
  group: info.group,
  version: info.version,
  verbs: ['get', 'patch', 'update'],
});

export const scaleSubresource: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

// Keyed by `group/Kind`, then version: a custom resource has one strategy per served version.
const strategies = new Map<string, Map<string, KindStrategy>>();

let builtinsRegistered = false;

/**
 * Registers the built-in kinds (their strategies and schemas) on first use, whichever module
 * of this package a caller imported first: the protobuf decoder, a schema lookup and the
 * registry all see the same kinds. Required lazily because kinds/ imports modules that import
 * this one.
 */
export function ensureBuiltinKinds(): void {
  if (builtinsRegistered) return;
  builtinsRegistered = true;
  const { BUILTIN_KINDS } = require('./kinds') as typeof import('./kinds');
  const { registerSchemas } = require('./schema') as typeof import('./schema');
  for (const k of BUILTIN_KINDS) {
    registerStrategy(k);
    if (k.schemas) registerSchemas(k.schemas);
  }
}
const key = (group: string, kind: string): string => `${group}/${kind}`;

/** Adds (or replaces) a kind's strategy for its version. */
export function registerStrategy(s: KindStrategy): void {
  const k = key(s.info.group, s.info.kind);
  const versions = strategies.get(k) ?? new Map<string, KindStrategy>();
  versions.set(s.info.version, s);
  strategies.set(k, versions);
}

/** Removes a kind's strategy for one version, or for all when no version is named. */
export function unregisterStrategy(group: string, kind: string, version?: string): void {
  const versions = strategies.get(key(group, kind));
  if (version === undefined) versions?.clear();
  else versions?.delete(version);
  if (versions?.size === 0) strategies.delete(key(group, kind));
}

/** The strategy of `info`'s version, else the kind's first registered one (built-ins register one). */
export function strategyFor(info: Pick<ResourceInfo, 'group' | 'kind'> & { version?: string }): KindStrategy | undefined {
  ensureBuiltinKinds();
  const versions = strategies.get(key(info.group, info.kind));
  if (!versions) return undefined;
  return (info.version !== undefined ? versions.get(info.version) : undefined) ?? versions.values().next().value;
}

/** Every registered strategy, built-in and custom, each version once. */
export function registeredStrategies(): KindStrategy[] {
  ensureBuiltinKinds();
  return [...strategies.values()].flatMap((versions) => [...versions.values()]);
}

/** The strategy serving `apiVersion`/`kind` (protobuf bodies name only those). */
export function strategyForGroupVersionKind(apiVersion: string, kind: string): KindStrategy | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  ensureBuiltinKinds();
  return strategies.get(key(group, kind))?.get(version);
}
