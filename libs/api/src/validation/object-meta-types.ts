// The JSON types of ObjectMeta's fields, as decoding into Go's metav1.ObjectMeta enforces them
// (for custom resources: apiextensions' structural ObjectMeta coercion). Built-in kinds meet
// them in their schema; custom objects only here, since their schema leaves metadata out. A
// custom object stored with `metadata.finalizers: true` made every later DELETE of it (or of
// its collection) a 500 "boolean true is not iterable" (found by npm run fuzz).
import { causes, type StatusCause } from '../status';

type Expected = 'string' | 'integer' | 'map of strings' | 'array of strings' | 'array of objects';

const FIELDS: Record<string, Expected> = {
  name: 'string', generateName: 'string', namespace: 'string', uid: 'string', resourceVersion: 'string',
  creationTimestamp: 'string', deletionTimestamp: 'string', selfLink: 'string',
  generation: 'integer', deletionGracePeriodSeconds: 'integer',
  labels: 'map of strings', annotations: 'map of strings',
  finalizers: 'array of strings', ownerReferences: 'array of objects', managedFields: 'array of objects',
};

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : typeof v === 'object' ? 'object' : typeof v);

function matches(v: unknown, t: Expected): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'map of strings': return isObject(v) && Object.values(v as object).every((x) => typeof x === 'string');
    case 'array of strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'array of objects': return Array.isArray(v) && v.every(isObject);
  }
}

/**
 * Type errors in `metadata` (null stands for an absent field, as Go decodes it; so does
 * undefined, which JSON cannot carry but objects built in code do, e.g. `{ namespace: undefined }`
 * for a cluster-scoped kind).
 */
export function objectMetaTypeErrors(metadata: unknown): StatusCause[] {
  if (metadata === undefined || metadata === null) return [];
  if (!isObject(metadata)) return [causes.typeInvalid('metadata', jsonType(metadata), `metadata in body must be of type object: "${jsonType(metadata)}"`)];
  const out: StatusCause[] = [];
  for (const [field, expected] of Object.entries(FIELDS)) {
    if (!Object.prototype.hasOwnProperty.call(metadata, field)) continue;
    const v = (metadata as Record<string, unknown>)[field];
    if (v === null || v === undefined || matches(v, expected)) continue;
    out.push(causes.typeInvalid(`metadata.${field}`, jsonType(v), `metadata.${field} in body must be of type ${expected}: "${jsonType(v)}"`));
  }
  return out;
}
