// metadata.managedFields as kube-apiserver's field manager reads and writes it: one entry
// per manager identity (manager, operation, subresource, and the apiVersion for updaters),
// FieldsV1 sets, sorted Apply before Update, then oldest first.
import type { ManagedFieldsEntry } from '../types';
import { checkFieldsV1, isEmptySet, sortedSet, union, type FieldSet } from './field-set';
import { FieldPathError } from './path-element';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
  /** The stored entry, reused as is on encode while the entry is unchanged. */
  raw?: ManagedFieldsEntry;
}

/** Entries by manager identity, in stored order. */
export type Managed = Map<string, ManagerEntry>;

export class ManagedFieldsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagedFieldsError';
  }
}

/** kube's BuildManagerIdentifier: appliers are one identity whatever apiVersion they apply. */
export function managerIdentity(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  id.operation = e.operation;
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** kube's printManager, as conflict messages name a manager. */
export function describeManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${s} using ${e.apiVersion}` : s;
}

/**
 * Decodes stored or client-sent managedFields; throws ManagedFieldsError as kube's DecodeManagedFields.
 * `trusted` (entries read from storage, checked when they were written) skips the FieldsV1 walk.
 */
export function decodeManagedFields(list: unknown, trusted = false): Managed {
  const managed: Managed = new Map();
  if (list === undefined || list === null) return managed;
  if (!Array.isArray(list)) throw new ManagedFieldsError('managedFields must be a list');
  list.forEach((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion === '') throw new ManagedFieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const fields = e.fieldsV1 ?? {};
    try {
      if (!trusted) checkFieldsV1(fields);
    } catch (err) {
      throw new ManagedFieldsError(`error decoding versioned set from entry ${i}: ${err instanceof FieldPathError ? err.message : String(err)}`);
    }
    const entry: ManagerEntry = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: typeof e.time === 'string' ? e.time : undefined,
      subresource: typeof e.subresource === 'string' && e.subresource !== '' ? e.subresource : undefined,
      set: fields as FieldSet,
      raw: e,
    };
    managed.set(managerIdentity(entry), entry);
  });
  return managed;
}

/** kube's isResetManagedFields: `[]` or `[{}]` sent by a client clears all ownership. */
export function isResetManagedFields(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  if (list.length === 0) return true;
  return list.length === 1 && typeof list[0] === 'object' && list[0] !== null && Object.keys(list[0] as object).length === 0;
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

/** The entries to store (undefined when none is left); empty sets are dropped. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  const entries = [...managed.values()].filter((e) => !isEmptySet(e.set));
  if (entries.length === 0) return undefined;
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return entries.map((e) => {
    if (e.raw) return e.raw;
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = sortedSet(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Replaces an entry's set (marking it changed); an empty set removes the entry. */
export function setFields(managed: Managed, id: string, entry: Omit<ManagerEntry, 'raw'>): void {
  if (isEmptySet(entry.set)) managed.delete(id);
  else managed.set(id, { ...entry, raw: undefined });
}

const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/** kube's capManagersManager: beyond ten updaters, the oldest fold into `ancient-changes`. */
export function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  let count = updaters.length;
  const firstByVersion = new Map<string, string>();
  for (const [id, e] of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const bucket = managerIdentity({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion });
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, id);
      continue;
    }
    let bucketEntry = managed.get(bucket);
    if (!bucketEntry) {
      const firstEntry = managed.get(first)!;
      managed.delete(first);
      bucketEntry = { ...firstEntry, manager: ANCIENT_CHANGES, subresource: undefined };
    }
    managed.delete(id);
    managed.set(bucket, { ...bucketEntry, set: union(bucketEntry.set, e.set), time: e.time, raw: undefined });
    count--;
  }
}
