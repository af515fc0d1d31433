// CRD → TypeScript: the types of a CustomResourceDefinition's objects from its structural
// `openAPIV3Schema` (what the gateway validates against), plus a resource constant for the
// dynamic client and the Operator builder. `keelson-operator codegen crd.yaml -o types.ts`.
//
// Per served version: `export interface <Kind> extends KubeObject` (apiVersion and kind as
// literals), a named type for every object with properties (`<Kind>Spec`, `<Kind>SpecTemplate`),
// `required` fields non-optional, `enum` as literal unions, `nullable` as `| null`,
// `x-kubernetes-int-or-string` as `number | string`, `x-kubernetes-preserve-unknown-fields` as an
// open index signature, `additionalProperties` as `Record<string, T>`, descriptions as JSDoc.
// Nested object types are type aliases (not interfaces) so they stay assignable to KubeObject's
// `spec?: Record<string, unknown>`.
import { parseAllDocuments } from 'yaml';

/** The subset of JSONSchemaProps a structural schema uses. */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
  nullable?: boolean;
  format?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
}

export interface CustomResourceDefinition {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; listKind?: string };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
  };
}

/** Input that is not a usable CRD, with where and why. */
export class CodegenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodegenError';
  }
}

export interface CodegenOptions {
  /** Where KubeObject and ObjectMeta come from; default '@keelson/operator-sdk'. */
  importFrom?: string;
  /** Named in the header comment. */
  source?: string;
}

/** Every CustomResourceDefinition in a (multi-document) YAML or JSON text; other documents are skipped. */
export function parseCrds(text: string): CustomResourceDefinition[] {
  const out: CustomResourceDefinition[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new CodegenError(`invalid YAML: ${doc.errors[0].message}`);
    const obj = doc.toJS() as Partial<CustomResourceDefinition> | null;
    if (!obj || obj.kind !== 'CustomResourceDefinition') continue;
    const names = obj.spec?.names;
    if (!obj.spec?.group || !names?.kind || !names.plural || !Array.isArray(obj.spec.versions)) {
      throw new CodegenError(`CustomResourceDefinition ${obj.metadata?.name ?? '(unnamed)'}: spec.group, spec.names.kind, spec.names.plural and spec.versions are required`);
    }
    out.push(obj as CustomResourceDefinition);
  }
  if (!out.length) throw new CodegenError('no CustomResourceDefinition found');
  return out;
}

const pascal = (s: string): string => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const prop = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name));

function doc(description: string | undefined, indent: string): string {
  if (!description) return '';
  const lines = description.trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

class Emitter {
  readonly decls: string[] = [];
  private readonly names = new Set<string>();

  /** A TypeScript type for `s`; objects with properties become named aliases (`name`). */
  typeOf(s: JsonSchema | undefined, name: string): string {
    if (!s) return 'unknown';
    const t = this.baseType(s, name);
    return s.nullable ? `${t} | null` : t;
  }

  private baseType(s: JsonSchema, name: string): string {
    if (s['x-kubernetes-int-or-string']) return 'number | string';
    if (s.enum?.length) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
    switch (s.type) {
      case 'string': return 'string';
      case 'integer':
      case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'array': {
        const item = this.typeOf(s.items, `${name}Item`);
        return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'object':
      case undefined:
        return this.objectType(s, name);
      default:
        return 'unknown';
    }
  }

  private objectType(s: JsonSchema, name: string): string {
    const props = Object.entries(s.properties ?? {});
    const extra = typeof s.additionalProperties === 'object' ? this.typeOf(s.additionalProperties, `${name}Value`) : s.additionalProperties === true ? 'unknown' : undefined;
    const open = s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource'];
    if (!props.length) {
      if (extra) return `Record<string, ${extra}>`;
      return 'Record<string, unknown>';
    }
    const unique = this.unique(name);
    const required = new Set(s.required ?? []);
    const body = props.map(([k, v]) => `${doc(v.description, '  ')}  ${prop(k)}${required.has(k) ? '' : '?'}: ${this.typeOf(v, `${unique}${pascal(k)}`)};`);
    if (extra || open) body.push(`  [key: string]: ${open ? 'unknown' : extra};`);
    this.decls.push(`${doc(s.description, '')}export type ${unique} = {\n${body.join('\n')}\n};`);
    return unique;
  }

  private unique(name: string): string {
    let n = name;
    for (let i = 2; this.names.has(n); i++) n = `${name}${i}`;
    this.names.add(n);
    return n;
  }

  reserve(name: string): void {
    this.names.add(name);
  }
}

/** TypeScript source for every served version of every CRD given. */
export function generateTypes(crds: CustomResourceDefinition[], opts: CodegenOptions = {}): string {
  const out: string[] = [
    `// Generated by \`keelson-operator codegen\`${opts.source ? ` from ${opts.source}` : ''}: do not edit; run it again after changing the CRD.`,
    `import type { KubeObject, ObjectMeta } from '${opts.importFrom ?? '@keelson/operator-sdk'}';`,
  ];
  for (const crd of crds) {
    const { group, names, scope } = crd.spec;
    const served = crd.spec.versions.filter((v) => v.served !== false);
    const several = served.length > 1;
    for (const v of served) {
      const kind = several ? `${names.kind}${pascal(v.name)}` : names.kind;
      const schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      const e = new Emitter();
      e.reserve(kind);
      const constName = `${names.plural.toUpperCase().replace(/[^A-Z0-9]/g, '_')}${several ? `_${v.name.toUpperCase()}` : ''}`;
      const apiVersion = `${group}/${v.name}`;
      const fields: string[] = [`  apiVersion: ${JSON.stringify(apiVersion)};`, `  kind: ${JSON.stringify(names.kind)};`, '  metadata: ObjectMeta;'];
      const required = new Set(schema.required ?? []);
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
        fields.push(`${doc(s.description, '  ')}  ${prop(k)}${required.has(k) ? '' : '?'}: ${e.typeOf(s, `${kind}${pascal(k)}`)};`);
      }
      out.push('');
      out.push(`/** ${names.plural}.${group} ${v.name}${v.storage ? ' (storage version)' : ''}: the resource for the dynamic client and Operator.for()/owns(). */`);
      out.push(`export const ${constName} = { group: ${JSON.stringify(group)}, version: ${JSON.stringify(v.name)}, resource: ${JSON.stringify(names.plural)}, kind: ${JSON.stringify(names.kind)}, namespaced: ${scope !== 'Cluster'} };`);
      out.push('');
      out.push(`${doc(schema.description ?? `${names.kind} (${apiVersion}), ${scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'}.`, '')}export interface ${kind} extends KubeObject {\n${fields.join('\n')}\n}`);
      for (const d of e.decls.reverse()) out.push('', d);
    }
  }
  return out.join('\n') + '\n';
}
