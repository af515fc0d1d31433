// Validates a custom object against its version's structural openAPIV3Schema, with the
// messages kube-apiserver prints (kube-openapi's errors mapped onto field errors):
// `spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10`.
import { causes, type StatusCause } from '../status';
import { isRecord } from '../types';
import { validateObjectMeta } from '../validation/metadata';
import { isDNS1123Subdomain } from '../validation/names';
import { EMBEDDED_KEYS, childPath, indexPath, jsonKind } from './schema-walk';
import type { JSONSchemaProps } from './types';
import { checkFormat } from './formats';

/** Validates `value` (the whole object, `path` ''), returning every field error found. */
export function validateCustomValue(value: unknown, schema: JSONSchemaProps, path = ''): StatusCause[] {
  const out: StatusCause[] = [];
  walk(value, schema, path, out);
  return out;
}

const inBody = (path: string): string => `${path || '<root>'} in body`;

function typeMatches(type: string, v: unknown): boolean {
  const k = jsonKind(v);
  return type === k || (type === 'number' && k === 'integer');
}

function walk(value: unknown, s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (value === null || value === undefined) {
    if (value === null && !s.nullable && s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
      out.push(causes.typeInvalid(path, null, `${inBody(path)} must be of type ${s.type}: "null"`));
    }
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && jsonKind(value) !== 'integer') {
      out.push(causes.typeInvalid(path, value, `${inBody(path)} must be of type integer,string: "${jsonKind(value)}"`));
      return;
    }
  } else if (s.type && !typeMatches(s.type, value)) {
    out.push(causes.typeInvalid(path, value, `${inBody(path)} must be of type ${s.type}: "${jsonKind(value)}"`));
    return;
  }
  if (s.enum && s.enum.length > 0 && !s.enum.some((e) => sameJson(e, value))) {
    out.push(causes.notSupported(path, value, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'number') checkNumber(value, s, path, out);
  if (typeof value === 'string') checkString(value, s, path, out);
  if (Array.isArray(value)) checkArray(value, s, path, out);
  else if (isRecord(value)) checkObject(value, s, path, out);
  for (const sub of s.allOf ?? []) walk(value, sub, path, out);
}

function checkNumber(v: number, s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    out.push(causes.invalid(path, v, `${inBody(path)} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    out.push(causes.invalid(path, v, `${inBody(path)} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
    out.push(causes.invalid(path, v, `${inBody(path)} should be a multiple of ${s.multipleOf}`));
  }
}

function checkString(v: string, s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const length = [...v].length; // characters, as Go counts runes for OpenAPI lengths
  if (s.maxLength !== undefined && length > s.maxLength) {
    out.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${s.maxLength} bytes`, field: path });
  }
  if (s.minLength !== undefined && length < s.minLength) out.push(causes.invalid(path, v, `${inBody(path)} should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (re && !re.test(v)) out.push(causes.invalid(path, v, `${inBody(path)} should match '${s.pattern}'`));
  }
  if (s.format && !s['x-kubernetes-int-or-string']) {
    const bad = checkFormat(s.format, v);
    if (bad) out.push(causes.invalid(path, v, `${inBody(path)} must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
}

function checkArray(v: unknown[], s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    out.push({ reason: 'FieldValueTooMany', message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, field: path });
  }
  if (s.minItems !== undefined && v.length < s.minItems) out.push(causes.invalid(path, v, `${inBody(path)} should have at least ${s.minItems} items`));
  const listType = s['x-kubernetes-list-type'];
  if (s.uniqueItems || listType === 'set') {
    v.forEach((item, i) => {
      if (v.slice(0, i).some((prev) => sameJson(prev, item))) out.push(causes.duplicate(indexPath(path, i), item));
    });
  }
  if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isRecord(item)) return;
      const k = JSON.stringify(keys.map((key) => item[key] ?? itemDefault(s, key)));
      if (seen.has(k)) out.push(causes.duplicate(indexPath(path, i), Object.fromEntries(keys.map((key) => [key, item[key]]))));
      seen.add(k);
    });
  }
  if (s.items) v.forEach((item, i) => walk(item, s.items!, indexPath(path, i), out));
}

/** A list-map key missing in an item counts as its default, as kube's structural merge does. */
function itemDefault(s: JSONSchemaProps, key: string): unknown {
  return s.items?.properties?.[key]?.default;
}

function checkObject(v: Record<string, unknown>, s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const keys = Object.keys(v);
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push({ reason: 'FieldValueTooMany', message: `Too many: ${keys.length}: must have at most ${s.maxProperties} items`, field: path });
  }
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push(causes.invalid(path, v, `${inBody(path)} should have at least ${s.minProperties} properties`));
  }
  for (const r of s.required ?? []) if (v[r] === undefined) out.push(causes.required(childPath(path, r)));
  if (s['x-kubernetes-embedded-resource']) checkEmbedded(v, path, out);
  for (const [key, child] of Object.entries(v)) {
    const prop = s.properties?.[key];
    if (prop) walk(child, prop, childPath(path, key), out);
    else if (isRecord(s.additionalProperties)) walk(child, s.additionalProperties, childPath(path, key), out);
  }
}

/** x-kubernetes-embedded-resource: a whole object with apiVersion, kind and valid metadata. */
function checkEmbedded(v: Record<string, unknown>, path: string, out: StatusCause[]): void {
  for (const key of EMBEDDED_KEYS.slice(0, 2)) {
    if (typeof v[key] !== 'string' || v[key] === '') out.push(causes.required(childPath(path, key), 'Required value: must not be empty'));
  }
  if (isRecord(v.metadata)) {
    const meta = { ...v.metadata };
    // An embedded object may be a template: a name is optional, generateName counts as one.
    if (!meta.name && !meta.generateName) meta.name = 'placeholder';
    for (const c of validateObjectMeta({ apiVersion: 'v1', kind: 'Embedded', metadata: meta }, isDNS1123Subdomain)) {
      out.push({ ...c, field: c.field ? childPath(path, c.field) : path });
    }
  }
}

const patterns = new Map<string, RegExp | undefined>();

/** ECMA-262 patterns as the OpenAPI spec says; an uncompilable one is caught at CRD validation. */
export function compilePattern(p: string): RegExp | undefined {
  if (!patterns.has(p)) {
    try {
      patterns.set(p, new RegExp(p, 'u'));
    } catch {
      patterns.set(p, undefined);
    }
  }
  return patterns.get(p);
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}
