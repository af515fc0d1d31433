// Element order of merged lists in a strategic merge patch, after apimachinery
// (`normalizeElementOrder`, `mergeSortedSlice`, `validatePatchWithSetOrderList`).
// Precedence: `$setElementOrder` > order in the patch list > order in the live list.
// Items named by the patch are sorted by the patch order, server-only items keep their
// live order, and the two runs are interleaved using positions in the live list; an item
// the live list does not know (a new one) goes before the remaining server-only items.

import { errors } from '../status';
import { hasOwn, isObject } from './json-value';

export const DIRECTIVE_MARKER = '$patch';

/** JSON kind of list elements: 'object' for lists of maps, anything else for primitives. */
export type ElementKind = 'object' | 'primitive';

/** The comparable identity of a list element: its merge-key value, or the element itself. */
function identity(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'object') return item;
  return isObject(item) && hasOwn(item, mergeKey) ? item[mergeKey] : null;
}

export function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

export function noMergeKey(item: unknown, mergeKey: string): Error {
  return errors.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
}

/** The merge-key value of a list-of-maps element; throws when it is missing. */
export function mergeKeyValue(item: unknown, mergeKey: string): unknown {
  if (!isObject(item)) throw errors.badRequest(`expected a map, but received ${JSON.stringify(item)}`);
  if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  return item[mergeKey];
}

export function isDeleteElement(item: unknown): boolean {
  return isObject(item) && item[DIRECTIVE_MARKER] === 'delete';
}

/** Splits `merged` into items present in `by` (per identity) and the rest, keeping order. */
export function partitionByPresence(merged: unknown[], by: unknown[], mergeKey: string, kind: ElementKind): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const v of merged) {
    if (kind === 'object') mergeKeyValue(v, mergeKey);
    (indexIn(by, v, mergeKey, kind) >= 0 ? present : absent).push(v);
  }
  return [present, absent];
}

/** Sorts `toSort` by position in `order` (stable); unknown items follow; delete markers go last. */
function sortByOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let deletes: unknown[] = [];
  let items = toSort;
  if (kind === 'object') {
    for (const v of [...toSort, ...order]) mergeKeyValue(v, mergeKey);
    deletes = toSort.filter(isDeleteElement);
    items = toSort.filter((v) => !isDeleteElement(v));
  }
  const ranked = items.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey, kind) }));
  const known = ranked.filter((r) => r.at >= 0).sort((a, b) => a.at - b.at || a.i - b.i);
  const unknown = ranked.filter((r) => r.at < 0);
  return [...known, ...unknown].map((r) => r.v).concat(deletes);
}

/**
 * apimachinery `normalizeElementOrder`: `patchItems` ordered by `patchOrder`, `serverOnly`
 * by `serverOrder`, then interleaved by their positions in `serverOrder`.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      // A server-only item goes first only if both are in the live list and it came earlier.
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * The items of a patch list must appear in `$setElementOrder` in the same relative order
 * (deletions and other directive elements are ignored).
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  // Maps without a merge key have no identity to compare (apimachinery would panic); skip.
  if (!mergeKey && patchList.some(isObject)) return;
  const items = mergeKey ? patchList.filter((v) => !isDeleteElement(v)) : patchList;
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (isObject(items[p]) && hasOwn(items[p] as Record<string, unknown>, DIRECTIVE_MARKER)) {
      p++;
      continue;
    }
    const same = mergeKey ? mergeKeyValue(items[p], mergeKey) === mergeKeyValue(order[s], mergeKey) : items[p] === order[s];
    if (same) p++;
    s++;
  }
  if (p < items.length) {
    throw errors.badRequest(
      `the order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}`,
    );
  }
}
