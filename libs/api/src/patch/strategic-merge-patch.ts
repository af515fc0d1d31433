// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), the apply
// half of apimachinery `pkg/util/strategicpatch` (StrategicMergeMapPatch, with
// MergeParallelList and IgnoreUnmatchedNulls as kube-apiserver uses it), driven by
// `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` from the schema.
//
// - maps merge; `null` deletes a key; `$patch: replace|delete` replace or empty a map;
// - lists whose strategy is `merge` merge: maps by merge key, primitives as a set;
//   other lists (and lists with no schema) are replaced atomically;
// - list elements `{$patch: delete, <key>: v}` delete, `{$patch: replace}` replaces the list;
// - `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`.
// Values taken from the patch as they are (new keys, replaced lists) are cleaned of nulls
// and directives, which kube-apiserver gets for free by decoding into Go structs.
// Deliberate differences: `$patch: merge` in a map is accepted as a plain merge; a map
// `{$patch: replace, …}` for a key the original lacks keeps its content (apimachinery drops
// it); unknown `$` keys where the schema is closed are rejected; every malformed patch is 400.

import { errors } from '../status';
import { SchemaNode, SchemaResolver } from '../schema/types';
import { deepClone, hasOwn, isObject, jsonKind, JsonObject, setOwn } from './json-value';
import {
  DIRECTIVE_MARKER,
  ElementKind,
  indexIn,
  mergeKeyValue,
  noMergeKey,
  normalizeElementOrder,
  partitionByPresence,
  validateSetElementOrder,
} from './strategic-list-order';
import { FieldPatchMeta, PatchSchema } from './strategic-patch-meta';

const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const BAD_DOC = 'invalid JSON document';
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ORDER = 'invalid patch format of setElementOrder list';

/**
 * Applies a strategic merge patch to `original` (a JSON object) using `schema` (the kind's
 * schema node) for patch strategies; `resolve` follows `$ref`s. Inputs are not mutated.
 * Malformed patches and directives throw a 400 `ApiError`.
 */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: SchemaNode | undefined,
  resolve: SchemaResolver,
): unknown {
  const base = original === undefined || original === null ? {} : original;
  if (!isObject(base) || !isObject(patch)) throw errors.badRequest(BAD_DOC);
  return new StrategicMerge(new PatchSchema(resolve)).mergeMap(deepClone(base), deepClone(patch), schema);
}

/** Works in place on private copies, like apimachinery, so results may share patch objects. */
class StrategicMerge {
  constructor(private readonly schema: PatchSchema) {}

  mergeMap(original: JsonObject, patch: JsonObject, node: SchemaNode | undefined): JsonObject {
    if (hasOwn(patch, DIRECTIVE_MARKER)) {
      const directive = patch[DIRECTIVE_MARKER];
      delete patch[DIRECTIVE_MARKER];
      if (directive === 'replace') return cleanMap(patch);
      if (directive === 'delete') return {};
      if (directive !== 'merge') throw badPatchType(directive, patch);
    }
    applyRetainKeys(original, patch);
    this.mergeOrderedLists(original, patch, node);

    for (const [rawKey, patchV] of Object.entries(patch)) {
      let key = rawKey;
      const isDeleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
      if (isDeleteList) key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST, BAD_PRIMITIVE_LIST);
      else if (rawKey.startsWith('$') && this.schema.isClosed(node) && !this.schema.declares(node, rawKey)) {
        throw errors.badRequest(`unknown strategic merge patch directive "${rawKey}"`);
      }

      if (patchV === null) {
        delete original[key];
        continue;
      }
      const origV = hasOwn(original, key) ? original[key] : undefined;
      if (origV === undefined || jsonKind(origV) !== jsonKind(patchV)) {
        // A deletion list never creates or retypes the list it deletes from.
        if (!isDeleteList) setOrDrop(original, key, clean(patchV));
        continue;
      }
      const meta = this.schema.field(node, key);
      if (isObject(origV) && isObject(patchV)) {
        setOwn(original, key, meta.strategy === 'replace' ? cleanMap(patchV) : this.mergeMap(origV, patchV, meta.node));
      } else if (Array.isArray(origV) && Array.isArray(patchV)) {
        setOwn(original, key, this.mergeListField(origV, patchV, meta, isDeleteList));
      } else {
        setOwn(original, key, patchV);
      }
    }
    return original;
  }

  /** apimachinery `mergeSliceHandler`: merge when the strategy says so (or for a deletion list). */
  private mergeListField(original: unknown[], patch: unknown[], meta: FieldPatchMeta, isDeleteList: boolean): unknown[] {
    if (meta.strategy === 'merge' || isDeleteList) {
      return this.mergeList(original, patch, this.schema.items(meta.node), meta.mergeKey, isDeleteList);
    }
    return cleanList(patch);
  }

  private mergeList(original: unknown[], patch: unknown[], items: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = elementKind(original, patch);
    if (kind !== 'object') {
      if (isDeleteList) return original.filter((v) => !patch.includes(v));
      const merged = dedupe([...original, ...patch]);
      const [inPatch, serverOnly] = partitionByPresence(merged, patch, '', kind);
      return normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind);
    }
    if (isDeleteList) throw errors.badRequest(BAD_PRIMITIVE_LIST);
    if (!mergeKey) throw errors.badRequest('cannot merge lists of maps without a merge key (x-kubernetes-patch-merge-key)');

    // Special elements first: deletions shrink the original, `$patch: replace` swaps it.
    const plain: unknown[] = [];
    let replace = false;
    let base = original;
    for (const v of patch as JsonObject[]) {
      if (!hasOwn(v, DIRECTIVE_MARKER)) {
        plain.push(v);
        continue;
      }
      const directive = v[DIRECTIVE_MARKER];
      if (directive === 'delete') {
        if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
        base = base.filter((o) => !(isObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === v[mergeKey]));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw errors.badRequest('merging lists cannot yet be specified in the patch');
      } else {
        throw badPatchType(directive, v);
      }
    }
    if (replace) return cleanList(plain);

    const merged = [...base];
    for (const v of plain as JsonObject[]) {
      const key = mergeKeyValue(v, mergeKey);
      const at = merged.findIndex((o) => isObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === key);
      if (at >= 0) merged[at] = this.mergeMap(merged[at] as JsonObject, v, items);
      else setOrDrop(merged, merged.length, clean(v));
    }
    const [inPatch, serverOnly] = partitionByPresence(merged, plain, mergeKey, kind);
    return normalizeElementOrder(inPatch, serverOnly, plain, base, mergeKey, kind);
  }

  /**
   * apimachinery `mergePatchIntoOriginal`: each `$setElementOrder/<field>` merges its list
   * (if the patch has one) and then orders the result: listed items in the given order,
   * server-only items interleaved by their live positions.
   */
  private mergeOrderedLists(original: JsonObject, patch: JsonObject, node: SchemaNode | undefined): void {
    for (const rawKey of Object.keys(patch)) {
      if (!rawKey.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[rawKey];
      delete patch[rawKey];
      if (!Array.isArray(order)) throw errors.badRequest(BAD_SET_ORDER);
      const key = extractKey(rawKey, SET_ELEMENT_ORDER, BAD_SET_ORDER);
      // An explicit `null` for the list deletes it; that is the main loop's job.
      if (hasOwn(patch, key) && patch[key] === null) continue;

      const origList = listOrUndefined(original, key);
      const patchList = listOrUndefined(patch, key);
      const meta = this.schema.field(node, key);
      validateSetElementOrder(patchList ?? [], order, meta.mergeKey);

      let merged: unknown[];
      if (origList && patchList) merged = this.mergeListField(origList, patchList, meta, false);
      else if (patchList) merged = cleanList(patchList);
      else if (origList) merged = origList;
      else continue;
      delete patch[key];

      if (merged.length === 0) {
        setOwn(original, key, merged);
        continue;
      }
      // Without a merge key, items are compared as whole values (apimachinery: primitives).
      const kind = meta.mergeKey ? elementKind(merged, []) : 'primitive';
      const [listed, serverOnly] = partitionByPresence(merged, order, meta.mergeKey, kind);
      setOwn(original, key, normalizeElementOrder(listed, serverOnly, order, origList ?? [], meta.mergeKey, kind));
    }
  }
}

/** `$retainKeys`: drop original keys not listed; every key the patch sets must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errors.badRequest(BAD_RETAIN_KEYS);
  const keep = new Set<unknown>(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errors.badRequest(BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** `$setElementOrder/containers` → `containers`. */
function extractKey(rawKey: string, prefix: string, message: string): string {
  const slash = rawKey.indexOf('/');
  if (slash < 0 || rawKey.slice(0, slash) !== prefix) throw errors.badRequest(message);
  return rawKey.slice(slash + 1);
}

function listOrUndefined(m: JsonObject, key: string): unknown[] | undefined {
  if (!hasOwn(m, key) || m[key] === null) return undefined;
  const v = m[key];
  if (!Array.isArray(v)) throw errors.badRequest(`expected a list for "${key}", but received ${JSON.stringify(v)}`);
  return v;
}

function badPatchType(directive: unknown, m: JsonObject): Error {
  return errors.badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(m)}`);
}

/** apimachinery `sliceElementType`: all elements share one JSON kind, and none is a list. */
function elementKind(a: unknown[], b: unknown[]): ElementKind {
  let kind: string | undefined;
  for (const v of [...a, ...b]) {
    const k = jsonKind(v);
    if (k === 'array') throw errors.badRequest('lists of lists are not supported');
    if (kind !== undefined && kind !== k) throw errors.badRequest(`list element types are not identical: ${JSON.stringify([a, b])}`);
    kind = k;
  }
  return kind === 'object' ? 'object' : 'primitive';
}

/** Set semantics for primitive lists: first occurrence wins. */
function dedupe(list: unknown[]): unknown[] {
  return list.filter((v, i) => indexIn(list, v, '', 'primitive') === i);
}

// ---- cleaning values taken verbatim from the patch ----

const DROP = Symbol('drop');

function isDirectiveKey(k: string): boolean {
  return k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/** Removes nulls and directives; a map carrying `$patch: delete` disappears entirely. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return cleanList(v);
  if (!isObject(v)) return v;
  if (hasOwn(v, DIRECTIVE_MARKER)) {
    if (v[DIRECTIVE_MARKER] === 'delete') return DROP;
    delete v[DIRECTIVE_MARKER];
  }
  return cleanMap(v);
}

function cleanMap(m: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null || k === DIRECTIVE_MARKER || isDirectiveKey(k)) continue;
    setOrDrop(out, k, clean(v));
  }
  return out;
}

/** List elements keep their nulls (apimachinery only drops null map values); directive elements go. */
function cleanList(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) {
    if (isObject(v) && hasOwn(v, DIRECTIVE_MARKER)) continue;
    const c = clean(v);
    if (c !== DROP) out.push(c);
  }
  return out;
}

function setOrDrop(target: JsonObject | unknown[], key: string | number, v: unknown): void {
  if (v === DROP) {
    if (!Array.isArray(target)) delete target[key as string];
    return;
  }
  if (Array.isArray(target)) target[key as number] = v;
  else setOwn(target, key as string, v);
}
