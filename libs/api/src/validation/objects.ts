// validateObject: the single entry the gateway calls on create and update. It runs
// the schema check (types, required, enums, unknown fields), then ObjectMeta rules,
// then the kind's own rules, like a registry strategy's Validate/ValidateUpdate.

import { causes } from '../status';
import type { StatusCause } from '../status';
import type { KubeObject } from '../types';
import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { SchemaNode, SchemaResolver } from '../schema/types';
import { isQualifiedName, isValidLabelValue, nameValidatorFor } from './names';
import { validateAgainstSchema, UnknownFieldPolicy } from './schema-validator';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata';
import { arr, rec, str } from './field-errors';

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

const KIND_RULES: Record<string, KindRules> = {
  '/Namespace': validateNamespace,
  '/Node': validateNode,
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
