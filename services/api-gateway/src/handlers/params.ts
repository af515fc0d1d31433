// Query parameters shared by the verbs, parsed and checked once.
import { errors, parseFieldSelector, parseLabelSelector, type KubeObject } from '@keelson/api';
import type { FieldValidation } from '../registry/request-context';

/**
 * A boolean query parameter (`watch`, `allowWatchBookmarks`, `sendInitialEvents`, `follow`,
 * `orphanDependents`, `force`, ...), read as kube-apiserver's query conversion reads every one
 * (apimachinery runtime.Convert_Slice_string_To_bool): absent is undefined; "false" or "0" in
 * any case is false; anything else, the empty string included, is true. So Go clients'
 * `true`, Python's `True`, `1`, `t` and a bare `?watch` all mean true, and nothing is refused.
 * The one parser every handler uses, so no parameter can drift to `=== 'true'` again.
 */
export function booleanParamOf(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const lower = v.toLowerCase();
  return lower !== 'false' && lower !== '0';
}

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw errors.badRequest(`Invalid dryRun value: ${v}; supported values: "All"`);
  return values.length > 0;
}

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation ${JSON.stringify(v)} is invalid: valid values are "Ignore", "Warn", "Strict"`);
}

export function limitOf(q: URLSearchParams): number | undefined {
  const v = q.get('limit');
  if (v === null || v === '' || v === '0') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid limit: ${JSON.stringify(v)}`);
  return n;
}

export function timeoutSecondsOf(q: URLSearchParams): number | undefined {
  const v = q.get('timeoutSeconds');
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw errors.badRequest(`invalid timeoutSeconds: ${JSON.stringify(v)}`);
  return n;
}

/** Combined label and field selector filter, or undefined when both are empty. */
export function selectorFilterOf(q: URLSearchParams, resource: string): ((o: KubeObject) => boolean) | undefined {
  const ls = q.get('labelSelector');
  const fs = q.get('fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs, resource) : undefined;
  if ((!labels || labels.isEmpty()) && (!fields || fields.isEmpty())) return undefined;
  return (o) => (!labels || labels.matches(o.metadata.labels)) && (!fields || fields.matches(o));
}

/** What a Table row carries in `object` (kubectl asks for nothing, meaning Metadata). */
export function includeObjectOf(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
