// Defects `npm run fuzz` found in the gateway (issue 9, item 8), each replayed as the fuzzer
// sent it — raw HTTPS with the path byte for byte — against a real gateway, etcd and NATS.
// Every answer must be kube-apiserver's: a well-formed Status with its code, never a 5xx, never
// a crash, and nothing refused may reach etcd.
import { request as httpsRequest } from 'node:https';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane();
  expect((await send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } }))).status).toBe(201);
  expect((await send('POST', `${CMS}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: '1' } }))).status).toBe(201);
});
afterAll(async () => {
  await c?.stop();
});

const NS = '/api/v1/namespaces/fz';
const CMS = `${NS}/configmaps`;
const JSON_CT = 'application/json';
const MERGE = 'application/merge-patch+json';

type Response = { status: number; body: string; contentType: string };

/** The request as the fuzzer sends it: the path goes out as written (no WHATWG URL resolution). */
function send(method: string, path: string, body?: string, headers: Record<string, string> = {}, token: string | null = c.creds.adminToken): Promise<Response> {
  const { hostname, port } = new URL(c.url);
  const h: Record<string, string> = { ...(body !== undefined ? { 'content-type': JSON_CT, 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname, port, path, method, ca: c.creds.caPem, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), contentType: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A kube failure Status with this code and reason. */
function expectStatus(res: Response, code: number, reason: string): Record<string, unknown> {
  expect({ status: res.status, contentType: res.contentType }).toEqual({ status: code, contentType: 'application/json' });
  const s = JSON.parse(res.body) as Record<string, unknown>;
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  return s;
}

const configMap = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { b: '2' } });

describe('PUT and PATCH address an object, never a collection', () => {
  // Found as 500 "keyFor: name is required" (`PUT /api/./v1/namespaces/x\../` in a 20,000 run):
  // kube registers no PUT or PATCH route on a collection path, so it answers 405.
  test.each([
    ['PUT', CMS, configMap('x'), JSON_CT],
    ['PATCH', CMS, '{"data":{"b":"3"}}', MERGE],
    ['PUT', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } }), JSON_CT],
    ['PATCH', '/api/v1/namespaces/', '{"metadata":{"labels":{"a":"b"}}}', MERGE],
    ['PUT', '/apis/apps/v1/namespaces/fz/deployments', '{}', JSON_CT],
  ])('%s %s → 405', async (method, path, body, type) => {
    expectStatus(await send(method, path, body, { 'content-type': type }), 405, 'MethodNotAllowed');
  });

  test('the collection is unchanged', async () => {
    const list = JSON.parse((await send('GET', CMS)).body) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name).filter((n) => n !== 'kube-root-ca.crt')).toEqual(['keep']);
  });
});

describe('a request target starting with // is a path, never an authority', () => {
  // `new URL('//a:b', base)` throws "Invalid URL": it escaped every handler and the gateway
  // exited (6 crashes in one 20,000-request run). Go reads the target as a path; so must we.
  test.each(['//a:b', '//%zz/x', '//a%20b/c', '//[::1/x', '//api:99999/v1/namespaces'])('GET %s is answered and the gateway stays up', async (path) => {
    const res = await send('GET', path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(c.gateway.pid()).toBeDefined();
    expect((await send('GET', '/readyz')).status).toBe(200);
  });
});

describe('server-side apply with keys named like Object.prototype members', () => {
  // applyConfiguration merged by plain lookups: a live key `toString` missing from the applied
  // configuration read Object.prototype.toString, a function, into the object (500 "could not
  // be cloned"); an applied key `toString` the live object lacked was dropped.
  const APPLY = 'application/apply-patch+yaml';
  const apply = (name: string, data: Record<string, string>, manager: string) =>
    send('PATCH', `${CMS}/${name}?fieldManager=${manager}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }), { 'content-type': APPLY });

  test('a live key the configuration does not name is kept', async () => {
    expect((await send('POST', CMS, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'proto-live' }, data: { toString: 'a', constructor: 'b', valueOf: 'c' } }))).status).toBe(201);
    const res = await apply('proto-live', { x: '1' }, 'other&force=true');
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { data: Record<string, string> }).data).toEqual({ toString: 'a', constructor: 'b', valueOf: 'c', x: '1' });
  });

  test('an applied key the live object lacks is stored', async () => {
    expect((await send('POST', CMS, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'proto-applied' }, data: { a: '1' } }))).status).toBe(201);
    const res = await apply('proto-applied', { a: '1', toString: 'x', hasOwnProperty: 'y' }, 'fuzz');
    expect(res.status).toBe(200);
    const stored = JSON.parse((await send('GET', `${CMS}/proto-applied`)).body) as { data: Record<string, string> };
    expect(stored.data).toEqual({ a: '1', toString: 'x', hasOwnProperty: 'y' });
  });
});

describe('generateName that is not a string', () => {
  // The prefix's `.slice` was called before validation looked at its type (500).
  test.each([5, ['x'], { a: 1 }, true])('generateName %j → 422, nothing stored', async (generateName) => {
    const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generateName }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    const res = await send('POST', '/apis/apps/v1/namespaces/fz/deployments', body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const list = JSON.parse((await send('GET', '/apis/apps/v1/namespaces/fz/deployments')).body) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });
});

describe('resourceVersion beyond what etcd holds', () => {
  // An Exact list ahead of etcd got etcd's "future revision" as 503 ServiceUnavailable; kube's
  // answer to a too-large resourceVersion is a 504 Timeout with a ResourceVersionTooLarge cause.
  test('an Exact list at a future revision → 504 Timeout, ResourceVersionTooLarge', async () => {
    const list = JSON.parse((await send('GET', CMS)).body) as { metadata: { resourceVersion: string } };
    const ahead = Number(list.metadata.resourceVersion) + 100_000;
    const s = expectStatus(await send('GET', `${CMS}?resourceVersion=${ahead}&resourceVersionMatch=Exact`), 504, 'Timeout');
    expect(s.details).toMatchObject({ causes: [{ reason: 'ResourceVersionTooLarge' }] });
  });

  // kube parses a resourceVersion as a uint64: 2^64 is no resource version (400), never a revision.
  test.each(['18446744073709551616', '99999999999999999999999'])('resourceVersion=%s with Exact → 400', async (rv) => {
    expectStatus(await send('GET', `${CMS}?resourceVersion=${rv}&resourceVersionMatch=Exact`), 400, 'BadRequest');
  });
});

describe('request routing as kube-apiserver does it', () => {
  // A named GET with `watch` in its query is a get in kube (RequestInfoFactory sets the watch
  // verb only without a name); the gateway streamed watch events, a bare `?watch` too.
  test.each(['watch=1', 'watch', 'watch=true&resourceVersion=1'])('GET a named object with ?%s answers the object', async (q) => {
    const res = await send('GET', `${CMS}/keep?${q}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: '1' } });
  });

  // Authentication comes before the handler's checks of names and namespaces: a client without
  // a valid token learns nothing about the path (401). Only a malformed percent-escape is
  // refused earlier, by the HTTP server itself (Go's net/http), with 400.
  test.each([`${NS}/configmaps/%252E%252E`, '/api/v1/namespaces/..%2Fx/configmaps', '//api/v1/namespaces/%2E%2E/configmaps/x', `${CMS}/a%2Fb`])('%s without a valid token → 401', async (path) => {
    expectStatus(await send('GET', path, undefined, {}, null), 401, 'Unauthorized');
    expectStatus(await send('DELETE', path, undefined, {}, 'garbage'), 401, 'Unauthorized');
  });
  test('a malformed escape is 400 before authentication', async () => {
    expectStatus(await send('GET', `${CMS}/%zz`, undefined, {}, null), 400, 'BadRequest');
  });
  test('with a valid token the bad name is still refused with 400', async () => {
    expectStatus(await send('DELETE', `${CMS}/%252E%252E`), 400, 'BadRequest');
  });
});

describe('custom resources: metadata of the wrong type is refused, never stored', () => {
  // A JSON patch could store `metadata.finalizers: true` on a custom object; deleting it then
  // (or its collection) iterated the boolean: 500 "boolean true is not iterable".
  const WIDGETS = '/apis/fuzz.keelson.io/v1/namespaces/fz/widgets';
  beforeAll(async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.fuzz.keelson.io' },
      spec: { group: 'fuzz.keelson.io', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } } } }] },
    };
    expect((await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd))).status).toBe(201);
    for (let i = 0; i < 300 && (await send('GET', WIDGETS)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  });

  test.each([
    ['/metadata/finalizers', true],
    ['/metadata/finalizers', 'x'],
    ['/metadata/ownerReferences', true],
    ['/metadata/labels', ['a']],
    ['/metadata/annotations', 5],
  ])('JSON patch %s = %j → 4xx, and the object can still be deleted', async (path, value) => {
    const name = `w${Math.random().toString(36).slice(2, 8)}`;
    expect((await send('POST', WIDGETS, JSON.stringify({ apiVersion: 'fuzz.keelson.io/v1', kind: 'Widget', metadata: { name }, spec: { replicas: 1 } }))).status).toBe(201);
    const res = await send('PATCH', `${WIDGETS}/${name}`, JSON.stringify([{ op: 'add', path, value }]), { 'content-type': 'application/json-patch+json' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await send('DELETE', `${WIDGETS}/${name}`)).status).toBe(200);
    expect((await send('DELETE', WIDGETS)).status).toBe(200);
  });
});

describe('large request headers', () => {
  // Go's http.Server (kube-apiserver) reads headers up to 1 MiB; Node's default is 16 KiB, so a
  // 20 KB header was a 431 and the socket closed while the body was still uploading: the client
  // saw ECONNRESET instead of an answer (4 times in a 20,000-request run).
  test('a 20 KB header with a 1 MB body gets an answer', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big-header' }, data: { big: 'x'.repeat(1_000_000) } });
    const res = await send('POST', CMS, body, { 'x-fuzz': 'b'.repeat(20_000) });
    expect(res.status).toBe(201);
  });
});
