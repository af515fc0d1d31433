// How field management sees a schema node (SMD's schema atoms, as kube-apiserver converts
// its OpenAPI models): a scalar, a list (atomic, or associative: a set of scalars or a map
// keyed by `x-kubernetes-list-map-keys`, falling back to the strategic-merge patch key), or a
// map (atomic, or granular: struct fields and map entries tracked one by one). Where there is
// no schema — custom resources with x-kubernetes-preserve-unknown-fields, unknown fields —
// the type is deduced from the value: objects are granular maps, lists are atomic.
import { resolveSchema } from '../schema';
import type { SchemaNode } from '../schema/types';

export type Atom =
  | { kind: 'scalar' }
  | { kind: 'list'; atomic: boolean; keys: string[]; keyDefaults: Record<string, unknown>; items: SchemaNode | undefined }
  | { kind: 'map'; atomic: boolean; fields: Record<string, SchemaNode> | undefined; elem: SchemaNode | undefined }
  | { kind: 'deduced' };

const SCALAR: Atom = { kind: 'scalar' };
const DEDUCED: Atom = { kind: 'deduced' };
const MAX_HOPS = 16;

/** The node and what its `$ref` / single `allOf` lead to, outermost first. */
function chain(node: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [];
  let cur: SchemaNode | undefined = node;
  while (cur && out.length < MAX_HOPS) {
    out.push(cur);
    if (cur.$ref) cur = resolveSchema(cur.$ref.slice(cur.$ref.lastIndexOf('/') + 1)) ?? resolveSchema(cur.$ref);
    else if (cur.allOf && cur.allOf.length === 1 && !cur.properties) cur = cur.allOf[0];
    else break;
  }
  return out;
}

/** The node where `properties`, `items` and `required` live. */
export function structuralNode(node: SchemaNode): SchemaNode {
  const c = chain(node);
  return c[c.length - 1];
}

function ext<K extends keyof SchemaNode>(nodes: SchemaNode[], name: K): SchemaNode[K] | undefined {
  for (const n of nodes) if (n[name] !== undefined) return n[name];
  return undefined;
}

// Upstream's OpenAPI carries `default: "TCP"` on every port's protocol, a list-map key; an
// applied port without it must still match the defaulted live item.
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

const cache = new WeakMap<SchemaNode, Atom>();

export function atomOf(node: SchemaNode | undefined): Atom {
  if (!node) return DEDUCED;
  let atom = cache.get(node);
  if (!atom) {
    atom = compute(node);
    cache.set(node, atom);
  }
  return atom;
}

function compute(node: SchemaNode): Atom {
  const nodes = chain(node);
  const s = nodes[nodes.length - 1];
  if (ext(nodes, 'x-kubernetes-int-or-string') || s.oneOf || s.format === 'int-or-string') return SCALAR;
  if (s.type === 'array' || s.items) {
    const listType = ext(nodes, 'x-kubernetes-list-type');
    let keys: string[] = [];
    let atomic = true;
    if (listType === 'map') {
      atomic = false;
      keys = ext(nodes, 'x-kubernetes-list-map-keys') ?? [];
    } else if (listType === 'set') {
      atomic = false;
    } else if (listType === undefined && /(^|,)\s*merge\s*(,|$)/.test(ext(nodes, 'x-kubernetes-patch-strategy') ?? '')) {
      // No list type: the strategic-merge strategy decides, as SMD's OpenAPI conversion does.
      atomic = false;
      const mergeKey = ext(nodes, 'x-kubernetes-patch-merge-key');
      keys = mergeKey ? [mergeKey] : [];
    }
    const items = s.items;
    const keyDefaults: Record<string, unknown> = {};
    if (keys.length && items) {
      const itemNodes = chain(items);
      const props = itemNodes[itemNodes.length - 1].properties ?? {};
      for (const k of keys) {
        const d = props[k] ? ext(chain(props[k]), 'default') ?? KEY_DEFAULTS[k] : undefined;
        if (d !== undefined) keyDefaults[k] = d;
      }
    }
    return { kind: 'list', atomic, keys, keyDefaults, items };
  }
  if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
    const atomic = ext(nodes, 'x-kubernetes-map-type') === 'atomic';
    const elem = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    if (!s.properties && !elem) return atomic ? { kind: 'map', atomic, fields: undefined, elem: undefined } : DEDUCED;
    return { kind: 'map', atomic, fields: s.properties, elem };
  }
  if (s.type) return SCALAR;
  if (s['x-kubernetes-preserve-unknown-fields']) return DEDUCED;
  return DEDUCED;
}

/** Schema of map member `key`: a declared field, else the map's value schema; undefined = deduced. */
export function memberSchema(atom: Atom & { kind: 'map' }, key: string): SchemaNode | undefined {
  if (atom.fields && Object.prototype.hasOwnProperty.call(atom.fields, key)) return atom.fields[key];
  return atom.elem;
}

export function declaresField(atom: Atom, key: string): boolean {
  return atom.kind === 'map' && !!atom.fields && Object.prototype.hasOwnProperty.call(atom.fields, key);
}

export type Shape = 'map' | 'list' | 'scalar' | 'null' | 'absent';

export function shapeOf(v: unknown): Shape {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return 'scalar';
}

/**
 * The atom to walk two values (either may be absent) with: the schema's, unless the values do
 * not fit it, in which case they are one leaf. Deduced types follow the values.
 */
export function effectiveAtom(node: SchemaNode | undefined, a: unknown, b: unknown): Atom {
  const atom = atomOf(node);
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  const fits = (shape: Shape, want: Shape): boolean => shape === want || shape === 'null' || shape === 'absent';
  if (atom.kind === 'deduced') {
    if (fits(sa, 'map') && fits(sb, 'map') && (sa === 'map' || sb === 'map')) return DEDUCED_MAP;
    return SCALAR;
  }
  if (atom.kind === 'map') return fits(sa, 'map') && fits(sb, 'map') ? atom : SCALAR;
  if (atom.kind === 'list') return fits(sa, 'list') && fits(sb, 'list') ? atom : SCALAR;
  return atom;
}

const DEDUCED_MAP: Atom = { kind: 'map', atomic: false, fields: undefined, elem: undefined };

export function isLeaf(atom: Atom): boolean {
  return atom.kind === 'scalar' || atom.kind === 'deduced' || atom.atomic;
}
