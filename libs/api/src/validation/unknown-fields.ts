// Unknown fields of built-in kinds, handled as kube-apiserver's decoder handles them: decoding
// into the Go structs drops every field the type does not declare, so nothing unknown is ever
// stored; fieldValidation=Warn reports what was dropped, Strict refuses the request instead,
// Ignore drops silently. (Stored unknown fields let a 2.5 MB "padding" field slip past the
// ConfigMap's 1 MiB data limit.) Custom resources prune by their structural schema instead
// (crd/pruning.ts, through their strategy's validateSchema).
import { causes as fieldCauses, type StatusCause } from '../status';
import type { KubeObject } from '../types';
import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { SchemaNode, SchemaResolver } from '../schema/types';
import { validateAgainstSchema, type UnknownFieldPolicy } from './schema-validator';

export interface UnknownFieldsResult {
  /** Under Strict: one `unknown field "…"` cause per field (nothing was dropped). */
  causes: StatusCause[];
  /** Under Warn: one warning per dropped field. */
  warnings: string[];
  /** The unknown fields' paths (`spec.foo`), whatever the policy. */
  fields: string[];
}

/**
 * Drops from `obj` (in place) the fields its kind's schema does not declare, as decoding
 * does, before defaulting, managed fields or validation see them. Kinds with their own
 * schema validation (custom resources) or without a schema are left alone.
 */
export function dropUnknownFields(
  obj: KubeObject,
  info: ResourceInfo,
  opts: { resolve: SchemaResolver; schema?: SchemaNode; unknownFields: UnknownFieldPolicy },
): UnknownFieldsResult {
  if (strategyFor(info)?.validateSchema) return { causes: [], warnings: [], fields: [] };
  const schema = opts.schema ?? (info.schemaRef ? opts.resolve(refName(info.schemaRef)) : undefined);
  if (!schema) return { causes: [], warnings: [], fields: [] };
  const strict = opts.unknownFields === 'Strict';
  const { unknownFields } = validateAgainstSchema(obj, schema, opts.resolve, { unknownFields: 'Warn', prune: !strict });
  if (strict) return { causes: unknownFields.map((f) => fieldCauses.unknownField(f)), warnings: [], fields: unknownFields };
  return { causes: [], warnings: opts.unknownFields === 'Warn' ? unknownFields.map((f) => `unknown field "${f}"`) : [], fields: unknownFields };
}

function refName(schemaRef: string): string {
  return schemaRef.startsWith('#/') ? schemaRef.slice(schemaRef.lastIndexOf('/') + 1) : schemaRef;
}
