// validateObject: the single entry the gateway calls on create and update. It runs
// the schema check (types, required, enums, unknown fields), then ObjectMeta rules,
// then the kind's own rules (its strategy's `validate`, as Validate/ValidateUpdate).

import { objectMetaTypeErrors } from './object-meta-types';
import type { StatusCause } from '../status';
import type { KubeObject } from '../types';
import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { SchemaNode, SchemaResolver } from '../schema/types';
import { nameValidatorFor } from './names';
import { validateAgainstSchema, UnknownFieldPolicy } from './schema-validator';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata';

export interface ValidateOptions {
  resolve: SchemaResolver;
  /** The kind's schema; when absent it is resolved from `info.schemaRef`. */
  schema?: SchemaNode;
  unknownFields: UnknownFieldPolicy;
  /** The stored object, for updates. */
  old?: KubeObject;
  /** The subresource an update goes through (status, ephemeralcontainers). */
  subresource?: string;
}

export interface ValidationResult {
  causes: StatusCause[];
  /** Warning texts for the `Warning` header (`unknown field "spec.foo"` under fieldValidation=Warn). */
  warnings: string[];
}

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
    const r = validateAgainstSchema(obj, schema, opts.resolve, { unknownFields: opts.unknownFields, old: opts.old });
    out.push(...r.causes);
    if (opts.unknownFields === 'Warn') for (const f of r.unknownFields) warnings.push(`unknown field "${f}"`);
    if (r.causes.some((c) => c.reason === 'FieldValueTypeInvalid')) return { causes: dedupe(out), warnings };
  }
  // ObjectMeta's own types first: a custom object's schema leaves metadata out (object-meta-types.ts).
  const metaTypes = objectMetaTypeErrors(obj.metadata);
  if (metaTypes.length > 0) return { causes: dedupe([...out, ...metaTypes]), warnings };
  out.push(...validateObjectMeta(obj, nameValidatorFor(info.resource)));
  if (opts.old) out.push(...validateObjectMetaUpdate(obj, opts.old));
  const rules = strategyFor(info)?.validate;
  if (rules) out.push(...rules(obj, opts.old, opts.subresource));
  return { causes: dedupe(out), warnings };
}
