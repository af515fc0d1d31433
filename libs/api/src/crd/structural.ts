// Validation of a CRD version's openAPIV3Schema (apiextensions' ValidateCustomResourceDefinition
// OpenAPISchema and structural-schema checks): types everywhere, no additionalProperties beside
// properties, the x-kubernetes-* extensions used consistently, compilable patterns and CEL
// rules, and defaults that are valid and pruned against their own schema. Paths read as kube
// prints them: `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.
import { causes, type StatusCause } from '../status';
import { isRecord } from '../types';
import { CelCompileError, compileRule } from './cel';
import { pruneUnknownFields } from './pruning';
import type { JSONSchemaProps } from './types';
import { compilePattern, validateCustomValue } from './validate';
import { copyJson } from '../json-copy';

const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

interface Ctx {
  out: StatusCause[];
  /** Under metadata of the root: only name/generateName may be specified. */
}

export function validateStructuralSchema(root: JSONSchemaProps, path: string): StatusCause[] {
  const ctx: Ctx = { out: [] };
  if (root.type !== 'object') ctx.out.push(causes.invalid(`${path}.type`, root.type ?? '', 'must be object at the root'));
  if (root.default !== undefined) ctx.out.push(causes.forbidden(`${path}.default`, 'must not be set at the root'));
  const meta = root.properties?.metadata;
  if (meta) {
    const allowed = Object.keys(meta.properties ?? {}).every((k) => k === 'name' || k === 'generateName');
    if (meta.type !== 'object' || !allowed || meta.default !== undefined) {
      ctx.out.push(causes.forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  node(root, path, ctx, true);
  return ctx.out;
}

function node(s: JSONSchemaProps, path: string, ctx: Ctx, atRoot = false): void {
  const out = ctx.out;
  if (!isRecord(s as unknown)) {
    out.push(causes.invalid(path, s, 'must be a schema object'));
    return;
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  if (s.$ref !== undefined) out.push(causes.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.type !== undefined && !TYPES.includes(s.type)) out.push(causes.notSupported(`${path}.type`, s.type, TYPES));
  if (intOrString && s.type !== undefined) out.push(causes.invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (!s.type && !intOrString && preserve !== true && !atRoot) out.push(causes.required(`${path}.type`, 'Required value: must not be empty for specified object fields'));
  if (preserve === false) out.push(causes.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    out.push(causes.invalid(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  }
  if (s['x-kubernetes-embedded-resource'] && !s.properties && preserve !== true) {
    out.push(causes.required(`${path}.properties`, 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    out.push(causes.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.additionalProperties === false) out.push(causes.forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
  if (s.uniqueItems === true) out.push(causes.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.type === 'array' && !s.items) out.push(causes.required(`${path}.items`, 'Required value: must be specified'));
  if (s.items && s.type !== 'array') out.push(causes.forbidden(`${path}.items`, 'items must be used only with type array'));
  if (s.pattern !== undefined && !compilePattern(s.pattern)) out.push(causes.invalid(`${path}.pattern`, s.pattern, 'must be a valid regular expression'));
  listType(s, path, out);
  for (const [i, sub] of (s.anyOf ?? []).entries()) junctor(sub, `${path}.anyOf[${i}]`, out);
  for (const [i, sub] of (s.allOf ?? []).entries()) junctor(sub, `${path}.allOf[${i}]`, out);
  for (const [i, sub] of (s.oneOf ?? []).entries()) junctor(sub, `${path}.oneOf[${i}]`, out);
  if (s.not) junctor(s.not, `${path}.not`, out);
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rp = `${path}.x-kubernetes-validations[${i}]`;
    if (!rule || typeof rule.rule !== 'string' || rule.rule.trim() === '') {
      out.push(causes.required(`${rp}.rule`));
      return;
    }
    for (const [field, expr] of [['rule', rule.rule], ['messageExpression', rule.messageExpression]] as const) {
      if (expr === undefined) continue;
      try {
        compileRule(expr);
      } catch (e) {
        if (!(e instanceof CelCompileError)) throw e;
        out.push(causes.invalid(`${rp}.${field}`, expr, `compilation failed: ${e.message}`));
      }
    }
    if (rule.reason && !['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'].includes(rule.reason)) {
      out.push(causes.notSupported(`${rp}.reason`, rule.reason, ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']));
    }
  });
  if (s.default !== undefined) checkDefault(s, path, out);
  for (const [name, prop] of Object.entries(s.properties ?? {})) node(prop, `${path}.properties[${name}]`, ctx);
  if (isRecord(s.additionalProperties)) node(s.additionalProperties, `${path}.additionalProperties`, ctx);
  if (s.items) {
    if (Array.isArray(s.items)) out.push(causes.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    else node(s.items, `${path}.items`, ctx);
  }
}

/** Value validations inside anyOf/allOf/oneOf/not may not introduce types or defaults. */
function junctor(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (!isRecord(s as unknown)) return;
  if (s.type !== undefined) out.push(causes.forbidden(`${path}.type`, 'must be empty to be structural'));
  if (s.default !== undefined) out.push(causes.forbidden(`${path}.default`, 'must be undefined to be structural'));
  if (s.additionalProperties !== undefined) out.push(causes.forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
}

function listType(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const lt = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt)) out.push(causes.notSupported(`${path}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (lt !== undefined && s.type !== 'array') out.push(causes.invalid(`${path}.x-kubernetes-list-type`, lt, 'must only be used if type is array'));
  if (keys !== undefined && lt !== 'map') out.push(causes.forbidden(`${path}.x-kubernetes-list-map-keys`, 'must only be used if x-kubernetes-list-type is "map"'));
  if (lt === 'map') {
    if (!keys || keys.length === 0) out.push(causes.required(`${path}.x-kubernetes-list-map-keys`, 'Required value: must not be empty if x-kubernetes-list-type is "map"'));
    if (s.items?.type !== 'object') out.push(causes.invalid(`${path}.items.type`, s.items?.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is "map"'));
    for (const k of keys ?? []) {
      const ks = s.items?.properties?.[k];
      if (!ks) out.push(causes.invalid(`${path}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
      else if (!(s.items?.required ?? []).includes(k) && ks.default === undefined) {
        out.push(causes.required(`${path}.items.properties[${k}]`, 'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
      }
    }
  }
  if (lt === 'set' && s.items && s.items.type !== undefined && !['string', 'integer', 'number', 'boolean'].includes(s.items.type) && !s.items['x-kubernetes-int-or-string']) {
    out.push(causes.invalid(`${path}.items.type`, s.items.type, 'must be a scalar type if parent array\'s x-kubernetes-list-type is "set"'));
  }
}

/** A default must be valid against, and already pruned by, the schema it sits in. */
function checkDefault(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const copy = copyJson(s.default);
  if (pruneUnknownFields(copy, s, false).length > 0) out.push(causes.invalid(`${path}.default`, s.default, 'must not have unknown fields'));
  for (const c of validateCustomValue(s.default, { ...s, 'x-kubernetes-validations': undefined }, `${path}.default`)) out.push(c);
}
