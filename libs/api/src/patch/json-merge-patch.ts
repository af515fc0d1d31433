// RFC 7386 JSON Merge Patch (`application/merge-patch+json`).
// Objects merge recursively, `null` deletes a member, everything else (arrays
// included) replaces the target wholesale.

import { deepClone, hasOwn, isObject, JsonObject, setOwn } from './json-value';

/** Applies `patch` to `target` per RFC 7386. Neither input is mutated; key order of `target` is kept. */
export function applyJsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const base: JsonObject = isObject(target) ? target : {};
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(base)) {
    if (!hasOwn(patch, name)) setOwn(out, name, deepClone(value));
    else if (patch[name] !== null) setOwn(out, name, applyJsonMergePatch(value, patch[name]));
  }
  for (const [name, value] of Object.entries(patch)) {
    // Recursing against a missing member also strips nulls nested in new objects.
    if (value !== null && !hasOwn(base, name)) setOwn(out, name, applyJsonMergePatch(undefined, value));
  }
  return out;
}
