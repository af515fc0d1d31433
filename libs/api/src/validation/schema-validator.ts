// Structural validation of a JSON value against a kind's OpenAPI schema: types,
// required properties, enums, int-or-string, integer formats, and unknown fields.
// Messages follow the apiextensions-apiserver wording (kube-openapi errors mapped
// to field errors), since that is what Kubernetes prints for schema failures.

import { causes } from '../status';
import type { StatusCause } from '../status';
import { isRecord } from '../types';
import type { SchemaNode, SchemaResolver } from '../schema/types';

export type UnknownFieldPolicy = 'Strict' | 'Warn' | 'Ignore';

export interface SchemaValidationResult {
  /** Field errors; under `Strict` also one `unknown field "…"` cause per unknown field. */
  causes: StatusCause[];
  /** Paths of fields the schema does not declare (`spec.template.spec.containers[0].imagePullPolicyy`). */
  unknownFields: string[];
}

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * A schema with `$ref` and `allOf` folded in, so properties can be checked in one place; with
 * what the walk asks of every value precomputed once (it runs twice per write on the gateway).
 */
type JsonTypeName = NonNullable<SchemaNode['type']>;

interface EffectiveNode {
  node: SchemaNode;
  properties: Record<string, SchemaNode>;
  required: string[];
  /** `properties` as a Map: one lookup per field, own names only (`constructor` is no schema). */
  props: Map<string, SchemaNode>;
  /** Types of a oneOf of plain types (Quantity: string|number); resolved on first use. */
  alternatives?: JsonTypeName[];
  /** The compiled `pattern`, once a string was checked against it (null: it does not compile). */
  pattern?: RegExp | null;
}

function refName(ref: string): string {
  const hash = ref.lastIndexOf('/');
  return ref.startsWith('#/') && hash >= 0 ? ref.slice(hash + 1) : ref;
}

// Schemas are immutable once registered, so each node is flattened once per resolver.
// (A name re-registered later with a new schema is not seen through a parent memoized
// before; built-in kinds never reference custom ones.)
type Memo = WeakMap<SchemaNode, EffectiveNode>;
const flattened = new WeakMap<SchemaResolver, Memo>();

function memoFor(resolve: SchemaResolver): Memo {
  let memo = flattened.get(resolve);
  if (!memo) flattened.set(resolve, (memo = new WeakMap()));
  return memo;
}

function flatten(schema: SchemaNode, resolve: SchemaResolver, memo: Memo, depth = 0): EffectiveNode {
  const hit = memo.get(schema);
  if (hit) return hit;
  const eff = flattenUncached(schema, resolve, memo, depth);
  memo.set(schema, eff);
  return eff;
}

function effective(node: SchemaNode, properties: Record<string, SchemaNode>, required: string[]): EffectiveNode {
  return { node, properties, required, props: new Map(Object.entries(properties)) };
}

function flattenUncached(schema: SchemaNode, resolve: SchemaResolver, memo: Memo, depth: number): EffectiveNode {
  // Guard against a resolver that maps a ref onto itself.
  if (depth > 32) return effective(schema, {}, []);
  let node: SchemaNode = { ...schema };
  const properties: Record<string, SchemaNode> = { ...(schema.properties ?? {}) };
  const required = new Set(schema.required ?? []);
  const parts: SchemaNode[] = [];
  if (schema.$ref) {
    const target = resolve(refName(schema.$ref)) ?? resolve(schema.$ref);
    if (target) parts.push(target);
  }
  for (const sub of schema.allOf ?? []) parts.push(sub);
  for (const part of parts) {
    const eff = flatten(part, resolve, memo, depth + 1);
    // The referencing node's own keywords (description, default) win over the target's.
    node = { ...eff.node, ...node };
    Object.assign(properties, eff.properties, schema.properties ?? {});
    for (const r of eff.required) required.add(r);
  }
  delete node.$ref;
  delete node.allOf;
  return effective(node, properties, [...required]);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function typeMatches(expected: JsonTypeName, v: unknown): boolean {
  switch (expected) {
    case 'object':
      return isRecord(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
  }
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** The path of `key` under `path` (a property name, or an array index). */
function pathOf(path: string, key: string | number | undefined): string {
  if (key === undefined) return path;
  return typeof key === 'number' ? `${path}[${key}]` : child(path, key);
}

function typeInvalid(path: string, v: unknown, expected: string): StatusCause {
  const actual = jsonType(v);
  const where = path || '<root>';
  return causes.typeInvalid(path, actual, `${where} in body must be of type ${expected}: "${actual}"`);
}

class Walker {
  readonly causes: StatusCause[] = [];
  readonly unknown: string[] = [];
  private readonly memo: Memo;
  constructor(
    private readonly resolve: SchemaResolver,
    /** Delete unknown fields from the value as they are found (decoding into Go structs drops them). */
    private readonly prune = false,
  ) {
    this.memo = memoFor(resolve);
  }

  /**
   * Checks `value`, found at `key` under `parent` (the root: both ''/undefined). Paths are
   * built only for errors and for containers: most values are leaves that pass. `old` is the
   * stored value at the same place, on updates: an object or array that is the very same
   * reference was stored, so valid, and is not walked again (a status write keeps the stored
   * spec, a main-resource write the stored status).
   */
  walk(value: unknown, schema: SchemaNode, parent: string, key?: string | number, old?: unknown): void {
    // JSON null decodes to the zero value in Kubernetes, so it is never a type error.
    if (value === null || value === undefined) return;
    const eff = flatten(schema, this.resolve, this.memo);
    const node = eff.node;

    // oneOf of plain types (Quantity: string|number, IntOrString: integer|string).
    const alternatives = (eff.alternatives ??= (node.oneOf ?? []).map((alt) => flatten(alt, this.resolve, this.memo).node.type).filter((t): t is JsonTypeName => t !== undefined));
    if (alternatives.length > 0) {
      if (!alternatives.some((t) => typeMatches(t, value))) this.causes.push(typeInvalid(pathOf(parent, key), value, alternatives.join(',')));
      return;
    }
    if (node['x-kubernetes-int-or-string']) {
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        this.causes.push(typeInvalid(pathOf(parent, key), value, 'integer,string'));
      }
      return;
    }
    if (node.type && !typeMatches(node.type, value)) {
      this.causes.push(typeInvalid(pathOf(parent, key), value, node.type));
      return;
    }
    if (node.enum && node.enum.length > 0 && (typeof value === 'string' || typeof value === 'number')) {
      if (!node.enum.includes(value)) {
        this.causes.push(causes.notSupported(pathOf(parent, key), value, node.enum.map(String)));
      }
    }
    if (typeof value === 'number') return this.checkNumber(value, node, parent, key);
    if (typeof value === 'string') return this.checkString(value, eff, parent, key);
    if (Array.isArray(value)) {
      if (!node.items) return;
      const path = pathOf(parent, key);
      for (let i = 0; i < value.length; i++) this.walk(value[i], node.items, path, i);
      return;
    }
    if (isRecord(value)) this.walkObject(value, eff, pathOf(parent, key), isRecord(old) ? old : undefined);
  }

  private walkObject(value: Record<string, unknown>, eff: EffectiveNode, path: string, old?: Record<string, unknown>): void {
    const node = eff.node;
    for (const r of eff.required) {
      if (value[r] === undefined || value[r] === null) this.causes.push(causes.required(child(path, r)));
    }
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
    const additional = node.additionalProperties;
    for (const key of Object.keys(value)) {
      const v = value[key];
      const was = old?.[key];
      if (was === v && typeof v === 'object' && v !== null) continue;
      const prop = eff.props.get(key);
      if (prop) {
        this.walk(v, prop, path, key, was);
      } else if (isRecord(additional)) {
        this.walk(v, additional, path, key, was);
      } else if (additional === true || preserve) {
        // Free-form content: nothing to check.
      } else if (eff.props.size > 0 || additional === false) {
        // An object schema without properties (FieldsV1, RawExtension) is free-form.
        this.unknown.push(child(path, key));
        if (this.prune) delete value[key];
      }
    }
  }

  private checkNumber(v: number, node: SchemaNode, parent: string, key: string | number | undefined): void {
    const range = node.format ? INT_RANGES[node.format] : undefined;
    const max = node.maximum ?? range?.[1];
    const min = node.minimum ?? range?.[0];
    if (max !== undefined && v > max) {
      const path = pathOf(parent, key);
      this.causes.push(causes.invalid(path, v, `${path} in body should be less than or equal to ${max}`));
    }
    if (min !== undefined && v < min) {
      const path = pathOf(parent, key);
      this.causes.push(causes.invalid(path, v, `${path} in body should be greater than or equal to ${min}`));
    }
  }

  private checkString(v: string, eff: EffectiveNode, parent: string, key: string | number | undefined): void {
    const node = eff.node;
    if (node.maxLength !== undefined && v.length > node.maxLength) {
      this.causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${node.maxLength} bytes`, field: pathOf(parent, key) });
    }
    if (node.minLength !== undefined && v.length < node.minLength) {
      const path = pathOf(parent, key);
      this.causes.push(causes.invalid(path, v, `${path} in body should be at least ${node.minLength} chars long`));
    }
    if (node.pattern !== undefined) {
      const re = eff.pattern === undefined ? (eff.pattern = safeRegExp(node.pattern) ?? null) : eff.pattern;
      // An unparseable pattern in a schema must not reject every object.
      if (re && !re.test(v)) {
        const path = pathOf(parent, key);
        this.causes.push(causes.invalid(path, v, `${path} in body should match '${node.pattern}'`));
      }
    }
  }
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/**
 * Validates `value` against `schema`. Unknown fields are always reported in
 * `unknownFields`; under `Strict` each also becomes a cause, under `Ignore` the
 * list is empty. With `prune`, unknown fields are also deleted from `value` in place.
 */
export function validateAgainstSchema(
  value: unknown,
  schema: SchemaNode,
  resolve: SchemaResolver,
  opts: { unknownFields: UnknownFieldPolicy; prune?: boolean; old?: unknown },
): SchemaValidationResult {
  const w = new Walker(resolve, opts.prune);
  w.walk(value, schema, '', undefined, opts.prune ? undefined : opts.old);
  if (opts.unknownFields === 'Ignore') return { causes: w.causes, unknownFields: [] };
  const out = [...w.causes];
  if (opts.unknownFields === 'Strict') for (const f of w.unknown) out.push(causes.unknownField(f));
  return { causes: out, unknownFields: w.unknown };
}
