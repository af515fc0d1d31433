// validateObject: the single entry the gateway calls on create and update. It runs
// the schema check (types, required, enums, unknown fields), then ObjectMeta rules,
// then the kind's own rules, like a registry strategy's Validate/ValidateUpdate.

import { causes } from '../status';
import type { StatusCause } from '../status';
import type { KubeObject } from '../types';
import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { SchemaNode, SchemaResolver } from '../schema/types';
import { isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameValidatorFor } from './names';
import { validateAgainstSchema, UnknownFieldPolicy } from './schema-validator';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata';
import { arr, jsonEqual, rec, str, tooLong } from './field-errors';
import { validatePodSpec, validatePodSpecUpdate } from './pod';

export interface ValidateOptions {
  resolve: SchemaResolver;
  /** The kind's schema; when absent it is resolved from `info.schemaRef`. */
  schema?: SchemaNode;
  unknownFields: UnknownFieldPolicy;
  /** The stored object, for updates. */
  old?: KubeObject;
}

export interface ValidationResult {
  causes: StatusCause[];
  /** Warning texts for the `Warning` header (`unknown field "spec.foo"` under fieldValidation=Warn). */
  warnings: string[];
}

type KindRules = (obj: KubeObject, old: KubeObject | undefined) => StatusCause[];

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];
const MAX_CONFIGMAP_SIZE = 1024 * 1024;

function validateNamespace(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  for (const f of arr(rec(obj.spec)?.finalizers)) {
    const name = typeof f === 'string' ? f : '';
    for (const m of isQualifiedName(name)) out.push(causes.invalid('spec.finalizers', name, m));
    if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
      out.push(causes.invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return out;
}

function validateNode(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  arr(rec(obj.spec)?.taints).forEach((item, i) => {
    const t = rec(item) ?? {};
    const path = `spec.taints[${i}]`;
    const key = str(t.key) ?? '';
    const value = str(t.value) ?? '';
    const effect = str(t.effect) ?? '';
    for (const m of isQualifiedName(key)) out.push(causes.invalid(`${path}.key`, key, m));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length > 0) out.push(causes.invalid(`${path}.value`, value, valueErrs.join(';')));
    if (!effect) out.push(causes.required(`${path}.effect`));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      out.push(causes.notSupported(`${path}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
    const id = `${effect}\u0000${key}`;
    if (seen.has(id)) out.push({ reason: 'FieldValueDuplicate', message: 'Duplicate value: taints must be unique by key and effect pair', field: path });
    seen.add(id);
  });
  return out;
}

function validateConfigMap(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const data = rec(obj.data) ?? {};
  const binary = rec(obj.binaryData) ?? {};
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) out.push(causes.invalid(`data[${key}]`, key, m));
    if (key in binary) out.push(causes.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += typeof value === 'string' ? Buffer.byteLength(value) : 0;
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of isConfigMapKey(key)) out.push(causes.invalid(`binaryData[${key}]`, key, m));
    size += typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
  }
  if (size > MAX_CONFIGMAP_SIZE) out.push(tooLong('', MAX_CONFIGMAP_SIZE));
  if (old && old.immutable === true) {
    if (obj.immutable !== true) out.push(causes.forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(obj.data, old.data)) out.push(causes.forbidden('data', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(obj.binaryData, old.binaryData)) out.push(causes.forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return out;
}

/** Legacy core/v1 Event rules (legacyValidateEvent). */
function validateEvent(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const involved = rec(obj.involvedObject);
  // Kubernetes zero-values a missing involvedObject; we require one, since describe and GC rely on it.
  if (!involved) return [causes.required('involvedObject')];
  const namespace = str(obj.metadata?.namespace) ?? '';
  const involvedNs = str(involved.namespace) ?? '';
  const mismatch = () => causes.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!obj.eventTime) {
    if (!involvedNs) {
      if (namespace !== '' && namespace !== 'default') out.push(mismatch());
    } else if (namespace !== involvedNs) out.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') out.push(mismatch());
    const controller = str(obj.reportingComponent) ?? '';
    if (!controller) out.push(causes.required('reportingComponent'));
    for (const m of isQualifiedName(controller)) out.push(causes.invalid('reportingComponent', controller, m));
    const instance = str(obj.reportingInstance) ?? '';
    if (!instance) out.push(causes.required('reportingInstance'));
    if (instance.length > 128) out.push(causes.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = str(obj.action) ?? '';
    if (!action) out.push(causes.required('action'));
    if (action.length > 128) out.push(causes.invalid('action', '', 'can have at most 128 characters'));
    const reason = str(obj.reason) ?? '';
    if (!reason) out.push(causes.required('reason'));
    if (reason.length > 128) out.push(causes.invalid('reason', '', 'can have at most 128 characters'));
  }
  for (const m of isDNS1123Subdomain(namespace)) out.push(causes.invalid('namespace', namespace, m));
  return out;
}

const KIND_RULES: Record<string, KindRules> = {
  '/Pod': (obj, old) => [...validatePodSpec(obj.spec, 'spec'), ...(old ? validatePodSpecUpdate(obj.spec, old.spec) : [])],
  '/Namespace': validateNamespace,
  '/Node': validateNode,
  '/ConfigMap': validateConfigMap,
  '/Event': validateEvent,
  '/ServiceAccount': () => [],
};

function refName(schemaRef: string): string {
  return schemaRef.startsWith('#/') ? schemaRef.slice(schemaRef.lastIndexOf('/') + 1) : schemaRef;
}

function dedupe(list: StatusCause[]): StatusCause[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = `${c.field ?? ''}\u0000${c.reason ?? ''}\u0000${c.message ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a (defaulted) object for create, or for update when `opts.old` is given.
 * Type errors short-circuit the rest, as a failed decode does in Kubernetes.
 */
export function validateObject(obj: KubeObject, info: ResourceInfo, opts: ValidateOptions): ValidationResult {
  const warnings: string[] = [];
  const out: StatusCause[] = [];
  const ownSchemaValidation = strategyFor(info)?.validateSchema;
  const schema = ownSchemaValidation ? undefined : opts.schema ?? (info.schemaRef ? opts.resolve(refName(info.schemaRef)) : undefined);
  if (ownSchemaValidation) {
    // Custom resources: pruning, structural schema and CEL rules (see crd/custom-resource-strategy.ts).
    const r = ownSchemaValidation(obj, opts.old, opts.unknownFields);
    out.push(...r.causes);
    if (opts.unknownFields === 'Warn') for (const f of r.unknownFields) warnings.push(`unknown field "${f}"`);
    if (r.causes.some((c) => c.reason === 'FieldValueTypeInvalid')) return { causes: dedupe(out), warnings };
  }
  if (schema) {
    const r = validateAgainstSchema(obj, schema, opts.resolve, { unknownFields: opts.unknownFields });
    out.push(...r.causes);
    if (opts.unknownFields === 'Warn') for (const f of r.unknownFields) warnings.push(`unknown field "${f}"`);
    if (r.causes.some((c) => c.reason === 'FieldValueTypeInvalid')) return { causes: dedupe(out), warnings };
  }
  out.push(...validateObjectMeta(obj, nameValidatorFor(info.resource)));
  if (opts.old) out.push(...validateObjectMetaUpdate(obj, opts.old));
  const rules = KIND_RULES[`${info.group}/${info.kind}`] ?? strategyFor(info)?.validate;
  if (rules) out.push(...rules(obj, opts.old));
  return { causes: dedupe(out), warnings };
}
