// Field-error building blocks for kind validation: safe readers over untyped JSON,
// and the few causes whose bad value Kubernetes prints in Go syntax rather than as
// a quoted string (maps, int-or-string, selectors).

import { causes } from '../status';
import type { StatusCause } from '../status';
import { isRecord } from '../types';

export type Json = Record<string, unknown>;

export const rec = (v: unknown): Json | undefined => (isRecord(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
};

/** FieldValueInvalid with a value already rendered the way Go's field.Invalid prints it. */
export function invalidRendered(field: string, rendered: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${rendered}: ${detail}`, field };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field };
}

/** Go `%#v` of a map[string]string: keys sorted, `map[string]string{"a":"b"}`. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** intstr.IntOrString prints through its String(): `25%`, `0`, unquoted. */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v ?? '');
}

/** Go `%#v` of a dereferenced metav1.LabelSelector. */
export function goLabelSelector(sel: Json): string {
  const ml = rec(sel.matchLabels);
  const exprs = arr(sel.matchExpressions);
  const exprText =
    exprs.length === 0
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map((e) => {
            const r = rec(e) ?? {};
            const values = arr(r.values).map((x) => JSON.stringify(String(x)));
            return `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(r.key) ?? '')}, Operator:${JSON.stringify(str(r.operator) ?? '')}, Values:[]string{${values.join(', ')}}}`;
          })
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(ml ? strMap(ml) : undefined)}, MatchExpressions:${exprText}}`;
}

export const IS_NEGATIVE_MSG = 'must be greater than or equal to 0';
export const IMMUTABLE_MSG = 'field is immutable';

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  const n = num(value);
  return n !== undefined && n < 0 ? [causes.invalid(field, n, IS_NEGATIVE_MSG)] : [];
}

/**
 * Structural equality of JSON values, close to apimachinery Semantic.DeepEqual:
 * absent, null and an empty list compare equal (nil and empty slices do in Go).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const na = nilish(a) ? undefined : a;
  const nb = nilish(b) ? undefined : b;
  if (na === nb) return true;
  if (Array.isArray(na) && Array.isArray(nb)) return na.length === nb.length && na.every((x, i) => jsonEqual(x, nb[i]));
  if (isRecord(na) && isRecord(nb)) {
    const ka = Object.keys(na).filter((k) => !nilish(na[k]));
    const kb = Object.keys(nb).filter((k) => !nilish(nb[k]));
    return ka.length === kb.length && ka.every((k) => jsonEqual(na[k], nb[k]));
  }
  return false;
}

function nilish(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}
