// The schema registry: every built-in schema keyed by its Kubernetes OpenAPI
// component name, plus lookups by `$ref` and by group/version/kind. Validation,
// strategic merge patch, defaulting and the served OpenAPI documents all read here.

import type { SchemaNode, SchemaResolver } from './types';
import { REF_PREFIX } from './dsl';
import { ensureBuiltinKinds } from '../strategy';
import { META_SCHEMAS } from './meta';
import { CORE_SCHEMAS } from './core';
import { CORE_POD_SCHEMAS } from './core-pod';
import { CORE_CONTAINER_SCHEMAS } from './core-container';
import { CORE_VOLUME_SCHEMAS } from './core-volume';
import { CORE_SCHEDULING_SCHEMAS } from './core-scheduling';
import { CORE_NODE_SCHEMAS } from './core-node';
import { APPS_SCHEMAS } from './apps';
import { COORDINATION_SCHEMAS } from './coordination';
import { AUTOSCALING_SCHEMAS } from './autoscaling';
import { AUTHENTICATION_SCHEMAS } from './authentication';

export { REF_PREFIX } from './dsl';

export const SCHEMAS: Record<string, SchemaNode> = {
  ...META_SCHEMAS,
  ...CORE_SCHEMAS,
  ...CORE_POD_SCHEMAS,
  ...CORE_CONTAINER_SCHEMAS,
  ...CORE_VOLUME_SCHEMAS,
  ...CORE_SCHEDULING_SCHEMAS,
  ...CORE_NODE_SCHEMAS,
  ...APPS_SCHEMAS,
  ...COORDINATION_SCHEMAS,
  ...AUTOSCALING_SCHEMAS,
  ...AUTHENTICATION_SCHEMAS,
};

/** `#/components/schemas/io.k8s.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`; bare names pass through. */
export function schemaNameFromRef(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

export const resolveSchema: SchemaResolver = (ref) => {
  ensureBuiltinKinds();
  return SCHEMAS[schemaNameFromRef(ref)];
};

/**
 * The schema a field node stands for: follows a `$ref`, or an `allOf` holding a
 * single `$ref` (the upstream v3 shape for nested kinds). Other nodes come back as is.
 */
export function derefSchema(node: SchemaNode, resolve: SchemaResolver = resolveSchema): SchemaNode | undefined {
  let current: SchemaNode | undefined = node;
  for (let hops = 0; current && hops < 8; hops++) {
    if (current.$ref) current = resolve(current.$ref);
    else if (current.allOf?.length === 1 && !current.properties) current = current.allOf[0];
    else return current;
  }
  return current;
}

let byGVK: Map<string, string> | undefined;
const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

function kindIndex(): Map<string, string> {
  ensureBuiltinKinds();
  if (byGVK) return byGVK;
  byGVK = new Map();
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const gvks = schema['x-kubernetes-group-version-kind'] ?? [];
    // DeleteOptions/WatchEvent are listed under every group; a kind's own schema wins.
    for (const g of gvks) if (gvks.length === 1 || !byGVK.has(gvkKey(g.group, g.version, g.kind))) byGVK.set(gvkKey(g.group, g.version, g.kind), name);
  }
  return byGVK;
}

/** Component name of the schema for a kind, e.g. (`apps`, `v1`, `Deployment`) → `io.k8s.api.apps.v1.Deployment`. */
export function schemaNameForKind(group: string, version: string, kind: string): string | undefined {
  return kindIndex().get(gvkKey(group, version, kind));
}

export function schemaForKind(group: string, version: string, kind: string): SchemaNode | undefined {
  const name = schemaNameForKind(group, version, kind);
  return name === undefined ? undefined : SCHEMAS[name];
}

let revision = 0;

/** Adds schemas (custom resources). Same names replace earlier ones. */
export function registerSchemas(extra: Record<string, SchemaNode>): void {
  Object.assign(SCHEMAS, extra);
  byGVK = undefined;
  revision++;
}

/** Removes schemas a removed custom resource had registered. */
export function unregisterSchemas(names: string[]): void {
  for (const n of names) delete SCHEMAS[n];
  byGVK = undefined;
  revision++;
}

/** Changes whenever schemas are registered, so derived documents know to rebuild. */
export function schemasRevision(): number {
  return revision;
}

/** Every `$ref` target named inside a schema node, in document order. */
export function refsOf(node: SchemaNode, out: string[] = []): string[] {
  if (node.$ref) out.push(schemaNameFromRef(node.$ref));
  for (const sub of node.allOf ?? []) refsOf(sub, out);
  for (const sub of node.oneOf ?? []) refsOf(sub, out);
  for (const sub of Object.values(node.properties ?? {})) refsOf(sub, out);
  if (node.items) refsOf(node.items, out);
  if (typeof node.additionalProperties === 'object') refsOf(node.additionalProperties, out);
  return out;
}

/**
 * The named schemas reachable from `roots`, roots included. Unknown names are
 * reported in `missing` rather than thrown, so callers decide how strict to be.
 */
export function reachableSchemas(roots: string[]): { schemas: Record<string, SchemaNode>; missing: string[] } {
  const schemas: Record<string, SchemaNode> = {};
  const missing: string[] = [];
  const queue = roots.map(schemaNameFromRef);
  ensureBuiltinKinds();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (name in schemas || missing.includes(name)) continue;
    const schema = SCHEMAS[name];
    if (!schema) { missing.push(name); continue; }
    schemas[name] = schema;
    queue.push(...refsOf(schema));
  }
  return { schemas, missing };
}
