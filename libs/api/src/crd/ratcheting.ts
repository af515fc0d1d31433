// Validation ratcheting (CRDValidationRatcheting, on by default since Kubernetes 1.30): on
// update, an error on a value the request did not change is dropped, so tightening a schema
// does not lock existing objects. Required-field and unknown-field errors are never ratcheted.
import type { StatusCause } from '../status';
import { isRecord } from '../types';
import { sameJson } from './validate';

/** `spec.items[0].name` → ['spec', 'items', 0, 'name']. */
function pathSteps(field: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [];
    if (m[1]) steps.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  return steps;
}

function valueAt(obj: unknown, steps: (string | number)[]): unknown {
  let cur = obj;
  for (const s of steps) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = isRecord(cur) ? cur[s] : undefined;
  }
  return cur;
}

const NEVER_RATCHETED = new Set(['FieldValueRequired']);

export function ratchet(found: StatusCause[], obj: unknown, old: unknown): StatusCause[] {
  return found.filter((c) => {
    if (!c.field || NEVER_RATCHETED.has(c.reason ?? '') || c.message?.startsWith('unknown field')) return true;
    const steps = pathSteps(c.field);
    if (steps.length === 0) return true;
    const now = valueAt(obj, steps);
    return now === undefined || !sameJson(now, valueAt(old, steps));
  });
}
