// x-kubernetes-validations: CEL rules evaluated with @bufbuild/cel, with `self` bound to the
// value at the rule's node and `oldSelf` to the correlated old value on update (transition
// rules are skipped on create or when no old value correlates, unless optionalOldSelf).
// Values are bound with their schema types: integers as CEL ints, objects as maps.
import { celEnv, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { StatusCause } from '../status';
import { isRecord } from '../types';
import { childPath, indexPath, jsonKind } from './schema-walk';
import type { JSONSchemaProps, ValidationRule } from './types';

type Program = (bindings: Record<string, unknown>) => CelResult;

const env = celEnv({ funcs: strings });
const programs = new Map<string, Program>();

/** Thrown for a rule that does not compile (reported when the CRD is validated). */
export class CelCompileError extends Error {}

export function compileRule(rule: string): Program {
  let p = programs.get(rule);
  if (!p) {
    try {
      p = plan(env, parse(rule)) as unknown as Program;
    } catch (e) {
      throw new CelCompileError(e instanceof Error ? e.message : String(e));
    }
    programs.set(rule, p);
  }
  return p;
}

/** JSON → CEL input, guided by the schema (a number under `type: integer` is an int). */
export function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (isRecord(v)) {
    return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x, s?.properties?.[k] ?? (isRecord(s?.additionalProperties) ? s?.additionalProperties : undefined))]));
  }
  if (typeof v === 'number' && Number.isInteger(v) && (s?.type === 'integer' || s?.['x-kubernetes-int-or-string'] || !s?.type)) return BigInt(v);
  return v;
}

const usesOldSelf = (r: ValidationRule): boolean => /\boldSelf\b/.test(r.rule);

/** Evaluates every rule under `s` against `value` (and `old`, on update). */
export function evaluateValidations(value: unknown, old: unknown, s: JSONSchemaProps, path = ''): StatusCause[] {
  const out: StatusCause[] = [];
  walk(value, old, s, path, out);
  return out;
}

function walk(value: unknown, old: unknown, s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (value === undefined || value === null) return;
  for (const rule of s['x-kubernetes-validations'] ?? []) {
    const transition = usesOldSelf(rule);
    if (transition && old === undefined && !rule.optionalOldSelf) continue;
    const cause = evaluateRule(rule, value, old, s, path);
    if (cause) out.push(cause);
  }
  if (Array.isArray(value) && s.items) {
    const oldList = Array.isArray(old) ? old : [];
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    value.forEach((item, i) => {
      // Only map-list items correlate with old items (by their keys); others have no oldSelf.
      const oldItem = keys && isRecord(item) ? oldList.find((o) => isRecord(o) && keys.every((k) => o[k] === item[k])) : undefined;
      walk(item, oldItem, s.items!, indexPath(path, i), out);
    });
  } else if (isRecord(value)) {
    const oldObj = isRecord(old) ? old : undefined;
    for (const [key, child] of Object.entries(value)) {
      const prop = s.properties?.[key] ?? (isRecord(s.additionalProperties) ? s.additionalProperties : undefined);
      if (prop) walk(child, oldObj?.[key], prop, childPath(path, key), out);
    }
  }
}

function evaluateRule(rule: ValidationRule, value: unknown, old: unknown, s: JSONSchemaProps, path: string): StatusCause | undefined {
  let program: Program;
  try {
    program = compileRule(rule.rule);
  } catch (e) {
    return { reason: 'FieldValueInvalid', field: path, message: `Invalid value: "${rule.rule}": compilation failed: ${(e as Error).message}` };
  }
  const bindings: Record<string, unknown> = { self: toCel(value, s) };
  if (old !== undefined) bindings.oldSelf = toCel(old, s);
  const result = program(bindings);
  if (result === true) return undefined;
  const field = rule.fieldPath ? childPath(path, rule.fieldPath.replace(/^\./, '')) : path;
  if (isCelError(result)) {
    return { reason: 'FieldValueInvalid', field, message: `Invalid value: "${typeName(value, s)}": ${rule.rule}: evaluation error: ${result.message}` };
  }
  return { reason: rule.reason ?? 'FieldValueInvalid', field, message: renderMessage(rule, bindings, value, s) };
}

function renderMessage(rule: ValidationRule, bindings: Record<string, unknown>, value: unknown, s: JSONSchemaProps): string {
  let detail = rule.message || `failed rule: ${rule.rule}`;
  if (rule.messageExpression) {
    try {
      const m = compileRule(rule.messageExpression)(bindings);
      if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) detail = m;
    } catch {
      // A messageExpression that does not compile falls back to message, as kube does.
    }
  }
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueRequired':
      return `Required value: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: "${typeName(value, s)}": ${detail}`;
    default:
      return `Invalid value: "${typeName(value, s)}": ${detail}`;
  }
}

/** kube prints the OpenAPI type of the value the rule failed on, not the value itself. */
function typeName(value: unknown, s: JSONSchemaProps): string {
  return s.type ?? jsonKind(value);
}
