// Safe reads of plain-JSON objects for the printers: objects reach the printers
// as stored, so every field may be missing or of the wrong type.

import { isRecord } from '../types';

export type JsonRecord = Record<string, unknown>;

/** The record at `path` under `v`, or an empty record. */
export function rec(v: unknown, ...path: string[]): JsonRecord {
  let cur = v;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return isRecord(cur) ? cur : {};
}

/** The array at `key` of `v` (records only), or an empty array. */
export function recs(v: unknown, key: string): JsonRecord[] {
  const a = isRecord(v) ? v[key] : undefined;
  return Array.isArray(a) ? a.filter(isRecord) : [];
}

export function str(v: unknown, key: string): string {
  const x = isRecord(v) ? v[key] : undefined;
  return typeof x === 'string' ? x : '';
}

export function num(v: unknown, key: string): number {
  const x = isRecord(v) ? v[key] : undefined;
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

export function bool(v: unknown, key: string): boolean {
  return isRecord(v) && v[key] === true;
}

/** Number of keys of the record at `key`, or entries of the array at `key`. */
export function size(v: unknown, key: string): number {
  const x = isRecord(v) ? v[key] : undefined;
  if (Array.isArray(x)) return x.length;
  return isRecord(x) ? Object.keys(x).length : 0;
}
