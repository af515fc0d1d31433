// Pruning of unknown fields (apiextensions' schema/pruning): whatever the structural schema
// does not declare is dropped, unless `x-kubernetes-preserve-unknown-fields` keeps it.
// apiVersion, kind and metadata survive at the root and in embedded resources.
import { isRecord } from '../types';
import { EMBEDDED_KEYS, childPath, indexPath } from './schema-walk';
import type { JSONSchemaProps } from './types';

/** Prunes `value` in place; returns the paths of the removed fields (`spec.foo`). */
export function pruneUnknownFields(value: unknown, s: JSONSchemaProps, isRoot = true): string[] {
  const pruned: string[] = [];
  prune(value, s, '', isRoot, pruned);
  return pruned;
}

function prune(value: unknown, s: JSONSchemaProps, path: string, keepObjectKeys: boolean, pruned: string[]): void {
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => prune(v, s.items!, indexPath(path, i), false, pruned));
    return;
  }
  if (!isRecord(value)) return;
  const keepMeta = keepObjectKeys || s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(value)) {
    const prop = s.properties?.[key];
    if (prop) prune(value[key], prop, childPath(path, key), false, pruned);
    else if (isRecord(s.additionalProperties)) prune(value[key], s.additionalProperties, childPath(path, key), false, pruned);
    else if (keepMeta && key === 'metadata') pruneObjectMeta(value[key], childPath(path, key), pruned);
    else if (keepMeta && EMBEDDED_KEYS.includes(key)) continue;
    else if (!preserve && s.additionalProperties !== true) {
      pruned.push(childPath(path, key));
      delete value[key];
    }
  }
}

/** ObjectMeta's fields: anything else in metadata is dropped, as decoding into ObjectMeta does. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

function pruneObjectMeta(meta: unknown, path: string, pruned: string[]): void {
  if (!isRecord(meta)) return;
  for (const key of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    pruned.push(childPath(path, key));
    delete meta[key];
  }
}
