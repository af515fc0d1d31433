// ObjectMeta validation (apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate)
// and label selectors (ValidateLabelSelector plus matching, used for the
// selector-must-match-template rule).

import { causes } from '../status';
import type { StatusCause } from '../status';
import type { KubeObject } from '../types';
import { isQualifiedName, isValidLabelValue, validateGenerateName } from './names';
import { arr, goStringMap, IMMUTABLE_MSG, invalidRendered, Json, nonNegative, rec, str, strMap, tooLong } from './field-errors';

export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

export function validateLabels(labels: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(rec(labels) ?? {})) {
    for (const msg of isQualifiedName(k)) out.push(causes.invalid(field, k, msg));
    if (typeof v === 'string') for (const msg of isValidLabelValue(v)) out.push(causes.invalid(field, v, msg));
  }
  return out;
}

export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(rec(annotations) ?? {})) {
    // Annotation keys are qualified names except that case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) out.push(causes.invalid(field, k, msg));
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_B) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return out;
}

export function validateOwnerReferences(refs: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  let firstController = '';
  for (const item of arr(refs)) {
    const ref = rec(item) ?? {};
    const apiVersion = str(ref.apiVersion) ?? '';
    const kind = str(ref.kind) ?? '';
    const name = str(ref.name) ?? '';
    const uid = str(ref.uid) ?? '';
    // Kubernetes reports these without an index: `metadata.ownerReferences.uid`.
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) out.push(causes.invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!kind) out.push(causes.invalid(`${field}.kind`, kind, 'must not be empty'));
    if (!name) out.push(causes.invalid(`${field}.name`, name, 'must not be empty'));
    if (!uid) out.push(causes.invalid(`${field}.uid`, uid, 'must not be empty'));
    if (ref.controller === true) {
      const current = `${kind}/${name}`;
      if (firstController) {
        out.push(
          invalidRendered(field, '[]v1.OwnerReference{...}',
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return out;
}

export function validateFinalizers(finalizers: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const list = arr(finalizers).filter((f): f is string => typeof f === 'string');
  for (const f of list) for (const msg of isQualifiedName(f)) out.push(causes.invalid(field, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    out.push(invalidRendered(field, `[]string{${list.map((f) => JSON.stringify(f)).join(', ')}}`, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return out;
}

/** ValidateObjectMeta without the namespace rules, which the gateway owns. */
export function validateObjectMeta(obj: KubeObject, nameFn: (name: string) => string[]): StatusCause[] {
  const meta = rec(obj.metadata) ?? {};
  const out: StatusCause[] = [];
  const name = str(meta.name) ?? '';
  const generateName = str(meta.generateName) ?? '';
  if (generateName) {
    for (const msg of validateGenerateName(nameFn, generateName)) out.push(causes.invalid('metadata.generateName', generateName, msg));
  }
  if (!name) {
    // A generateName alone is enough: the gateway derives the name before storing.
    if (!generateName) out.push(causes.required('metadata.name', 'Required value: name or generateName is required'));
  } else {
    for (const msg of nameFn(name)) out.push(causes.invalid('metadata.name', name, msg));
  }
  out.push(...nonNegative(meta.generation, 'metadata.generation'));
  out.push(...validateLabels(meta.labels, 'metadata.labels'));
  out.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  out.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  out.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return out;
}

/** ValidateObjectMetaUpdate: identity fields never change. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const meta = rec(obj.metadata) ?? {};
  const oldMeta = rec(old.metadata) ?? {};
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const now = meta[key];
    const before = oldMeta[key];
    if (before !== undefined && now !== before) out.push(causes.invalid(`metadata.${key}`, now ?? '', IMMUTABLE_MSG));
  }
  return out;
}

/** Template metadata: only labels and annotations are checked (ValidateTemplateObjectMeta). */
export function validateTemplateMeta(meta: unknown, field: string): StatusCause[] {
  const m = rec(meta) ?? {};
  return [...validateLabels(m.labels, `${field}.labels`), ...validateAnnotations(m.annotations, `${field}.annotations`)];
}

export function validateLabelSelector(selector: Json, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  arr(selector.matchExpressions).forEach((item, i) => {
    const path = `${field}.matchExpressions[${i}]`;
    const r = rec(item) ?? {};
    const op = str(r.operator) ?? '';
    const values = arr(r.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) out.push(causes.required(`${path}.values`, "Required value: must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) out.push(causes.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push(causes.invalid(`${path}.operator`, op, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(str(r.key) ?? '')) out.push(causes.invalid(`${path}.key`, str(r.key) ?? '', msg));
    values.forEach((v, j) => {
      if (typeof v === 'string') for (const msg of isValidLabelValue(v)) out.push(causes.invalid(`${path}.values[${j}]`, v, msg));
    });
  });
  out.push(...validateLabels(selector.matchLabels, `${field}.matchLabels`));
  return out;
}

/** True when the selector has no requirements (matches everything). */
export function selectorIsEmpty(selector: Json): boolean {
  return Object.keys(rec(selector.matchLabels) ?? {}).length + arr(selector.matchExpressions).length === 0;
}

/** metav1.LabelSelectorAsSelector + Matches. Unknown operators never match. */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(strMap(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const item of arr(selector.matchExpressions)) {
    const r = rec(item) ?? {};
    const key = str(r.key) ?? '';
    const values = arr(r.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (str(r.operator)) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The `selector does not match template labels` rule of ValidatePodTemplateSpecForReplicaSet. */
export function validateSelectorMatchesTemplate(selector: Json, templateMeta: unknown, field: string): StatusCause[] {
  if (selectorIsEmpty(selector)) return [];
  const raw = rec(rec(templateMeta)?.labels);
  const labels = strMap(raw);
  if (selectorMatches(selector, labels)) return [];
  return [invalidRendered(field, goStringMap(raw ? labels : undefined), '`selector` does not match template `labels`')];
}
