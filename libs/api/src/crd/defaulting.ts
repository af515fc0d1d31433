// Structural defaulting of custom objects (apiextensions' schema/defaulting): absent fields
// whose schema has a `default` get it, top-down, so nested defaults apply inside a defaulted
// object too. A null in a non-nullable field with a default counts as absent. Runs on
// requests and on every read from storage, so a default added later shows on old objects.
import { isRecord } from '../types';
import type { JSONSchemaProps } from './types';
import { copyJson } from '../json-copy';

/** Applies defaults in place; returns `value` (or the root default when value is undefined). */
export function applySchemaDefaults(value: unknown, s: JSONSchemaProps): unknown {
  if (Array.isArray(value)) {
    if (s.items) for (let i = 0; i < value.length; i++) value[i] = applySchemaDefaults(value[i], s.items);
    return value;
  }
  if (!isRecord(value)) return value;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const absent = value[key] === undefined || (value[key] === null && !prop.nullable);
    if (absent && prop.default !== undefined) value[key] = copyJson(prop.default);
    if (value[key] !== undefined) value[key] = applySchemaDefaults(value[key], prop);
  }
  if (isRecord(s.additionalProperties)) {
    const extra = s.additionalProperties;
    for (const key of Object.keys(value)) if (!s.properties?.[key]) value[key] = applySchemaDefaults(value[key], extra);
  }
  return value;
}
