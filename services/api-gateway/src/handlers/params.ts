// Query parameters shared by the verbs, parsed and checked once.
import { errors, parseFieldSelector, parseLabelSelector, type KubeObject } from '@keelson/api';
import type { FieldValidation } from '../registry/request-context';

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
