// RFC 6902 JSON Patch (`application/json-patch+json`), with RFC 6901 pointers.
//
// Error mapping follows kube-apiserver (handlers/patch.go + evanphx/json-patch v4):
// - a body that is not an array of operation objects fails to decode there → 400 BadRequest;
// - every failure while applying (unknown op, missing `path`/`value`/`from`, bad pointer,
//   a path that does not exist, a failed `test`) becomes
//   `NewGenericServerResponse(422, …)`: 422 reason `Invalid`, message
//   "the server rejected our request due to an error in our request", `details: {}`.
//   The specific cause is kept on `Error.cause` for logs; it is not on the wire.
// Like evanphx v4, array indices may be negative (counted from the end) and a `test`
// for `null` at a missing member of an existing object succeeds.

import { ApiError, errors } from '../status';
import { deepClone, deepEqual, hasOwn, isObject, JsonObject, setOwn } from './json-value';

/** The message kube-apiserver answers for any JSON patch that could not be applied. */
export const JSON_PATCH_NOT_APPLIED = 'the server rejected our request due to an error in our request';

/** kube-apiserver's `maxJSONPatchOperations`; more operations answer 413. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

interface Operation {
  op: string;
  raw: JsonObject;
}

/** Applies an RFC 6902 patch to `target` and returns the result. `target` and `ops` are not mutated. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  const operations = decode(ops);
  // Operations apply to one private copy: a failure half-way leaves nothing behind.
  const doc: { root: unknown } = { root: deepClone(target) };
  for (const op of operations) applyOne(doc, op);
  return doc.root;
}

function decode(ops: unknown): Operation[] {
  if (!Array.isArray(ops)) throw errors.badRequest(`json: cannot unmarshal ${goKind(ops)} into Go value of type jsonpatch.Patch`);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw errors.tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops.map((raw) => {
    if (!isObject(raw)) throw errors.badRequest(`json: cannot unmarshal ${goKind(raw)} into Go value of type jsonpatch.Operation`);
    return { op: typeof raw.op === 'string' ? raw.op : '', raw };
  });
}

/** How Go's encoding/json names a JSON value's kind in unmarshal errors. */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** The 422 kube-apiserver returns when a patch does not apply; `why` is kept for logs only. */
function notApplied(why: string): ApiError {
  const err = new ApiError(422, 'Invalid', JSON_PATCH_NOT_APPLIED, {});
  (err as Error).cause = why;
  return err;
}

function requireString(op: Operation, field: 'path' | 'from'): string {
  const v = op.raw[field];
  if (typeof v !== 'string') throw notApplied(`${op.op} operation missing "${field}"`);
  return v;
}

function requireValue(op: Operation): unknown {
  if (!hasOwn(op.raw, 'value')) throw notApplied(`${op.op} operation missing "value"`);
  return deepClone(op.raw.value);
}

function applyOne(doc: { root: unknown }, op: Operation): void {
  switch (op.op) {
    case 'add':
      add(doc, parsePointer(requireString(op, 'path')), requireValue(op));
      return;
    case 'remove':
      remove(doc, parsePointer(requireString(op, 'path')));
      return;
    case 'replace': {
      const path = parsePointer(requireString(op, 'path'));
      const value = requireValue(op);
      if (path.length === 0) doc.root = value;
      else replace(doc, path, value);
      return;
    }
    case 'move': {
      const fromRaw = requireString(op, 'from');
      const pathRaw = requireString(op, 'path');
      if (fromRaw === pathRaw) {
        get(doc, parsePointer(fromRaw));
        return;
      }
      if (pathRaw.startsWith(fromRaw + '/')) throw notApplied(`cannot move "${fromRaw}" into its own child "${pathRaw}"`);
      const value = remove(doc, parsePointer(fromRaw));
      add(doc, parsePointer(pathRaw), value);
      return;
    }
    case 'copy': {
      const value = deepClone(get(doc, parsePointer(requireString(op, 'from'))));
      add(doc, parsePointer(requireString(op, 'path')), value);
      return;
    }
    case 'test':
      test(doc, parsePointer(requireString(op, 'path')), requireValue(op));
      return;
    default:
      throw notApplied(`Unexpected kind: ${op.op}`);
  }
}

/** RFC 6901: "" is the whole document; otherwise "/"-separated tokens with ~1 → "/" and ~0 → "~". */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw notApplied(`JSON pointer must be empty or start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw notApplied(`invalid JSON pointer escape in ${pointer}`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Parses an array index; `allowEnd` admits the position just past the last element. */
function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (!/^-?(0|[1-9][0-9]*)$/.test(token)) throw notApplied(`invalid array index "${token}"`);
  let i = Number(token);
  if (i < 0) i += length;
  const max = allowEnd ? length : length - 1;
  if (i < 0 || i > max) throw notApplied(`array index ${token} out of bounds`);
  return i;
}

/** Walks to the container holding the last token of `path`. */
function parentOf(doc: { root: unknown }, path: string[]): unknown {
  let cur = doc.root;
  for (const token of path.slice(0, -1)) cur = child(cur, token);
  return cur;
}

function child(container: unknown, token: string): unknown {
  if (Array.isArray(container)) return container[arrayIndex(token, container.length, false)];
  if (isObject(container) && hasOwn(container, token)) return container[token];
  throw notApplied(`path segment "${token}" does not exist`);
}

function get(doc: { root: unknown }, path: string[]): unknown {
  if (path.length === 0) return doc.root;
  return child(parentOf(doc, path), path[path.length - 1]);
}

function replace(doc: { root: unknown }, path: string[], value: unknown): void {
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = value;
  else if (isObject(parent) && hasOwn(parent, last)) setOwn(parent, last, value);
  else throw notApplied(`replace operation does not apply: doc is missing key: ${last}`);
}

function add(doc: { root: unknown }, path: string[], value: unknown): void {
  if (path.length === 0) {
    doc.root = value;
    return;
  }
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last, parent.length, true);
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    setOwn(parent, last, value);
  } else {
    throw notApplied(`add operation does not apply: parent of "${last}" is not a container`);
  }
}

/** Removes and returns the value at `path`. */
function remove(doc: { root: unknown }, path: string[]): unknown {
  if (path.length === 0) throw notApplied('cannot remove the whole document');
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) return parent.splice(arrayIndex(last, parent.length, false), 1)[0];
  if (isObject(parent) && hasOwn(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return value;
  }
  throw notApplied(`remove operation does not apply: doc is missing path: ${last}`);
}

function test(doc: { root: unknown }, path: string[], expected: unknown): void {
  if (path.length > 0) {
    const parent = parentOf(doc, path);
    const last = path[path.length - 1];
    // evanphx/json-patch v4: a missing member of an existing object equals null.
    if (isObject(parent) && !hasOwn(parent, last)) {
      if (expected === null) return;
      throw notApplied(`testing value at ${last} failed: missing`);
    }
  }
  if (!deepEqual(get(doc, path), expected)) throw notApplied('test failed');
}
