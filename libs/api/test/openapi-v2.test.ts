// /openapi/v2: a Swagger 2.0 document built from the v3 one, whose protobuf form decodes
// (with an independent reader of gnostic's openapi.v2.Document) back to the JSON document,
// and whose definitions pass the rules client-go's proto-models parser enforces.
import { Reader, WireType } from '../src/protobuf/wire';
import { encodeOpenApiV2Document } from '../src/protobuf/openapi-v2';
import {
  openApiV2Document,
  openApiV2Serialized,
  registerSchemas,
  ResourceRegistry,
  type OpenApiV2Document,
  type V2Schema,
} from '../src';

// ---- a reader for the messages the document uses, written from OpenAPIv2.proto ----

type Fields = Map<number, { wire: WireType; raw: Reader | bigint | number }[]>;

function fields(r: Reader): Fields {
  const out: Fields = new Map();
  while (!r.done()) {
    const t = r.tag();
    let raw: Reader | bigint | number;
    if (t.wire === WireType.LengthDelimited) raw = r.sub();
    else if (t.wire === WireType.Varint) raw = r.varintBig();
    else if (t.wire === WireType.Fixed64) raw = r.double();
    else throw new Error(`unexpected wire type ${t.wire}`);
    const list = out.get(t.field) ?? [];
    list.push({ wire: t.wire, raw });
    out.set(t.field, list);
  }
  return out;
}
const subs = (f: Fields, n: number): Reader[] => (f.get(n) ?? []).map((v) => v.raw as Reader);
const sub = (f: Fields, n: number): Reader | undefined => subs(f, n)[0];
const strs = (f: Fields, n: number): string[] => subs(f, n).map((r) => r.buf.subarray(r.pos, r.end).toString('utf8'));
const str = (f: Fields, n: number): string | undefined => strs(f, n)[0];
const bool = (f: Fields, n: number): boolean | undefined => (f.has(n) ? (f.get(n)![0].raw as bigint) !== 0n : undefined);
const int = (f: Fields, n: number): number | undefined => (f.has(n) ? Number(f.get(n)![0].raw as bigint) : undefined);
const dbl = (f: Fields, n: number): number | undefined => (f.has(n) ? (f.get(n)![0].raw as number) : undefined);
const anyYaml = (r: Reader): unknown => JSON.parse(str(fields(r), 2)!);

function named<T>(r: Reader, value: (r: Reader) => T): [string, T] {
  const f = fields(r);
  return [str(f, 1)!, value(sub(f, 2)!)];
}

function decodeSchema(r: Reader): V2Schema {
  const f = fields(r);
  const s: V2Schema = {};
  const set = (k: string, v: unknown): void => void (v !== undefined && (s[k] = v));
  set('$ref', str(f, 1));
  set('format', str(f, 2));
  set('description', str(f, 4));
  if (f.has(5)) s.default = anyYaml(sub(f, 5)!);
  set('maximum', dbl(f, 7));
  set('minimum', dbl(f, 9));
  set('maxLength', int(f, 11));
  set('minLength', int(f, 12));
  set('pattern', str(f, 13));
  set('maxItems', int(f, 14));
  set('minItems', int(f, 15));
  set('uniqueItems', bool(f, 16));
  if (f.has(19)) s.required = strs(f, 19);
  if (f.has(20)) s.enum = subs(f, 20).map(anyYaml);
  if (f.has(21)) {
    const ap = fields(sub(f, 21)!);
    s.additionalProperties = ap.has(1) ? decodeSchema(sub(ap, 1)!) : bool(ap, 2);
  }
  if (f.has(22)) s.type = strs(fields(sub(f, 22)!), 1)[0];
  if (f.has(23)) s.items = decodeSchema(subs(fields(sub(f, 23)!), 1)[0]);
  if (f.has(24)) s.allOf = subs(f, 24).map(decodeSchema);
  if (f.has(25)) s.properties = Object.fromEntries(subs(fields(sub(f, 25)!), 1).map((n) => named(n, decodeSchema)));
  for (const n of subs(f, 31)) {
    const [k, v] = named(n, anyYaml);
    s[k] = v;
  }
  return s;
}

interface DecodedOperation {
  operationId?: string;
  tags: string[];
  consumes: string[];
  produces: string[];
  parameters: Record<string, unknown>[];
  responses: Record<string, { description?: string; schema?: V2Schema }>;
  extensions: Record<string, unknown>;
}

function decodeParameter(r: Reader): Record<string, unknown> {
  const p = fields(sub(fields(r), 1)!); // ParametersItem.parameter
  if (p.has(1)) {
    const b = fields(sub(p, 1)!);
    return { name: str(b, 2), in: str(b, 3), required: bool(b, 4), schema: decodeSchema(sub(b, 5)!) };
  }
  const nb = fields(sub(p, 2)!);
  if (nb.has(3)) {
    const q = fields(sub(nb, 3)!);
    return { name: str(q, 4), in: str(q, 2), type: str(q, 6), uniqueItems: bool(q, 20) };
  }
  const q = fields(sub(nb, 4)!);
  return { name: str(q, 4), in: str(q, 2), required: bool(q, 1), type: str(q, 5) };
}

function decodeOperation(r: Reader): DecodedOperation {
  const f = fields(r);
  const responses: DecodedOperation['responses'] = {};
  for (const n of subs(fields(sub(f, 9)!), 1)) {
    const [code, value] = named(n, (v) => fields(sub(fields(v), 1)!));
    const schemaItem = sub(value, 2);
    responses[code] = { description: str(value, 1), ...(schemaItem ? { schema: decodeSchema(sub(fields(schemaItem), 1)!) } : {}) };
  }
  return {
    operationId: str(f, 5),
    tags: strs(f, 1),
    produces: strs(f, 6),
    consumes: strs(f, 7),
    parameters: subs(f, 8).map(decodeParameter),
    responses,
    extensions: Object.fromEntries(subs(f, 13).map((n) => named(n, anyYaml))),
  };
}

function decodeDocument(buf: Buffer) {
  const f = fields(new Reader(buf));
  const info = fields(sub(f, 2)!);
  const paths: Record<string, Record<string, DecodedOperation>> = {};
  for (const n of subs(fields(sub(f, 8)!), 2)) {
    const [path, item] = named(n, fields);
    const ops: Record<string, DecodedOperation> = {};
    for (const [m, field] of Object.entries({ get: 2, put: 3, post: 4, delete: 5, patch: 8 })) if (item.has(field)) ops[m] = decodeOperation(sub(item, field)!);
    paths[path] = ops;
  }
  const definitions = Object.fromEntries(subs(fields(sub(f, 9)!), 1).map((n) => named(n, decodeSchema)));
  return { swagger: str(f, 1), title: str(info, 1), version: str(info, 2), paths, definitions };
}

// ---- the tests ----

const registry = new ResourceRegistry();
const doc: OpenApiV2Document = openApiV2Document(registry);

test('Swagger 2.0 with definitions referenced as #/definitions/...', () => {
  expect(doc.swagger).toBe('2.0');
  expect(doc.definitions['io.k8s.api.core.v1.Pod']).toBeDefined();
  const podSpec = (doc.definitions['io.k8s.api.core.v1.Pod'].properties as Record<string, V2Schema>).spec;
  expect(podSpec.$ref).toBe('#/definitions/io.k8s.api.core.v1.PodSpec');
  expect(JSON.stringify(doc)).not.toContain('#/components/schemas/');
});

test('operations carry x-kubernetes-action and x-kubernetes-group-version-kind; bodies are body parameters', () => {
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  expect(item.post).toMatchObject({
    operationId: 'createAppsV1NamespacedDeployment',
    'x-kubernetes-action': 'post',
    'x-kubernetes-group-version-kind': { group: 'apps', version: 'v1', kind: 'Deployment' },
    consumes: ['*/*'],
  });
  expect(item.post!.parameters![0]).toEqual({ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
  expect(item.post!.responses['201'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' });
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch!;
  expect(patch.consumes).toEqual(expect.arrayContaining(['application/strategic-merge-patch+json', 'application/apply-patch+yaml']));
  expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query', type: 'string' }));
});

test('kinds keep their GVK and patch extensions on definitions', () => {
  expect(doc.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
  const containers = ((doc.definitions['io.k8s.api.core.v1.PodSpec'].properties as Record<string, V2Schema>).containers);
  expect(containers).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
});

test('every definition is one client-go can parse: single type, arrays with items, refs that resolve', () => {
  const problems: string[] = [];
  const walk = (s: V2Schema, at: string): void => {
    if (typeof s.$ref === 'string') {
      if (!doc.definitions[s.$ref.replace('#/definitions/', '')]) problems.push(`${at}: unresolved ${s.$ref}`);
      return;
    }
    if (s.type !== undefined && typeof s.type !== 'string') problems.push(`${at}: type ${JSON.stringify(s.type)}`);
    if (s.type === 'array' && !s.items) problems.push(`${at}: array without items`);
    for (const [k, v] of Object.entries((s.properties as Record<string, V2Schema>) ?? {})) walk(v, `${at}.${k}`);
    if (s.items) walk(s.items as V2Schema, `${at}[]`);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties as V2Schema, `${at}{}`);
  };
  for (const [name, s] of Object.entries(doc.definitions)) walk(s, name);
  for (const item of Object.values(doc.paths)) {
    for (const op of [item.get, item.put, item.post, item.delete, item.patch]) {
      for (const r of Object.values(op?.responses ?? {})) if (r.schema) walk(r.schema, op!.operationId);
      for (const p of op?.parameters ?? []) if (p.schema) walk(p.schema, op!.operationId);
    }
  }
  expect(problems).toEqual([]);
});

test('the served protobuf decodes to the same document', () => {
  const decoded = decodeDocument(openApiV2Serialized(registry, 'protobuf').body);
  expect(decoded).toMatchObject({ swagger: '2.0', title: 'Kubernetes' });
  expect(Object.keys(decoded.definitions)).toEqual(Object.keys(doc.definitions));
  expect(decoded.definitions).toEqual(JSON.parse(JSON.stringify(doc.definitions)));
  expect(Object.keys(decoded.paths)).toEqual(Object.keys(doc.paths));
  const create = decoded.paths['/api/v1/namespaces/{namespace}/configmaps'].post;
  expect(create).toMatchObject({
    operationId: 'createCoreV1NamespacedConfigMap',
    consumes: ['*/*'],
    extensions: { 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'ConfigMap' } },
  });
  expect(create.parameters[0]).toEqual({ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } });
  expect(create.parameters).toContainEqual({ name: 'dryRun', in: 'query', type: 'string', uniqueItems: true });
  expect(create.responses['201'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' });
  expect(decoded.paths['/api/v1/namespaces/{namespace}/pods/{name}'].delete.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status' });
});

test('scalars, enums, defaults and map values survive the protobuf round trip', () => {
  const schema: V2Schema = {
    type: 'object',
    required: ['a'],
    properties: {
      a: { type: 'integer', format: 'int32', minimum: -3, maximum: 1.5, default: 7 },
      b: { type: 'string', enum: ['x', 'y'], pattern: '^[a-z]+$', maxLength: 63 },
      c: { type: 'object', additionalProperties: { type: 'string' } },
      d: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      e: { type: 'object', additionalProperties: true, 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const small: OpenApiV2Document = { ...doc, paths: {}, definitions: { 'example.v1.Thing': schema } };
  expect(decodeDocument(encodeOpenApiV2Document(small)).definitions).toEqual({ 'example.v1.Thing': schema });
});

test('the cached documents are rebuilt when schemas or resources change', () => {
  const r = new ResourceRegistry();
  const before = openApiV2Serialized(r, 'json');
  expect(openApiV2Serialized(r, 'json')).toBe(before);
  registerSchemas({ 'com.example.v1.Widget': { type: 'object', properties: { size: { type: 'integer' } }, 'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }] } });
  r.add({ group: 'example.com', version: 'v1', resource: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', namespaced: true,
    shortNames: [], categories: [], verbs: ['get', 'list', 'create'], subresources: [], schemaRef: 'com.example.v1.Widget' });
  const after = openApiV2Serialized(r, 'json');
  expect(after.etag).not.toBe(before.etag);
  const v2 = JSON.parse(after.body.toString()) as OpenApiV2Document;
  expect(v2.definitions['com.example.v1.Widget']).toMatchObject({ properties: { size: { type: 'integer' } } });
  expect(v2.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'].post?.['x-kubernetes-group-version-kind']).toEqual({ group: 'example.com', version: 'v1', kind: 'Widget' });
});
