// A set of field paths (SMD's fieldpath.Set) held directly in its FieldsV1 form, so the
// managedFields stored in objects are used as they are, without a decode/encode per write:
//   { "f:spec": { "f:replicas": {} },  "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } }
// A key whose value is `{}` is a member (a leaf); `"."` inside a node makes the node itself a
// member while it also has children; a node with children and no `"."` is only a prefix.
// Sets built here never hold an empty non-member node. Operations return new trees and never
// mutate their inputs; only `insertPath` mutates (trees the caller just built).
import { FieldPathError, compareEncoded, decodePathElement } from './path-element';

export interface FieldSet {
  [element: string]: FieldSet;
}

const SELF = '.';

export const emptySet = (): FieldSet => ({});

export function isEmptySet(s: FieldSet): boolean {
  for (const k in s) if (k !== SELF) return false;
  return true;
}

/** Whether the node stored under a key is itself a member. */
export function isMemberNode(node: FieldSet): boolean {
  return node[SELF] !== undefined || isEmptySet(node);
}

/** The children of a stored node, without its `"."` marker. */
export function childrenOf(node: FieldSet): FieldSet {
  if (node[SELF] === undefined) return node;
  const out: FieldSet = {};
  for (const k in node) if (k !== SELF) out[k] = node[k];
  return out;
}

function makeNode(member: boolean, children: FieldSet): FieldSet | undefined {
  const empty = isEmptySet(children);
  if (empty) return member ? {} : undefined;
  if (!member) return children;
  return { [SELF]: {}, ...children };
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptySet(a)) return b;
  if (isEmptySet(b)) return a;
  const out: FieldSet = {};
  for (const k in a) {
    if (k === SELF) continue;
    const bn = b[k];
    if (bn === undefined) out[k] = a[k];
    else out[k] = makeNode(isMemberNode(a[k]) || isMemberNode(bn), union(childrenOf(a[k]), childrenOf(bn)))!;
  }
  for (const k in b) if (k !== SELF && a[k] === undefined) out[k] = b[k];
  return out;
}

/** `a` without the members of `b`; `a` itself (same reference) when nothing was removed. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptySet(b) || isEmptySet(a)) return a;
  const out: FieldSet = {};
  let changed = false;
  for (const k in a) {
    if (k === SELF) continue;
    const an = a[k];
    const bn = b[k];
    if (bn === undefined) {
      out[k] = an;
      continue;
    }
    const member = isMemberNode(an) && !isMemberNode(bn);
    const ac = childrenOf(an);
    const children = difference(ac, childrenOf(bn));
    if (children === ac && member === isMemberNode(an)) {
      out[k] = an;
      continue;
    }
    changed = true;
    const node = makeNode(member, children);
    if (node) out[k] = node;
  }
  return changed ? out : a;
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  if (isEmptySet(a) || isEmptySet(b)) return out;
  for (const k in a) {
    if (k === SELF) continue;
    const bn = b[k];
    if (bn === undefined) continue;
    const node = makeNode(isMemberNode(a[k]) && isMemberNode(bn), intersection(childrenOf(a[k]), childrenOf(bn)));
    if (node) out[k] = node;
  }
  return out;
}

/** SMD RecursiveDifference: removes members of `b` together with everything beneath them. */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptySet(b) || isEmptySet(a)) return a;
  const out: FieldSet = {};
  for (const k in a) {
    if (k === SELF) continue;
    const bn = b[k];
    if (bn === undefined) {
      out[k] = a[k];
      continue;
    }
    if (isMemberNode(bn)) continue;
    const node = makeNode(isMemberNode(a[k]), recursiveDifference(childrenOf(a[k]), childrenOf(bn)));
    if (node) out[k] = node;
  }
  return out;
}

/** Adds `path` as a member (mutates `s`, which must be a tree the caller owns). */
export function insertPath(s: FieldSet, path: readonly string[]): void {
  let node = s;
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    const last = i === path.length - 1;
    let child = node[k];
    if (child === undefined) {
      // A new prefix node gets its child on the next step, which makes it a non-member.
      child = {};
      node[k] = child;
    } else if (last ? !isMemberNode(child) : isEmptySet(child)) {
      // Membership must survive: a leaf member that gains children keeps a ".".
      child[SELF] = {};
    }
    node = child;
  }
}

/** Whether `path` is a member of `s`. */
export function hasPath(s: FieldSet, path: readonly string[]): boolean {
  let node: FieldSet | undefined = s;
  for (const k of path) {
    node = node[k];
    if (node === undefined) return false;
  }
  return path.length > 0 && isMemberNode(node);
}

/** Every member path, members of a node before its children (SMD's Set.Iterate order on a sorted set). */
export function memberPaths(s: FieldSet): string[][] {
  const out: string[][] = [];
  const walk = (node: FieldSet, prefix: string[]): void => {
    const keys = Object.keys(node).filter((k) => k !== SELF).sort(compareEncoded);
    for (const k of keys) if (isMemberNode(node[k])) out.push([...prefix, k]);
    for (const k of keys) {
      const children = childrenOf(node[k]);
      if (!isEmptySet(children)) walk(children, [...prefix, k]);
    }
  };
  walk(s, []);
  return out;
}

/** The set with keys in SMD order at every level, `"."` first: the FieldsV1 kube-apiserver writes. */
export function sortedSet(s: FieldSet): FieldSet {
  const keys = Object.keys(s);
  // Field names alone (the common case) sort as plain strings, "." first; keys, values and indexes need SMD's order.
  if (keys.every((k) => k === SELF || k.startsWith('f:'))) keys.sort();
  else keys.sort(compareEncoded);
  const out: FieldSet = {};
  for (const k of keys) out[k] = k === SELF ? {} : sortedSet(s[k]);
  return out;
}

const MAX_DEPTH = 128;

/** Checks that an untrusted FieldsV1 value is a well-formed set (throws FieldPathError). */
export function checkFieldsV1(v: unknown, depth = 0): asserts v is FieldSet {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FieldPathError('FieldsV1 must be a JSON object of objects');
  if (depth > MAX_DEPTH) throw new FieldPathError('FieldsV1 is nested too deeply');
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (k === SELF) {
      if (typeof child !== 'object' || child === null || Array.isArray(child) || Object.keys(child).length > 0) throw new FieldPathError('"." must map to {}');
      continue;
    }
    decodePathElement(k);
    checkFieldsV1(child, depth + 1);
  }
}
