// The Swagger 2.0 document served at /openapi/v2, built from the same schema registry and
// paths as /openapi/v3 (openapi.ts): one document for every served group version, with
// `definitions` (refs `#/definitions/...`), operations carrying `x-kubernetes-action` and
// `x-kubernetes-group-version-kind`, and the kube extensions on schemas. client-go's
// discovery (kubectl's client-side Validator, helm) asks for it in protobuf only and parses
// every definition, so each must be a schema its parser accepts: one type, arrays with
// `items`, every `$ref` resolvable.
import { createHash } from 'node:crypto';
import { groupVersionPath, openApiV3Document } from './openapi';
import { encodeOpenApiV2Document } from './protobuf/openapi-v2';
import type { ResourceRegistry } from './registry';
import { REF_PREFIX, schemasRevision } from './schema';
import type { SchemaNode } from './schema/types';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const V2_REF_PREFIX = '#/definitions/';

/** A Swagger 2.0 schema: the JSON Schema subset v2 allows, plus `x-` extensions. */
export type V2Schema = { [key: string]: unknown };

export interface V2Parameter {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: V2Schema;
}

export interface V2Operation {
  description: string;
  consumes: string[];
  produces: string[];
  schemes: string[];
  tags: string[];
  operationId: string;
  parameters?: V2Parameter[];
  responses: Record<string, { description: string; schema?: V2Schema }>;
  [ext: `x-${string}`]: unknown;
}

export const V2_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
export type V2PathItem = { parameters?: V2Parameter[] } & Partial<Record<(typeof V2_METHODS)[number], V2Operation>>;

export interface OpenApiV2Document {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, V2PathItem>;
  definitions: Record<string, V2Schema>;
  securityDefinitions: Record<string, { type: 'apiKey'; name: string; in: 'header'; description: string }>;
  security: Record<string, string[]>[];
}

// Keys Swagger 2.0 schemas have (OpenAPI v3's nullable, oneOf, anyOf, not, ... are dropped).
const V2_SCHEMA_KEYS = new Set(['format', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
  'required', 'enum', 'type', 'discriminator', 'readOnly', 'example']);

const v2Ref = (ref: string): string => (ref.startsWith(REF_PREFIX) ? V2_REF_PREFIX + ref.slice(REF_PREFIX.length) : ref);

/** One v3 schema node as Swagger 2.0 (kube's v2 spelling of the same types). */
export function toV2Schema(node: SchemaNode): V2Schema {
  // v3 wraps a `$ref` that has siblings (default, description) in a one-element allOf.
  if (node.allOf?.length === 1 && node.allOf[0].$ref && !node.$ref) {
    const { allOf, ...rest } = node;
    return toV2Schema({ ...rest, $ref: allOf[0].$ref });
  }
  if (node.$ref) return { $ref: v2Ref(node.$ref), ...(node.description ? { description: node.description } : {}) };
  const out: V2Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === undefined || (k === 'description' && v === '')) continue;
    if (V2_SCHEMA_KEYS.has(k) || k.startsWith('x-')) out[k] = v;
  }
  // Quantity and IntOrString are `oneOf` string|number in v3, a string with a format in v2.
  if (node.oneOf && !node.type) out.type = 'string';
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toV2Schema(v)]));
  if (node.items) out.items = toV2Schema(node.items);
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = typeof node.additionalProperties === 'boolean' ? node.additionalProperties : toV2Schema(node.additionalProperties);
  }
  if (node.allOf) out.allOf = node.allOf.map(toV2Schema);
  return out;
}

// ---- paths: the v3 operations, with bodies as `in: body` parameters and one schema per response ----

interface V3Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: string; uniqueItems?: boolean };
}
interface V3Operation {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: V3Parameter[];
  requestBody?: { content: Record<string, { schema: SchemaNode }>; required?: boolean };
  responses: Record<string, { description: string; content: Record<string, { schema: SchemaNode }> }>;
  [ext: `x-${string}`]: unknown;
}
type V3PathItem = { parameters?: V3Parameter[] } & Partial<Record<(typeof V2_METHODS)[number], V3Operation>>;

const toV2Parameter = (p: V3Parameter): V2Parameter => ({
  uniqueItems: p.schema.uniqueItems,
  type: p.schema.type,
  description: p.description,
  name: p.name,
  in: p.in,
  ...(p.required ? { required: true } : {}),
});

function toV2Operation(op: V3Operation): V2Operation {
  const produces = new Set<string>();
  const responses: V2Operation['responses'] = {};
  for (const [code, r] of Object.entries(op.responses)) {
    const media = Object.entries(r.content);
    for (const [type] of media) produces.add(type);
    responses[code] = { description: r.description, ...(media[0] ? { schema: toV2Schema(media[0][1].schema) } : {}) };
  }
  responses['401'] = { description: 'Unauthorized' };
  const parameters: V2Parameter[] = [];
  let consumes = ['*/*'];
  if (op.requestBody) {
    const media = Object.entries(op.requestBody.content);
    // Patches name the patch types they take; every other body is `*/*` in kube's v2.
    if (media.length > 1) consumes = media.map(([type]) => type);
    parameters.push({ name: 'body', in: 'body', required: true, schema: toV2Schema(media[0][1].schema) });
  }
  parameters.push(...(op.parameters ?? []).map(toV2Parameter));
  const extensions = Object.fromEntries(Object.entries(op).filter(([k]) => k.startsWith('x-')));
  return {
    description: op.description,
    consumes,
    produces: [...produces],
    schemes: ['https'],
    tags: op.tags,
    operationId: op.operationId,
    ...(parameters.length ? { parameters } : {}),
    responses,
    ...extensions,
  };
}

function toV2PathItem(item: V3PathItem): V2PathItem {
  const out: V2PathItem = {};
  for (const m of V2_METHODS) {
    const op = item[m];
    if (op) out[m] = toV2Operation(op);
  }
  if (item.parameters) out.parameters = item.parameters.map(toV2Parameter);
  return out;
}

/** The whole v2 document: every served group version's paths and the schemas they reach. */
export function buildOpenApiV2(registry: ResourceRegistry): OpenApiV2Document {
  const paths: Record<string, V2PathItem> = {};
  const definitions: Record<string, V2Schema> = {};
  for (const gv of registry.groupVersions()) {
    const v3 = openApiV3Document(registry, groupVersionPath(gv));
    if (!v3) continue;
    for (const [p, item] of Object.entries(v3.paths)) paths[p] = toV2PathItem(item as V3PathItem);
    for (const [name, schema] of Object.entries(v3.components.schemas)) definitions[name] ??= toV2Schema(schema);
  }
  const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sorted(paths),
    definitions: sorted(definitions),
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
    security: [{ BearerToken: [] }],
  };
}

export interface ServedDocument {
  body: Buffer;
  /** Quoted for the ETag header: the SHA-512 of the body, upper-case hex, as kube-openapi sets it. */
  etag: string;
}

interface BuiltV2 {
  signature: string;
  doc: OpenApiV2Document;
  json: ServedDocument;
  protobuf?: ServedDocument;
}

const served = (body: Buffer): ServedDocument => ({ body, etag: `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"` });

// One document per registry, rebuilt only when the served resources or the schemas change
// (registerSchemas bumps schemasRevision); the protobuf form is encoded on first request.
const cache = new WeakMap<ResourceRegistry, BuiltV2>();

function builtV2(registry: ResourceRegistry): BuiltV2 {
  const signature = `${schemasRevision()}:${JSON.stringify(registry.all())}`;
  const hit = cache.get(registry);
  if (hit && hit.signature === signature) return hit;
  const doc = buildOpenApiV2(registry);
  const entry: BuiltV2 = { signature, doc, json: served(Buffer.from(JSON.stringify(doc))) };
  cache.set(registry, entry);
  return entry;
}

export function openApiV2Document(registry: ResourceRegistry): OpenApiV2Document {
  return builtV2(registry).doc;
}

/** The serialized v2 document in JSON or in gnostic's `openapi.v2.Document` protobuf. */
export function openApiV2Serialized(registry: ResourceRegistry, form: 'json' | 'protobuf'): ServedDocument {
  const b = builtV2(registry);
  if (form === 'json') return b.json;
  b.protobuf ??= served(encodeOpenApiV2Document(b.doc));
  return b.protobuf;
}
