// fast-check generators of whole HTTP requests against the gateway: object bodies (valid and
// hostile), the four patch types, selectors, list/watch/write query parameters, paths and
// headers. Each request names the object it may write (`target`), so the runner can serialise
// requests per object and keep an exact model of what was accepted.
import fc from 'fast-check';
import { RESOURCES, apiVersionOf, dataKey, labelKey, labelValue, validObject, type FuzzResource, type Json, type JsonObject } from './resources';

export interface FuzzTarget {
  resource: FuzzResource;
  namespace: string;
  /** undefined: a create with generateName (the answer names the object). */
  name?: string;
}

export interface FuzzRequest {
  /** The generator that made it (statistics, and what to exclude while a defect is open). */
  generator: string;
  method: string;
  /** Encoded path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The object this request may write; absent for reads and for paths that address no object. */
  target?: FuzzTarget;
  /** It writes (POST/PUT/PATCH/DELETE on a resource path). */
  write: boolean;
  dryRun: boolean;
  /** A DELETE of the collection: it may remove any object of the resource in the namespace. */
  collection: boolean;
  watch: boolean;
  /** A hostile path with a `watch` parameter: kube may route it as a watch or as something else. */
  mayWatch?: boolean;
  /** When set, the only codes kube-apiserver would answer (on top of 429, which any request may get). */
  expect?: number[];
  /** Further codes this request may get (431 for oversized headers, 504 for a future resourceVersion). */
  alsoAllowed?: number[];
}

export interface FuzzContext {
  /** Unique per run: every object the fuzzer names starts with it; also the namespace it works in. */
  prefix: string;
  /** Names the requests share, so creates, updates, patches and deletes meet. */
  names: string[];
}

/** What every answer may be (issue 9: never 5xx). */
export const EXPECTED_CODES = [200, 201, 202, 204, 400, 401, 403, 404, 405, 406, 409, 410, 413, 415, 422, 429];

const JSON_CT = 'application/json';
const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

// ---------- hostile JSON text ----------

const repeat = (s: string, n: number): string => s.repeat(n);
/** Nested arrays or objects `depth` deep, as text (no recursion on our side). */
const nestedText = fc.record({ depth: fc.constantFrom(20, 200, 1_000, 2_100, 5_000, 20_000), kind: fc.constantFrom('array', 'object') })
  .map(({ depth, kind }) => (kind === 'array' ? repeat('[', depth) + repeat(']', depth) : repeat('{"a":', depth) + '1' + repeat('}', depth)));
const hugeString = fc.constantFrom(10_000, 300_000, 1_100_000, 1_700_000).map((n) => 'x'.repeat(n));

const weirdJson: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(null, true, 0, -1, 1e308, 'string', [], {}, [null], { '': '' }, '\u0000'),
);

/** Raw JSON text splices that JSON.stringify cannot make: prototype keys, duplicate keys, big numbers. */
const rawMember = fc.constantFrom(
  '"__proto__":{"polluted":"yes"}',
  '"constructor":{"prototype":{"polluted":"yes"}}',
  '"__proto__":null',
  '"__proto__":"x"',
  '"kind":"Secret"',
  '"apiVersion":"v1"',
  '"metadata":{"name":"other"}',
  '"n":1e999',
  '"n":123456789012345678901234567890',
  '"s":"\\ud800"',
  '"s":"\\u0000"',
);

function spliceMember(objectText: string, member: string, where: 'root' | 'metadata' | 'labels' | 'data' | 'spec'): string {
  if (where === 'root') return objectText.replace(/^\{/, `{${member},`).replace(/,\}$/, '}');
  const at = objectText.indexOf(`"${where}":{`);
  if (at < 0) return objectText.replace(/^\{/, `{${member},`);
  const open = at + where.length + 4;
  const after = objectText.slice(open);
  return objectText.slice(0, open) + member + (after.startsWith('}') ? '' : ',') + after;
}

const STRUCTURE_PATHS = [['metadata'], ['metadata', 'name'], ['metadata', 'labels'], ['metadata', 'namespace'], ['metadata', 'annotations'], ['metadata', 'finalizers'],
  ['metadata', 'ownerReferences'], ['metadata', 'resourceVersion'], ['metadata', 'uid'], ['metadata', 'creationTimestamp'], ['metadata', 'generateName'], ['kind'], ['apiVersion'],
  ['data'], ['data', 'a'], ['binaryData'], ['stringData'], ['type'], ['immutable'], ['spec'], ['spec', 'replicas'], ['spec', 'containers'], ['spec', 'ports'], ['spec', 'selector'],
  ['spec', 'template'], ['spec', 'template', 'spec', 'containers'], ['spec', 'type'], ['spec', 'clusterIP'], ['spec', 'colour'], ['spec', 'tags'], ['status'], ['bogus'], ['spec', 'bogus'], ['metadata', 'bogus']];

function setPath(obj: JsonObject, path: readonly string[], value: Json): JsonObject {
  const copy = JSON.parse(JSON.stringify(obj)) as JsonObject;
  let cur: JsonObject = copy;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as JsonObject;
  }
  cur[path[path.length - 1]] = value;
  return copy;
}

/** A body for `r` named `name`: mostly valid, often hostile. `valid` says it should be accepted. */
function body(r: FuzzResource, name: string, ns: string): fc.Arbitrary<{ text: string; valid: boolean; hostile: string; contentType?: string }> {
  const base = validObject(r, name, ns);
  return fc.oneof(
    { weight: 6, arbitrary: base.map((o) => ({ text: JSON.stringify(o), valid: true, hostile: 'valid' })) },
    // Wrong types, unknown fields, missing members anywhere in the structure.
    { weight: 4, arbitrary: fc.tuple(base, fc.constantFrom(...STRUCTURE_PATHS), weirdJson).map(([o, p, v]) => ({ text: JSON.stringify(setPath(o, p, v)), valid: false, hostile: 'wrong-type' })) },
    { weight: 2, arbitrary: fc.tuple(base, fc.constantFrom(...STRUCTURE_PATHS)).map(([o, p]) => ({ text: JSON.stringify(setPath(o, p, null)), valid: false, hostile: 'null' })) },
    { weight: 1, arbitrary: fc.tuple(base, fc.constantFrom(['data', 'big'], ['metadata', 'annotations', 'big'], ['bogus'], ['spec', 'note'], ['metadata', 'labels', 'big']), hugeString)
      .map(([o, p, s]) => ({ text: JSON.stringify(setPath(o, p, s)), valid: false, hostile: 'huge' })) },
    { weight: 1, arbitrary: fc.tuple(base, fc.constantFrom('data', 'bogus', 'spec', 'metadata'), nestedText)
      .map(([o, where, nested]) => ({ text: JSON.stringify(o).replace(/\}$/, `,"${where}x":${nested}}`), valid: false, hostile: 'deep' })) },
    { weight: 3, arbitrary: fc.tuple(base, rawMember, fc.constantFrom<'root' | 'metadata' | 'labels' | 'data' | 'spec'>('root', 'metadata', 'labels', 'data', 'spec'))
      .map(([o, m, where]) => ({ text: spliceMember(JSON.stringify(o), m, where), valid: false, hostile: 'raw-member' })) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '}', 'null', '[]', '"x"', '42', 'true', '{"apiVersion":', '\u0000\u0001', '\xff\xfe', 'apiVersion: v1\nkind: ConfigMap\n')
      .map((text) => ({ text, valid: false, hostile: 'not-an-object' })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v) ?? 'null', valid: false, hostile: 'random-json' })) },
    { weight: 1, arbitrary: base.map((o) => ({ text: toYaml(o), valid: true, hostile: 'yaml', contentType: 'application/yaml' })) },
  );
}

/** Tiny YAML writer (flow style for everything below the top: valid YAML, and JSON is YAML). */
export function toYaml(o: JsonObject): string {
  return Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n') + '\n';
}

// ---------- patches ----------

const pointer = fc.constantFrom('/data/a', '/data/__proto__', '/data/constructor', '/data/b.txt', '/metadata/labels/app', '/metadata/labels/example.com~1role', '/metadata/labels',
  '/metadata/name', '/metadata/namespace', '/metadata/resourceVersion', '/metadata/uid', '/metadata/finalizers', '/metadata/finalizers/-', '/metadata/annotations', '/metadata/generation',
  '/spec/replicas', '/spec/containers/0/image', '/spec/containers/-', '/spec/containers/9', '/spec/ports/0/port', '/spec/template/spec/containers/0/image', '/spec/selector',
  '/spec/colour', '/spec/tags/-', '/status', '/kind', '/apiVersion', '', '/', '/~2', '/~1', '/data/0', '/a/b/c/d', '/__proto__/polluted', '/constructor/prototype/polluted');
const jsonPatchOp = fc.record({
  op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
  path: pointer,
  from: fc.option(pointer, { nil: undefined }),
  value: fc.option(weirdJson, { nil: undefined }),
});

const SMP_DIRECTIVES: Json[] = [
  { $patch: 'delete' },
  { $patch: 'replace' },
  { $patch: 'merge' },
  { $patch: 'explode' },
  { metadata: { labels: { $patch: 'replace', app: 'web' } } },
  { metadata: { labels: { $patch: 'delete' } } },
  { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/x'], finalizers: [] } },
  { metadata: { '$setElementOrder/finalizers': ['b', 'a'] } },
  { data: { $retainKeys: ['a'], a: 'x' } },
  { spec: { $retainKeys: ['replicas'], replicas: 2 } },
  { spec: { $retainKeys: 'notalist' } },
  { spec: { containers: [{ name: 'c', $patch: 'delete' }] } },
  { spec: { containers: [{ name: 'c', image: 'y' }], '$setElementOrder/containers': [{ name: 'app' }, { name: 'c' }] } },
  { spec: { '$setElementOrder/containers': 'notalist' } },
  { spec: { template: { spec: { containers: [{ $patch: 'replace' }] } } } },
  { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'x' }], containers: [{ name: 'x', image: 'i' }] } } } },
  { spec: { ports: [{ port: 80, $patch: 'delete' }] } },
  { spec: { ports: [{ $patch: 'replace' }] } },
  { spec: { '$deleteFromPrimitiveList/tags': ['a'] } },
  { '$deleteFromPrimitiveList/data': ['a'] },
  { $retainKeys: ['metadata'] },
];

interface PatchBody {
  type: keyof typeof PATCH_TYPES;
  text: string;
  /** Codes kube-apiserver answers for it, when they are certain whatever the object holds. */
  expect?: number[];
  label: string;
}

function patchBody(r: FuzzResource, name: string, ns: string): fc.Arbitrary<PatchBody> {
  const merge = fc.oneof(
    fc.record({ data: fc.dictionary(dataKey, fc.option(fc.string({ maxLength: 20 }), { nil: null }), { maxKeys: 3 }) }),
    fc.record({ metadata: fc.record({ labels: fc.dictionary(labelKey, fc.option(labelValue, { nil: null }), { maxKeys: 3 }) }) }),
    fc.record({ spec: fc.record({ replicas: fc.oneof(fc.integer({ min: -2, max: 10 }), weirdJson) }) }),
    validObject(r, name, ns),
    weirdJson,
  ) as fc.Arbitrary<Json>;
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(jsonPatchOp, { maxLength: 4 }).map((ops) => ({ type: 'json' as const, text: JSON.stringify(ops), label: 'json' })) },
    // Amplifying JSON patch: one big value copied many times (issue 9, defect 5).
    { weight: 1, arbitrary: fc.record({ size: fc.constantFrom(1_000, 100_000, 400_000), copies: fc.integer({ min: 1, max: 8 }) }).map(({ size, copies }) => ({
      type: 'json' as const,
      text: JSON.stringify([{ op: 'add', path: '/data/big0', value: 'y'.repeat(size) }, ...Array.from({ length: copies }, (_, i) => ({ op: 'copy', from: '/data/big0', path: `/data/big${i + 1}` }))]),
      label: 'json-amplify',
    })) },
    { weight: 3, arbitrary: merge.map((p) => ({ type: 'merge' as const, text: JSON.stringify(p), label: 'merge' })) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...SMP_DIRECTIVES), merge).map((p) => ({
      type: 'strategic' as const, text: JSON.stringify(p), label: 'strategic',
      // A root `$patch: delete` must never empty the object (issue 9, defect 7): 400 as kube.
      expect: r.strategicMerge && isRootDelete(p) ? [400, 404] : !r.strategicMerge ? [415] : undefined,
    })) },
    { weight: 3, arbitrary: body(r, name, ns).map((b) => ({ type: 'apply' as const, text: b.text, label: `apply-${b.hostile}` })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<keyof typeof PATCH_TYPES>('json', 'merge', 'strategic', 'apply'), nestedText)
      .map(([type, n]) => ({ type, text: type === 'json' ? `[{"op":"add","path":"/data/x","value":${n}}]` : `{"data":${n}}`, label: 'deep' })) },
  );
}

function isRootDelete(p: Json): boolean {
  return p !== null && typeof p === 'object' && !Array.isArray(p) && p.$patch === 'delete';
}

// ---------- query parameters and selectors ----------

export const labelSelector = fc.oneof(
  fc.tuple(labelKey, fc.constantFrom('=', '==', '!='), labelValue).map(([k, op, v]) => `${k}${op}${v}`),
  fc.tuple(labelKey, fc.constantFrom(' in ', ' notin '), fc.array(labelValue, { minLength: 1, maxLength: 3 })).map(([k, op, vs]) => `${k}${op}(${vs.join(',')})`),
  labelKey.map((k) => `!${k}`),
  labelKey,
  fc.constantFrom('constructor=x', '__proto__=x', '__proto__', 'a=b,c!=d', '=', 'a in (', 'a==', '!', ',', 'a=b=c', ' ', 'a in ()', 'x'.repeat(400), '\u0000', 'app=é'),
);
export const fieldSelector = fc.oneof(
  fc.tuple(fc.constantFrom('metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'type', 'spec.restartPolicy', 'bogus.field', 'metadata.labels'),
    fc.constantFrom('=', '==', '!='), fc.constantFrom('x', '', 'Running', 'Opaque', 'a,b')).map(([f, op, v]) => `${f}${op}${v}`),
  fc.constantFrom('metadata.name', '=', 'a=b,c', 'metadata.name in (a)', '\u0000'),
);

/** `arb` one time in `oneIn`, else undefined (fc.option's freq weighs the other way). */
export function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}
const param = (name: string, values: fc.Arbitrary<string>) => rarely(values.map((v) => [name, v] as [string, string]), 4);
const FUTURE_RV = '999999999';

function listQuery(): fc.Arbitrary<[string, string][]> {
  return fc.tuple(
    param('labelSelector', labelSelector),
    param('fieldSelector', fieldSelector),
    param('resourceVersion', fc.constantFrom('', '0', '1', 'abc', '-1', FUTURE_RV, '18446744073709551616')),
    param('resourceVersionMatch', fc.constantFrom('NotOlderThan', 'Exact', 'bogus', '')),
    param('limit', fc.constantFrom('1', '2', '0', '-1', 'abc', '500', '1000000000000', '1.5')),
    param('continue', fc.constantFrom('abc', '', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0', 'eyJ2IjoieCJ9', '%%%', Buffer.from('{"rv":"__proto__"}').toString('base64'))),
    param('timeoutSeconds', fc.constantFrom('1', '0', '-1', '2147484', 'abc', '1e3', '99999999999999999999')),
    param('allowWatchBookmarks', fc.constantFrom('true', 'false', 'bogus')),
    param('sendInitialEvents', fc.constantFrom('true', 'false')),
    param('pretty', fc.constantFrom('true', '1')),
    param('bogusParam', fc.constantFrom('x')),
  ).map((ps) => ps.filter((p): p is [string, string] => p !== undefined));
}

/** Write options kube-apiserver accepts (a bad one is a 400 before anything else is looked at). */
function optionsValid(q: [string, string][]): boolean {
  return q.every(([k, v]) => {
    if (k === 'dryRun') return v === 'All';
    if (k === 'fieldValidation') return v !== 'bogus';
    if (k === 'fieldManager') return v.length <= 128 && !v.includes('\u0000');
    if (k === 'force') return v !== 'bogus';
    return true;
  });
}

function writeQuery(): fc.Arbitrary<[string, string][]> {
  return fc.tuple(
    param('dryRun', fc.constantFrom('All', 'bogus', '')),
    param('fieldValidation', fc.constantFrom('Strict', 'Warn', 'Ignore', 'bogus', '')),
    param('fieldManager', fc.constantFrom('fuzz', '', 'x'.repeat(200), 'mañana', 'a\u0000b')),
    param('pretty', fc.constantFrom('true')),
  ).map((ps) => ps.filter((p): p is [string, string] => p !== undefined));
}

function deleteQuery(): fc.Arbitrary<[string, string][]> {
  return fc.tuple(
    param('dryRun', fc.constantFrom('All', 'bogus')),
    param('propagationPolicy', fc.constantFrom('Foreground', 'Background', 'Orphan', 'bogus', '')),
    param('gracePeriodSeconds', fc.constantFrom('0', '30', '-1', 'abc', '99999999999')),
    param('orphanDependents', fc.constantFrom('true', 'false', 'x')),
  ).map((ps) => ps.filter((p): p is [string, string] => p !== undefined));
}

/** Malformed query text appended as is (percent signs that decode to nothing, repeats). */
const rawQueryTail = rarely(fc.constantFrom('%', '%zz', '%E0%A4%A', '%00=1', 'limit=1&limit=2', 'watch', '=x', '&&', 'a[b]=c', '__proto__=1', 'constructor=1'), 8);

/**
 * kube reads `watch` as a bool from its first value (metav1's Convert_Slice_string_To_bool):
 * absent, `false` or `0` is no watch, anything else is one — a bare `?watch` or `watch=` too.
 * It makes a watch only of a GET (or HEAD) without a name: a named GET is a get whatever its query.
 */
export function watchParam(path: string): boolean {
  const at = path.indexOf('?');
  if (at < 0) return false;
  const v = new URLSearchParams(path.slice(at + 1)).get('watch');
  return v !== null && v.toLowerCase() !== 'false' && v !== '0';
}

/**
 * Go's net/http refuses a request whose path holds a malformed percent-escape (`%zz`, a lone
 * `%`) with 400 before any handler runs: before authentication, whatever the method.
 */
export function badPathEscape(path: string): boolean {
  const p = path.split('?')[0];
  return /%(?![0-9a-fA-F]{2})/.test(p);
}

function queryString(params: [string, string][], tail?: string): string {
  const parts = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (tail) parts.push(tail);
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------- headers ----------

const contentTypeVariant = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', 'application/xml',
    'multipart/form-data; boundary=x', '', 'application/json; charset=latin1', '*/*', 'application/json, text/plain', 'application/merge-patch+json', 'garbage') },
);
const acceptVariant = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/xml', 'text/html', '*/*', 'application/*', 'garbage', '', 'application/json;q=0, application/xml') },
);
const authVariant = fc.oneof(
  { weight: 30, arbitrary: fc.constant('admin') },
  { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer garbage', 'Basic YWRtaW46YWRtaW4=', 'bearer x.y.z', `Bearer ${'a'.repeat(5000)}`) },
);
const extraHeader = fc.oneof(
  { weight: 10, arbitrary: fc.constant<[string, string] | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['x-fuzz', 'a'.repeat(8_000)], ['x-fuzz', 'b'.repeat(20_000)], ['impersonate-user', 'system:anonymous'],
    ['impersonate-group', 'system:masters'], ['x-remote-user', 'admin'], ['content-encoding', 'gzip'], ['expect', '100-continue'], ['x-http-method-override', 'DELETE']) },
);

interface HeaderChoice {
  contentType?: string;
  accept?: string;
  auth: string;
  extra?: [string, string];
}
const headerChoice: fc.Arbitrary<HeaderChoice> = fc.record({ contentType: contentTypeVariant, accept: acceptVariant, auth: authVariant, extra: extraHeader }, { requiredKeys: ['auth'] });

function headers(h: HeaderChoice, contentType: string | undefined, adminToken: string): Record<string, string> {
  const out: Record<string, string> = {};
  const ct = h.contentType !== undefined ? h.contentType : contentType;
  if (ct !== undefined) out['content-type'] = ct;
  if (h.accept !== undefined) out.accept = h.accept;
  if (h.auth === 'admin') out.authorization = `Bearer ${adminToken}`;
  else if (h.auth) out.authorization = h.auth;
  if (h.extra) out[h.extra[0]] = h.extra[1];
  return out;
}

const NEVER_2XX = EXPECTED_CODES.filter((c) => c >= 400);

/**
 * What the header variant itself implies: a missing or bad token is 401 whatever else; an
 * unservable Accept on a read or a text/plain body on a write is never a success (issue 9,
 * defect 11). `neutral` says the headers leave the request's meaning as generated.
 */
function headerExpectations(h: HeaderChoice, method: string, hasBody: boolean): { expect?: number[]; alsoAllowed: number[]; neutral: boolean } {
  const alsoAllowed: number[] = [];
  // Large headers (8 KB, 20 KB) are well within Go's 1 MiB header limit, so kube answers them as usual (no 431).
  const neutral = h.auth === 'admin' && h.accept === undefined && h.contentType === undefined && (h.extra === undefined || h.extra[0] === 'x-fuzz');
  if (h.auth !== 'admin') return { expect: [401, ...alsoAllowed], alsoAllowed, neutral };
  if ((h.accept === 'application/xml' || h.accept === 'text/html') && method === 'GET' && !h.extra) return { expect: NEVER_2XX, alsoAllowed, neutral };
  if (hasBody && h.contentType === 'text/plain' && method !== 'GET' && !h.extra) return { expect: NEVER_2XX, alsoAllowed, neutral };
  return { alsoAllowed, neutral };
}

// ---------- paths ----------

const pathOf = (r: FuzzResource, ns: string, name?: string, sub?: string): string =>
  `${r.base}/namespaces/${ns}/${r.resource}${name !== undefined ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;

const hostileSegment = fc.constantFrom('..', '%2E%2E', '%2e%2e', '.', '%2E', '', '%2F', 'a%2Fb', '..%2Fx', '%00', '%zz', '%252E%252E', 'x\\..', 'A'.repeat(300), 'Upper', 'a:b',
  '%E2%9C%93', '%F0%9F%9A%80', 'a%20b', '~', '*', 'constructor', '__proto__', '%5F%5Fproto%5F%5F');
const hostileBase = fc.constantFrom('/api/v1', '/apis/apps/v1', '/apis/fuzz.keelson.io/v1', '/apis/nope.example.com/v1', '/apis/apps/v9', '/api/v2', '/apis/apps', '/apis', '/api',
  '/apis/apps/v1/', '', '//api/v1', '/api/./v1', '/api/v1/..', '/apis/fuzz.keelson.io/v2', '/apis/apiextensions.k8s.io/v1');
const hostileResource = fc.constantFrom('configmaps', 'pods', 'nopes', 'ConfigMaps', 'configmaps.v1', 'deployments', 'widgets', 'secrets', 'services', 'namespaces', '', '..', '%2E%2E');
const subresource = fc.constantFrom('status', 'scale', 'log', 'exec', 'attach', 'binding', 'eviction', 'proxy', 'portforward', 'token', 'bogus', 'ephemeralcontainers', 'resize', 'finalize');

// ---------- the requests ----------

export function requestArbitrary(ctx: FuzzContext, adminToken: string): fc.Arbitrary<FuzzRequest> {
  const ns = ctx.prefix;
  const resource = fc.constantFrom(...RESOURCES);
  const name = fc.constantFrom(...ctx.names);
  const method = (m: string, h: HeaderChoice, hasBody: boolean) => headerExpectations(h, m, hasBody);
  const req = (generator: string, m: string, path: string, h: HeaderChoice, o: Partial<FuzzRequest> & { contentType?: string }): FuzzRequest => {
    const hx = method(m, h, o.body !== undefined);
    const write = m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS';
    // A malformed escape in the path is Go's own 400, ahead of everything the headers imply.
    const expect = badPathEscape(path) ? [400] : hx.expect ?? (hx.neutral ? o.expect : undefined);
    return {
      generator, method: m, path, headers: headers(h, o.contentType, adminToken), body: o.body, target: o.target, write, dryRun: o.dryRun ?? false,
      collection: o.collection ?? false, watch: o.watch ?? false, mayWatch: o.mayWatch,
      expect, alsoAllowed: [...hx.alsoAllowed, ...(o.alsoAllowed ?? [])],
    };
  };
  const isDry = (q: [string, string][]): boolean => q.some(([k, v]) => k === 'dryRun' && v !== '');

  const create = fc.tuple(resource, fc.option(name, { nil: undefined, freq: 10 }), writeQuery(), headerChoice, rawQueryTail).chain(([r, n, q, h, tail]) =>
    body(r, n ?? '', ns).map((b) => {
      let text = b.text;
      if (n === undefined) text = text.replace('"name":""', `"generateName":"${ns}-g-"`);
      // A valid object is created, or exists already; only request options may make it a 4xx.
      const strictOptions = !tail && optionsValid(q);
      return req(`create/${b.hostile}`, 'POST', pathOf(r, ns) + queryString(q, tail), h, {
        body: text, contentType: b.contentType ?? JSON_CT, target: { resource: r, namespace: ns, name: n }, dryRun: isDry(q),
        expect: b.valid && strictOptions ? [201, 409] : undefined,
      });
    }));

  const update = fc.tuple(resource, name, writeQuery(), headerChoice, fc.constantFrom(undefined, '1', 'abc', '')).chain(([r, n, q, h, rv]) =>
    body(r, n, ns).map((b) => {
      let text = b.text;
      if (rv !== undefined) text = text.replace('"metadata":{', `"metadata":{"resourceVersion":${JSON.stringify(rv)},`);
      return req(`update/${b.hostile}`, 'PUT', pathOf(r, ns, n) + queryString(q), h, { body: text, contentType: b.contentType ?? JSON_CT, target: { resource: r, namespace: ns, name: n }, dryRun: isDry(q) });
    }));

  const patch = fc.tuple(resource, name, writeQuery(), headerChoice, rarely(fc.constantFrom('true', 'false', 'bogus'), 3)).chain(([r, n, q, h, force]) =>
    patchBody(r, n, ns).map((p) => {
      const query: [string, string][] = [...q];
      if (force !== undefined && p.type === 'apply') query.push(['force', force]);
      const manager = q.find(([k]) => k === 'fieldManager')?.[1];
      // Server-side apply needs a field manager: 422 without one (issue 9, defect 11), once the other options are valid.
      const expect = !optionsValid(query) ? undefined : p.type === 'apply' && !manager ? [422, 415] : p.expect;
      return req(`patch/${p.label}`, 'PATCH', pathOf(r, ns, n) + queryString(query), h, {
        body: p.text, contentType: PATCH_TYPES[p.type], target: { resource: r, namespace: ns, name: n }, dryRun: isDry(q), expect,
      });
    }));

  const subresourceWrite = fc.tuple(resource, name, fc.constantFrom('PUT', 'PATCH'), headerChoice).chain(([r, n, m, h]) =>
    fc.tuple(fc.constantFrom(...(r.subresources.length ? r.subresources : ['status'])), m === 'PUT' ? body(r, n, ns).map((b) => b.text) : fc.constantFrom('{"status":{"replicas":3}}', '{"spec":{"replicas":2}}', '{"status":null}', '{"$patch":"delete"}', '[]'))
      .map(([sub, text]) => req(`subresource/${sub}`, m, pathOf(r, ns, n, sub), h, {
        body: sub === 'scale' && m === 'PUT' ? JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: n, namespace: ns }, spec: { replicas: 2 } }) : text,
        contentType: m === 'PUT' ? JSON_CT : PATCH_TYPES.merge, target: { resource: r, namespace: ns, name: n },
      })));

  const read = fc.tuple(resource, fc.option(name, { nil: undefined }), listQuery(), headerChoice, rawQueryTail, rarely(fc.constantFrom('1', 'true', 'false', '0', 'yes'), 4))
    .map(([r, n, q, h, tail, watch]) => {
      const query = watch !== undefined ? [...q, ['watch', watch] as [string, string]] : q;
      const isWatch = n === undefined && watchParam(queryString(query, tail));
      const future = q.some(([k, v]) => k === 'resourceVersion' && (v === FUTURE_RV || v.length > 15));
      // sendInitialEvents=true with no resourceVersion is a consistent snapshot: kube waits 3 s
      // for its cache to reach etcd's revision, then answers 504 Timeout (a loaded server may).
      const consistentSnapshot = isWatch && q.some(([k, v]) => k === 'sendInitialEvents' && v === 'true') && !q.some(([k, v]) => k === 'resourceVersion' && v !== '');
      // resourceVersionMatch outside NotOlderThan/Exact is 400/422 (issue 9, defect 11).
      const bogusMatch = n === undefined && !tail && q.some(([k, v]) => k === 'resourceVersionMatch' && v === 'bogus');
      return req(isWatch ? 'watch' : n === undefined ? 'list' : 'get', 'GET', pathOf(r, ns, n) + queryString(query, tail), h, {
        watch: isWatch, alsoAllowed: future || consistentSnapshot ? [504] : [], expect: bogusMatch ? [400, 422] : undefined,
      });
    });

  const del = fc.tuple(resource, name, deleteQuery(), headerChoice, rarely(fc.constantFrom('{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}',
    '{"propagationPolicy":"Orphan"}', '{"gracePeriodSeconds":-5}', '{"preconditions":{"uid":"nope"}}', '{', '[]', '{"dryRun":["All"]}'), 4))
    .map(([r, n, q, h, b]) => req('delete', 'DELETE', pathOf(r, ns, n) + queryString(q), h, {
      body: b, contentType: b === undefined ? undefined : JSON_CT, target: { resource: r, namespace: ns, name: n }, dryRun: isDry(q) || (b?.includes('dryRun') ?? false),
    }));

  const deleteCollection = fc.tuple(resource, fc.option(labelSelector, { nil: undefined }), deleteQuery(), headerChoice)
    .map(([r, sel, q, h]) => req('deletecollection', 'DELETE', pathOf(r, ns) + queryString(sel === undefined ? q : [...q, ['labelSelector', sel]]), h, {
      collection: true, target: { resource: r, namespace: ns }, dryRun: isDry(q),
    }));

  // Paths that address nothing valid (or something else): every method, any body.
  const hostilePath = fc.tuple(hostileBase, fc.constantFrom('/namespaces/', '/'), fc.oneof(fc.constant(ns), hostileSegment), hostileResource,
    fc.option(fc.oneof(name, hostileSegment), { nil: undefined }), rarely(fc.oneof(subresource, hostileSegment), 3),
    fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), headerChoice, fc.constantFrom('', '/', '?watch=1&timeoutSeconds=1'))
    .chain(([b, nsSeg, nsWanted, res, n, sub, m, h, trail]) => {
      // `/api/v1/namespaces/<ns>/` is the run's namespace itself (kube ignores the trailing slash): never delete it.
      const nsName = m === 'DELETE' && nsWanted === ns && res === '' && n === undefined ? `${ns}-gone` : nsWanted;
      const path = `${b}${nsSeg === '/' ? '/' : `${nsSeg}${nsName}/`}${res}${n !== undefined ? `/${n}` : ''}${n !== undefined && sub !== undefined ? `/${sub}` : ''}${trail}`;
      return body(RESOURCES[0], typeof n === 'string' ? n : `${ns}-0`, ns).map((bd) => req('path', m, path, h, {
        body: m === 'GET' || m === 'HEAD' || m === 'DELETE' || m === 'OPTIONS' ? undefined : bd.text,
        contentType: m === 'PATCH' ? PATCH_TYPES.merge : JSON_CT, mayWatch: (m === 'GET' || m === 'HEAD') && watchParam(path),
      }));
    });

  return fc.oneof(
    { weight: 5, arbitrary: create },
    { weight: 3, arbitrary: update },
    { weight: 5, arbitrary: patch },
    { weight: 1, arbitrary: subresourceWrite },
    { weight: 5, arbitrary: read },
    { weight: 2, arbitrary: del },
    { weight: 1, arbitrary: deleteCollection },
    { weight: 3, arbitrary: hostilePath },
  );
}

export { apiVersionOf };
