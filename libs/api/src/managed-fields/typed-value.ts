// Walks of a JSON value by its schema, as structured-merge-diff's typed package does them:
// the field set a value specifies (ToFieldSet), the fields two values differ in (Compare),
// the merge of an applied configuration into a live object (Merge), and the removal of a
// field set from a value (RemoveItems). Values are never mutated; results share unchanged
// subtrees with their inputs.
import { deepEqual } from '../patch/json-value';
import type { SchemaNode } from '../schema/types';
import { childrenOf, insertPath, isEmptySet, isMemberNode, type FieldSet } from './field-set';
import { compareEncoded, fieldKey, indexKey, keyOfFields, valueKey } from './path-element';
import { atomOf, declaresField, effectiveAtom, isLeaf, memberSchema, type Atom } from './typed-schema';

type JsonMap = Record<string, unknown>;
type ListAtom = Atom & { kind: 'list' };
type MapAtom = Atom & { kind: 'map' };

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const EMPTY: JsonMap = Object.freeze({}) as JsonMap;
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** The path element of a list item: its key fields for list-maps, its value for sets. */
export function listItemKey(atom: ListAtom, item: unknown, index: number): string {
  if (atom.keys.length > 0) {
    if (!isMap(item)) return indexKey(index);
    const fields: [string, unknown][] = [];
    for (const k of atom.keys) {
      const v = own(item, k) !== undefined ? own(item, k) : own(atom.keyDefaults, k);
      if (v !== undefined) fields.push([k, v]);
    }
    return keyOfFields(fields);
  }
  if (item === null || typeof item !== 'object') return valueKey(item);
  return indexKey(index);
}

function indexItems(atom: ListAtom, list: readonly unknown[]): { keys: string[]; byKey: Map<string, number> } {
  const keys = list.map((item, i) => listItemKey(atom, item, i));
  const byKey = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!byKey.has(k)) byKey.set(k, i);
  });
  return { keys, byKey };
}

const asList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : NO_ITEMS);
const asMap = (v: unknown): JsonMap => (isMap(v) ? v : EMPTY);
/**
 * A member of `m` by a key from another value (user data: `toString`, `constructor`): own
 * properties only, so Object.prototype never stands in for a missing member (it did: a
 * function merged into an applied object made the write a 500, found by npm run fuzz).
 */
const own = (m: JsonMap, k: string): unknown => (Object.prototype.hasOwnProperty.call(m, k) ? m[k] : undefined);
/** Sets a member, `__proto__` too (as an own property, never the object's prototype). */
function put(out: JsonMap, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * The fields a value specifies. Leaves, list items and map entries are members; struct fields
 * holding non-empty objects are only prefixes of their children (SMD ToFieldSet).
 */
export function toFieldSet(value: unknown, schema: SchemaNode | undefined): FieldSet {
  const out: FieldSet = {};
  collect(value, schema, out);
  return out;
}

function collect(v: unknown, schema: SchemaNode | undefined, out: FieldSet): void {
  const atom = effectiveAtom(schema, v, undefined);
  if (isLeaf(atom)) return;
  if (atom.kind === 'map') {
    const m = asMap(v);
    for (const k in m) {
      const cv = m[k];
      if (cv === undefined) continue;
      const cs = memberSchema(atom, k);
      const child: FieldSet = {};
      let member = true;
      if (!isLeaf(effectiveAtom(cs, cv, undefined))) {
        collect(cv, cs, child);
        member = cv === null || (isMap(cv) && Object.keys(cv).length === 0) || !declaresField(atom, k);
      }
      setNode(out, fieldKey(k), member, child);
    }
  } else if (atom.kind === 'list') {
    asList(v).forEach((item, i) => {
      const child: FieldSet = {};
      collect(item, atom.items, child);
      setNode(out, listItemKey(atom, item, i), true, child);
    });
  }
}

function setNode(out: FieldSet, key: string, member: boolean, children: FieldSet): void {
  const empty = isEmptySet(children);
  if (empty && !member) return;
  out[key] = member && !empty ? { '.': {}, ...children } : children;
}

/**
 * What a create sets, measured from the empty object `zero` in one pass: `compare(zero, value)`'s
 * added and modified fields, built in SMD order (the create path runs on every POST).
 */
export function createdFields(value: unknown, zero: unknown, schema: SchemaNode | undefined): FieldSet {
  const out: FieldSet = {};
  addCreated(value, zero, schema, out);
  return out;
}

function addCreated(v: unknown, z: unknown, schema: SchemaNode | undefined, out: FieldSet): void {
  const atom = effectiveAtom(schema, z, v);
  if (atom.kind === 'map' && !atom.atomic) {
    const m = asMap(v);
    const zm = asMap(z);
    for (const k of Object.keys(m).sort()) {
      const cv = m[k];
      if (cv === undefined) continue;
      addCreatedChild(fieldKey(k), cv, own(zm, k), memberSchema(atom, k), out);
    }
  } else if (atom.kind === 'list' && !atom.atomic) {
    const items = asList(v).map((item, i) => [listItemKey(atom, item, i), item] as const);
    items.sort((a, b) => compareEncoded(a[0], b[0]));
    for (const [key, item] of items) addCreatedChild(key, item, undefined, atom.items, out);
  }
}

function addCreatedChild(key: string, cv: unknown, cz: unknown, schema: SchemaNode | undefined, out: FieldSet): void {
  if (isLeaf(effectiveAtom(schema, cz, cv))) {
    if (cz === undefined || !deepEqual(cz, cv)) out[key] = {};
    return;
  }
  const child: FieldSet = cz === undefined ? { '.': {} } : {};
  addCreated(cv, cz, schema, child);
  if (cz === undefined || !isEmptySet(child)) out[key] = isEmptySet(child) ? {} : child;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Fields added, modified and removed going from `lhs` to `rhs` (SMD TypedValue.Compare). */
export function compare(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined): Comparison {
  const c: Comparison = { added: {}, modified: {}, removed: {} };
  walkCompare(lhs, rhs, schema, [], c, true);
  return c;
}

export function isSameComparison(c: Comparison): boolean {
  return isEmptySet(c.added) && isEmptySet(c.modified) && isEmptySet(c.removed);
}

function walkCompare(l: unknown, r: unknown, schema: SchemaNode | undefined, path: string[], c: Comparison, root: boolean): void {
  if (l === r && l !== undefined) return; // the same value (or subtree) on both sides
  const atom = effectiveAtom(schema, l, r);
  if (isLeaf(atom)) {
    if (l === undefined) insertPath(c.added, path);
    else if (r === undefined) insertPath(c.removed, path);
    else if (l !== r && !deepEqual(l, r)) insertPath(c.modified, path);
    return;
  }
  if (atom.kind === 'map') {
    const lm = asMap(l);
    const rm = asMap(r);
    for (const k in lm) {
      if (lm[k] === undefined) continue;
      path.push(fieldKey(k));
      walkCompare(lm[k], own(rm, k), memberSchema(atom, k), path, c, false);
      path.pop();
    }
    for (const k in rm) {
      if (rm[k] === undefined || own(lm, k) !== undefined) continue;
      path.push(fieldKey(k));
      walkCompare(undefined, rm[k], memberSchema(atom, k), path, c, false);
      path.pop();
    }
  } else if (atom.kind === 'list') {
    const ll = asList(l);
    const rl = asList(r);
    const li = indexItems(atom, ll);
    const ri = indexItems(atom, rl);
    for (const [k, i] of li.byKey) {
      path.push(k);
      const j = ri.byKey.get(k);
      walkCompare(ll[i], j === undefined ? undefined : rl[j], atom.items, path, c, false);
      path.pop();
    }
    for (const [k, j] of ri.byKey) {
      if (li.byKey.has(k)) continue;
      path.push(k);
      walkCompare(undefined, rl[j], atom.items, path, c, false);
      path.pop();
    }
  }
  if (!root) {
    if (l === undefined) insertPath(c.added, path);
    else if (r === undefined) insertPath(c.removed, path);
  }
}

/**
 * Merges an applied configuration into a live value (SMD TypedValue.Merge): leaves and atomic
 * values from the configuration win, maps merge by key, list-maps and sets by item key in SMD's
 * order. A `null` for a declared field of the configuration unsets it.
 */
export function merge(live: unknown, config: unknown, schema: SchemaNode | undefined): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null || config === null) return config;
  const atom = effectiveAtom(schema, live, config);
  if (isLeaf(atom)) return config;
  if (atom.kind === 'map') return mergeMap(live as JsonMap, config as JsonMap, atom);
  if (atom.kind === 'list') return mergeList(live as unknown[], config as unknown[], atom);
  return config;
}

function mergeMap(l: JsonMap, r: JsonMap, atom: MapAtom): JsonMap {
  const typed = !!atom.fields || !!atom.elem;
  const out: JsonMap = {};
  for (const k in l) {
    const rv = own(r, k);
    if (rv === undefined) put(out, k, l[k]);
    else if (rv === null && typed) continue;
    else put(out, k, merge(l[k], rv, memberSchema(atom, k)));
  }
  for (const k in r) {
    if (own(l, k) !== undefined || r[k] === undefined) continue;
    if (r[k] === null && typed) continue;
    put(out, k, r[k]);
  }
  return out;
}

function mergeList(l: unknown[], r: unknown[], atom: ListAtom): unknown[] {
  const li = indexItems(atom, l);
  const ri = indexItems(atom, r);
  // Items both sides hold keep the configuration's order; items only live holds stay where they were.
  const shared = ri.keys.filter((k) => li.byKey.has(k));
  let si = 0;
  let nextShared: string | undefined = shared[si++];
  const mergedRight = new Set<string>();
  const out: unknown[] = [];
  let lI = 0;
  let rI = 0;
  while (lI < l.length || rI < r.length) {
    if (lI < l.length && rI < r.length) {
      const pe = li.keys[lI];
      if (pe === ri.keys[rI]) {
        mergedRight.add(pe);
        out.push(merge(l[li.byKey.get(pe)!], r[ri.byKey.get(pe)!], atom.items));
        lI++;
        rI++;
        nextShared = shared[si++];
        continue;
      }
      if (ri.byKey.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < l.length) {
      const pe = li.keys[lI];
      if (!ri.byKey.has(pe)) {
        out.push(l[lI]);
        lI++;
        continue;
      } else if (mergedRight.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < r.length) {
      const pe = ri.keys[rI];
      mergedRight.add(pe);
      const lj = li.byKey.get(pe);
      out.push(merge(lj === undefined ? undefined : l[lj], r[ri.byKey.get(pe)!], atom.items));
      rI++;
      if (nextShared !== undefined && nextShared === pe) nextShared = shared[si++];
    }
  }
  return out;
}

/**
 * The value without the members of `set` (SMD RemoveItems). A map or list left empty by the
 * removal comes back `undefined`, and its parent drops it.
 */
export function removeItems(value: unknown, set: FieldSet, schema: SchemaNode | undefined): unknown {
  if (isEmptySet(set)) return value;
  const atom = effectiveAtom(schema, value, undefined);
  if (isLeaf(atom)) return value;
  if (atom.kind === 'map') {
    if (!isMap(value)) return value;
    const out: JsonMap = {};
    let kept = 0;
    for (const k in value) {
      const node = set[fieldKey(k)];
      if (node === undefined) put(out, k, value[k]);
      else if (isMemberNode(node)) continue;
      else {
        const v = removeItems(value[k], childrenOf(node), memberSchema(atom, k));
        if (v === undefined) continue;
        put(out, k, v);
      }
      kept++;
    }
    return kept === 0 && Object.keys(value).length > 0 ? undefined : out;
  }
  if (atom.kind === 'list') {
    if (!Array.isArray(value)) return value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const node = set[listItemKey(atom, item, i)];
      if (node === undefined) out.push(item);
      else if (!isMemberNode(node)) {
        const v = removeItems(item, childrenOf(node), atom.items);
        if (v !== undefined) out.push(v);
      }
    });
    return out.length === 0 && value.length > 0 ? undefined : out;
  }
  return value;
}

/**
 * SMD EnsureNamedFieldsAreMembers: struct fields that have children in the set become members
 * too, so that removing a set also removes the struct fields it reaches into.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: SchemaNode | undefined): FieldSet {
  const atom = atomOf(schema);
  const out: FieldSet = {};
  for (const k in set) {
    if (k === '.') continue;
    const node = set[k];
    const children = childrenOf(node);
    const hasChildren = !isEmptySet(children);
    let member = isMemberNode(node);
    let childSchema: SchemaNode | undefined;
    if (atom.kind === 'map' && k.startsWith('f:')) {
      const name = k.slice(2);
      if (hasChildren && declaresField(atom, name)) member = true;
      childSchema = memberSchema(atom, name);
    } else if (atom.kind === 'list') {
      childSchema = atom.items;
    }
    const newChildren = hasChildren ? ensureNamedFieldsAreMembers(children, childSchema) : children;
    setNode(out, k, member, newChildren);
  }
  return out;
}
