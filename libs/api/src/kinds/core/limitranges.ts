// core/v1 LimitRange (pkg/registry/core/limitrange): SetDefaults_LimitRangeItem for containers,
// ValidateLimitRange's min ≤ defaultRequest ≤ default ≤ max ordering and ratio checks, and the
// NAME / CREATED AT columns kube prints.
import { parseQuantity } from '../../defaults';
import { NAME_COLUMN, column } from '../../printers/columns';
import { arr, atomic, gvk, item, map, obj, ref, str, CORE, QUANTITY } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { arr as arrOf, rec, str as strOf, type Json } from '../../validation/field-errors';
import { isQualifiedName } from '../../validation/names';
import { listSchema, typeAndObjectMeta } from './object-schemas';

export const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];
const LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

const schemas: Record<string, SchemaNode> = {
  [CORE + 'LimitRange']: obj('LimitRange sets resource usage limits for each kind of resource in a Namespace.', {
    ...typeAndObjectMeta(),
    spec: ref(CORE + 'LimitRangeSpec', 'Spec defines the limits enforced. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
  }, undefined, gvk('', 'v1', 'LimitRange')),
  ...listSchema('LimitRange', 'LimitRangeList is a list of LimitRange items.', 'Items is a list of LimitRange objects. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'),
  [CORE + 'LimitRangeSpec']: obj('LimitRangeSpec defines a min/max usage limit for resources that match on kind.', {
    limits: arr(item(CORE + 'LimitRangeItem'), 'Limits is the list of LimitRangeItem objects that are enforced.', atomic),
  }, ['limits']),
  [CORE + 'LimitRangeItem']: obj('LimitRangeItem defines a min/max usage limit for any resource that matches on kind.', {
    default: map(item(QUANTITY), 'Default resource requirement limit value by resource name if resource limit is omitted.'),
    defaultRequest: map(item(QUANTITY), 'DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.'),
    max: map(item(QUANTITY), 'Max usage constraints on this kind by resource name.'),
    maxLimitRequestRatio: map(item(QUANTITY), 'MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.'),
    min: map(item(QUANTITY), 'Min usage constraints on this kind by resource name.'),
    type: str('Type of resource that this limit applies to.'),
  }, ['type']),
};

/** SetDefaults_LimitRangeItem: container default ← max, defaultRequest ← default, then ← min. */
export function defaultLimitRangeItem(item: Json): void {
  if (item.type !== 'Container') return;
  const def: Json = { ...(rec(item.default) ?? {}) };
  const req: Json = { ...(rec(item.defaultRequest) ?? {}) };
  for (const [k, v] of Object.entries(rec(item.max) ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
  for (const [k, v] of Object.entries(rec(item.min) ?? {})) if (!(k in req)) req[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(req).length) item.defaultRequest = req;
}

const q = (v: unknown): string => String(v);

function validateItem(item: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const type = strOf(item.type) ?? '';
  if (!LIMIT_TYPES.includes(type)) out.push(causes.notSupported(`${path}.type`, type, LIMIT_TYPES));
  const lists = Object.fromEntries(LISTS.map((l) => [l, rec(item[l]) ?? {}])) as Record<(typeof LISTS)[number], Json>;
  const keys = new Set<string>();
  for (const l of LISTS) {
    for (const [k, v] of Object.entries(lists[l])) {
      keys.add(k);
      for (const m of isQualifiedName(k)) out.push(causes.invalid(`${path}.${l}[${k}]`, k, m));
      const n = parseQuantity(v);
      if (n !== undefined && n < 0) out.push(causes.invalid(`${path}.${l}[${k}]`, q(v), 'must be greater than or equal to 0'));
    }
  }
  if (type === 'Pod') {
    if (Object.keys(lists.default).length) out.push(causes.forbidden(`${path}.default`, "may not be specified when `type` is 'Pod'"));
    if (Object.keys(lists.defaultRequest).length) out.push(causes.forbidden(`${path}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  }
  if (type === 'PersistentVolumeClaim' && !('storage' in lists.min) && !('storage' in lists.max)) {
    out.push(causes.required(`${path}.limits`, 'Required value: either minimum or maximum storage value is required, but neither was provided'));
  }
  for (const k of [...keys].sort()) {
    const [min, max, def, defReq, ratio] = [lists.min[k], lists.max[k], lists.default[k], lists.defaultRequest[k], lists.maxLimitRequestRatio[k]];
    const [nMin, nMax, nDef, nReq, nRatio] = [min, max, def, defReq, ratio].map((v) => (v === undefined ? undefined : parseQuantity(v)));
    const gt = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && a > b;
    if (gt(nMin, nMax)) out.push(causes.invalid(`${path}.min[${k}]`, q(min), `min value ${q(min)} is greater than max value ${q(max)}`));
    if (gt(nMin, nReq)) out.push(causes.invalid(`${path}.defaultRequest[${k}]`, q(defReq), `min value ${q(min)} is greater than default request value ${q(defReq)}`));
    if (gt(nReq, nMax)) out.push(causes.invalid(`${path}.defaultRequest[${k}]`, q(defReq), `default request value ${q(defReq)} is greater than max value ${q(max)}`));
    if (gt(nReq, nDef)) out.push(causes.invalid(`${path}.defaultRequest[${k}]`, q(defReq), `default request value ${q(defReq)} is greater than default limit value ${q(def)}`));
    if (gt(nMin, nDef)) out.push(causes.invalid(`${path}.default[${k}]`, q(min), `min value ${q(min)} is greater than default value ${q(def)}`));
    if (gt(nDef, nMax)) out.push(causes.invalid(`${path}.default[${k}]`, q(max), `default value ${q(def)} is greater than max value ${q(max)}`));
    if (nRatio !== undefined && nRatio < 1) out.push(causes.invalid(`${path}.maxLimitRequestRatio[${k}]`, q(ratio), `ratio ${q(ratio)} is less than 1`));
    if (nRatio !== undefined && nMin !== undefined && nMax !== undefined && nMin > 0 && nRatio > nMax / nMin) {
      out.push(causes.invalid(`${path}.maxLimitRequestRatio[${k}]`, q(ratio), `ratio ${q(ratio)} is greater than max/min = ${(nMax / nMin).toFixed(6)}`));
    }
  }
  return out;
}

export function validateLimitRange(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  arrOf(rec(o.spec)?.limits).forEach((l, i) => {
    const item = rec(l) ?? {};
    const type = strOf(item.type) ?? '';
    if (seen.has(type)) out.push(causes.duplicate(`spec.limits[${i}].type`, type));
    seen.add(type);
    out.push(...validateItem(item, `spec.limits[${i}]`));
  });
  return out;
}

export const limitRangeStrategy: KindStrategy = {
  info: resourceInfo({ group: '', version: 'v1', resource: 'limitranges', singular: 'limitrange', kind: 'LimitRange', namespaced: true, shortNames: ['limits'], schemaRef: CORE + 'LimitRange' }),
  schemas,
  defaults(o) {
    for (const l of arrOf(rec(o.spec)?.limits)) {
      const item = rec(l);
      if (item) defaultLimitRangeItem(item);
    }
  },
  validate: validateLimitRange,
  printer: {
    columns: [NAME_COLUMN, column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
    print: (o) => ({ cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] }),
  },
};
