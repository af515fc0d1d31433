// Hostile input against the gateway (issue 9, defects 4 and 6–11): dot segments and encoded
// slashes in paths, unknown and oversized fields, root patch directives, deep nesting, watch
// timers and future resourceVersions, prototype-named keys, and wrong media types. Every
// refusal is a well-formed Status with kube-apiserver's code, and nothing refused is stored.
import { request as httpsRequest } from 'node:https';
import { Etcd3 } from 'etcd3';
import { startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
let etcd: Etcd3;

beforeAll(async () => {
  c = await startControlPlane();
  etcd = new Etcd3(c.etcd.clientOptions);
  expect((await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'victim' } }))).status).toBe(201);
  expect((await post(`${CMS}`, cm('keep', { a: '1' }))).status).toBe(201);
});
afterAll(async () => {
  etcd?.close();
  await c?.stop();
});

const NS = '/api/v1/namespaces/victim';
const CMS = `${NS}/configmaps`;
const JSON_CT = { 'content-type': 'application/json' };
const cm = (name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data, ...extra });
const post = (path: string, body: string | Buffer, headers: Record<string, string> = JSON_CT) => c.request('POST', path, { body, headers });
const patch = (path: string, body: string, type: string) => c.request('PATCH', path, { body, headers: { 'content-type': type } });

type Response = { status: number; body: string; headers: Headers };

/** A Kubernetes failure Status with this code and reason (and a JSON body, never a crash page). */
function expectStatus(res: Response, code: number, reason: string): Record<string, any> {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status: code, contentType: 'application/json' });
  const s = JSON.parse(res.body);
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  expect(typeof s.message).toBe('string');
  return s;
}

/**
 * A request whose path goes out byte for byte: c.request passes a URL string, which WHATWG URL
 * parsing would resolve (`%2E%2E` included) before anything is sent, hiding the attack.
 */
function rawRequest(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  const { hostname, port } = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname, port, path, method, ca: c.creds.caPem, headers: { authorization: `Bearer ${c.creds.adminToken}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stored(key: string): Promise<Record<string, any> | null> {
  const raw = await etcd.get(key).string();
  return raw === null ? null : JSON.parse(raw);
}

describe('a namespaced resource addressed without a namespace (found by npm run fuzz)', () => {
  // Was 500 "keyFor: secrets is namespaced; a namespace is required".
  test.each([
    ['DELETE', '/api/v1/secrets/x', 404, 'NotFound'],
    ['PUT', '/api/v1/configmaps/x', 404, 'NotFound'],
    ['GET', '/api/v1/pods/x', 404, 'NotFound'],
    ['PATCH', '/api/v1/pods', 405, 'MethodNotAllowed'],
    ['DELETE', '/api/v1/configmaps', 405, 'MethodNotAllowed'],
  ])('%s %s is %i', async (method, path, code, reason) => {
    const body = method === 'PUT' ? cm('x') : method === 'PATCH' ? '{}' : undefined;
    const headers = method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : body ? JSON_CT : {};
    expectStatus(await c.request(method, path, { body, headers }), code, reason);
  });

  test('listing across namespaces still works', async () => {
    expect((await c.request('GET', '/api/v1/configmaps')).status).toBe(200);
  });
});

describe('(4) dot segments and encoded slashes never address another object', () => {
  test.each([
    ['%2E%2E', '..'],
    ['%2e%2e', '..'],
    ['%2E', '.'],
    ['..', '..'],
    ['.', '.'],
  ])('DELETE configmaps/%s is 400 and the namespace stays', async (segment, decoded) => {
    const s = expectStatus(await rawRequest('DELETE', `${CMS}/${segment}`), 400, 'BadRequest');
    expect(s.message).toBe(`Name parameter invalid: ${JSON.stringify(decoded)}: may not be '${decoded}'`);
    const ns = JSON.parse((await c.request('GET', NS)).body);
    expect(ns.metadata.deletionTimestamp).toBeUndefined();
    expect(ns.status.phase).toBe('Active');
  });

  test('GET, PUT and PATCH of a dot name are 400 too, and so is a dot namespace', async () => {
    expectStatus(await rawRequest('GET', `${CMS}/%2E%2E`), 400, 'BadRequest');
    expectStatus(await rawRequest('PUT', `${CMS}/%2E%2E`, cm('..'), JSON_CT), 400, 'BadRequest');
    expectStatus(await rawRequest('PATCH', `${CMS}/%2E%2E`, '{"metadata":{"labels":{"a":"b"}}}', { 'content-type': 'application/merge-patch+json' }), 400, 'BadRequest');
    const s = expectStatus(await rawRequest('GET', '/api/v1/namespaces/%2E%2E/configmaps'), 400, 'BadRequest');
    expect(s.message).toContain("may not be '..'");
  });

  test('an encoded slash stays inside its segment and is refused', async () => {
    const s = expectStatus(await rawRequest('DELETE', `${CMS}/..%2Fkeep`), 400, 'BadRequest');
    expect(s.message).toContain("may not contain '/'");
    expectStatus(await rawRequest('GET', `${CMS}/keep%2F..`), 400, 'BadRequest');
    // Decoded once: %252E%252E is the name "%2E%2E", which a name may not be either.
    expect(expectStatus(await rawRequest('GET', `${CMS}/%252E%252E`), 400, 'BadRequest').message).toContain("may not contain '%'");
    expect((await c.request('GET', `${CMS}/keep`)).status).toBe(200);
  });

  test('a backslash is no path separator', async () => {
    expectStatus(await rawRequest('DELETE', `${CMS}/x\\..`), 404, 'NotFound');
    expect((await c.request('GET', NS)).status).toBe(200);
  });
});

describe('(6) unknown fields are never stored', () => {
  test('dropped by default and under Ignore, with a warning under Warn', async () => {
    const body = cm('unknown-warn', { a: '1' }, { bogus: 'x', metadata: { name: 'unknown-warn', extra: 1 } });
    const res = await post(CMS, body);
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toContain('unknown field \\"bogus\\"');
    expect(JSON.parse(res.body).bogus).toBeUndefined();
    const saved = await stored('/registry/core/configmaps/victim/unknown-warn');
    expect(saved).not.toHaveProperty('bogus');
    expect(saved!.metadata).not.toHaveProperty('extra');

    const ignored = await post(`${CMS}?fieldValidation=Ignore`, cm('unknown-ignore', {}, { bogus: 'x' }));
    expect(ignored.status).toBe(201);
    expect(ignored.headers.get('warning')).toBeNull();
    expect(await stored('/registry/core/configmaps/victim/unknown-ignore')).not.toHaveProperty('bogus');
  });

  test('dropped on update and patch as well', async () => {
    const current = JSON.parse((await c.request('GET', `${CMS}/unknown-warn`)).body);
    expect((await c.request('PUT', `${CMS}/unknown-warn`, { body: JSON.stringify({ ...current, bogus: 'y' }), headers: JSON_CT })).status).toBe(200);
    expect((await patch(`${CMS}/unknown-warn`, '{"bogus2":"z","data":{"b":"2"}}', 'application/merge-patch+json')).status).toBe(200);
    const saved = await stored('/registry/core/configmaps/victim/unknown-warn');
    expect(saved).not.toHaveProperty('bogus');
    expect(saved).not.toHaveProperty('bogus2');
    expect(saved!.data).toEqual({ a: '1', b: '2' });
  });

  test('refused under Strict and nothing is stored', async () => {
    const s = expectStatus(await post(`${CMS}?fieldValidation=Strict`, cm('unknown-strict', {}, { bogus: 'x' })), 400, 'BadRequest');
    expect(s.message).toContain('strict decoding error: unknown field "bogus"');
    expect(await stored('/registry/core/configmaps/victim/unknown-strict')).toBeNull();
  });

  test('an unknown field cannot carry a ConfigMap past its 1 MiB limit', async () => {
    const res = await post(CMS, cm('padded', { a: '1' }, { padding: 'p'.repeat(2_500_000) }));
    expect(res.status).toBe(201);
    const raw = await etcd.get('/registry/core/configmaps/victim/padded').string();
    expect(raw!.length).toBeLessThan(10_000);
  });

  test('an object over the storage limit is 413, not 500, and the gateway stays ready', async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'fat' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: Array.from({ length: 200 }, () => 'x'.repeat(10_000)) }] },
    });
    for (let i = 0; i < 4; i++) {
      const s = expectStatus(await post(`${NS}/pods`, pod), 413, 'RequestEntityTooLarge');
      expect(s.message).toMatch(/^Request entity too large: limit is \d+$/);
    }
    expect(await stored('/registry/core/pods/victim/fat')).toBeNull();
    expect((await c.request('GET', '/readyz')).status).toBe(200);
    expect((await c.request('GET', `${CMS}/keep`)).status).toBe(200);
  });
});

describe('(7) a strategic merge patch directive at the root cannot empty the object', () => {
  const SMP = 'application/strategic-merge-patch+json';
  test.each(['{"$patch":"delete"}', '{"$patch":"replace"}', '{"$patch":"replace","data":{"x":"y"}}'])('%s is 400 and the object is unchanged', async (body) => {
    expect((await post(CMS, cm('smp-root', { a: '1' }))).status).toBe(201);
    const before = await stored('/registry/core/configmaps/victim/smp-root');
    const s = expectStatus(await patch(`${CMS}/smp-root`, body, SMP), 400, 'BadRequest');
    expect(s.message).toBe('the name of the object () does not match the name on the URL (smp-root)');
    expect(await stored('/registry/core/configmaps/victim/smp-root')).toEqual(before);
    expect((await c.request('DELETE', `${CMS}/smp-root`)).status).toBe(200);
  });

  test('an unknown directive is 400', async () => {
    expectStatus(await patch(`${CMS}/keep`, '{"$patch":"explode"}', SMP), 400, 'BadRequest');
    expect(JSON.parse((await c.request('GET', `${CMS}/keep`)).body).data).toEqual({ a: '1' });
  });
});

describe('(8) deeply nested JSON is 400, never a crash', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  test.each([2_000, 20_000, 200_000])('a body nested %i deep', async (depth) => {
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${nested(depth)}}`;
    expectStatus(await post(CMS, body), 400, 'BadRequest');
    const yaml = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expectStatus(await post(CMS, yaml, { 'content-type': 'application/yaml' }), 400, 'BadRequest');
  });

  test('patches nested 5,000 deep, of every type', async () => {
    expectStatus(await patch(`${CMS}/keep`, `{"data":${nested(5_000)}}`, 'application/merge-patch+json'), 400, 'BadRequest');
    expectStatus(await patch(`${CMS}/keep`, `{"data":${nested(5_000)}}`, 'application/strategic-merge-patch+json'), 400, 'BadRequest');
    expectStatus(await patch(`${CMS}/keep`, `[{"op":"add","path":"/x","value":${nested(5_000)}}]`, 'application/json-patch+json'), 400, 'BadRequest');
    expect((await c.request('GET', '/readyz')).status).toBe(200);
    expect(JSON.parse((await c.request('GET', `${CMS}/keep`)).body).data).toEqual({ a: '1' });
  });
});

describe('(8) free-form content cannot grow deeper patch by patch', () => {
  const BLOBS = '/apis/hostile.example.com/v1/namespaces/victim/blobs';
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  beforeAll(async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'blobs.hostile.example.com' },
      spec: {
        group: 'hostile.example.com',
        scope: 'Namespaced',
        names: { plural: 'blobs', singular: 'blob', kind: 'Blob', listKind: 'BlobList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
      },
    };
    expect((await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd))).status).toBe(201);
    await waitUntil('blobs to be served', async () => (await c.request('GET', BLOBS)).status === 200);
  });

  test('a JSON patch pointing below the body limit cannot store an object nested past it', async () => {
    const blob = `{"apiVersion":"hostile.example.com/v1","kind":"Blob","metadata":{"name":"deep"},"spec":${nested(400)}}`;
    expect((await post(BLOBS, blob)).status).toBe(201);
    const before = await stored('/registry/hostile.example.com/blobs/victim/deep');
    const path = `/spec${'/a'.repeat(399)}`;
    const s = expectStatus(await patch(`${BLOBS}/deep`, `[{"op":"replace","path":"${path}","value":${nested(400)}}]`, 'application/json-patch+json'), 400, 'BadRequest');
    expect(s.message).toMatch(/^the object is nested too deeply: exceeded max depth \d+$/);
    expect(await stored('/registry/hostile.example.com/blobs/victim/deep')).toEqual(before);
    expect((await c.request('GET', `${BLOBS}/deep`)).status).toBe(200);
  });
});

/** A streaming GET: lines as they arrive, and whether the server ended the response. */
function openWatch(path: string): { lines: () => any[]; ended: () => boolean; status: Promise<number>; close: () => void } {
  const lines: any[] = [];
  let buf = '';
  let ended = false;
  let req: ReturnType<typeof httpsRequest>;
  const status = new Promise<number>((resolve, reject) => {
    req = httpsRequest(`${c.url}${path}`, { method: 'GET', headers: { authorization: `Bearer ${c.creds.adminToken}` }, ca: c.creds.caPem }, (res) => {
      resolve(res.statusCode ?? 0);
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => (ended = true));
      res.on('error', () => (ended = true));
    });
    req.on('error', reject);
    req.end();
  });
  return { lines: () => lines, ended: () => ended, status, close: () => req.destroy() };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('(9) watch timers and future resourceVersions', () => {
  test('timeoutSeconds beyond the 32-bit timer range keeps the watch open', async () => {
    const list = JSON.parse((await c.request('GET', CMS)).body);
    const w = openWatch(`${CMS}?watch=1&timeoutSeconds=2147484&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      expect(await w.status).toBe(200);
      // A change made after the watch started still reaches it: the stream did not end at once.
      await new Promise((r) => setTimeout(r, 300));
      expect((await post(CMS, cm('after-watch'))).status).toBe(201);
      await until(() => w.lines().some((l) => l.object?.metadata?.name === 'after-watch') || w.ended(), 'the ADDED event');
      expect(w.ended()).toBe(false);
      expect(w.lines().map((l) => `${l.type} ${l.object.metadata.name}`)).toEqual(['ADDED after-watch']);
    } finally {
      w.close();
    }
  });

  test('a watch from a future resourceVersion is 504 Too large resource version with a retry hint', async () => {
    const list = JSON.parse((await c.request('GET', CMS)).body);
    const future = Number(list.metadata.resourceVersion) + 1_000_000;
    const s = expectStatus(await c.request('GET', `${CMS}?watch=1&resourceVersion=${future}`), 504, 'Timeout');
    expect(s.message).toMatch(new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`));
    expect(s.details).toMatchObject({ retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] });
  });
});

describe('(10) keys named like Object.prototype members are ordinary keys', () => {
  // `__proto__` is a valid ConfigMap key but no valid label or annotation key (a qualified name
  // starts with an alphanumeric), in kube as here; the others are valid everywhere.
  const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  const LABEL_KEYS = KEYS.filter((k) => k !== '__proto__');
  const raw = (name: string) =>
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","labels":{${LABEL_KEYS.map((k) => `"${k}":"v-${k}"`).join(',')}},` +
    `"annotations":{${LABEL_KEYS.map((k) => `"${k}":"a"`).join(',')}}},"data":{${KEYS.map((k) => `"${k}":"d-${k}"`).join(',')}}}`;
  const own = (o: Record<string, unknown>, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value;

  test('data keys, labels and annotations are accepted and stored', async () => {
    const res = await post(CMS, raw('proto-keys'));
    expect(res.status).toBe(201);
    const got = JSON.parse((await c.request('GET', `${CMS}/proto-keys`)).body);
    for (const k of KEYS) expect(own(got.data, k)).toBe(`d-${k}`);
    for (const k of LABEL_KEYS) {
      expect(own(got.metadata.labels, k)).toBe(`v-${k}`);
      expect(own(got.metadata.annotations, k)).toBe('a');
    }
  });

  test('a __proto__ label key is 422 with the qualified-name message, as kube answers', async () => {
    const s = expectStatus(await post(CMS, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto-label","labels":{"__proto__":"x"}}}'), 422, 'Invalid');
    expect(s.details.causes).toContainEqual(expect.objectContaining({ field: 'metadata.labels', message: expect.stringContaining('Invalid value: "__proto__": name part must consist of alphanumeric characters') }));
  });

  test('selectors on them match like any other label', async () => {
    for (const sel of ['constructor=v-constructor', 'toString', 'hasOwnProperty in (v-hasOwnProperty)', 'valueOf!=x', '!valueOf']) {
      const res = await c.request('GET', `${CMS}?labelSelector=${encodeURIComponent(sel)}`);
      expect({ sel, status: res.status }).toEqual({ sel, status: 200 });
      const names = JSON.parse(res.body).items.map((i: any) => i.metadata.name);
      expect({ sel, has: names.includes('proto-keys') }).toEqual({ sel, has: !sel.startsWith('!') });
    }
    expectStatus(await c.request('GET', `${CMS}?fieldSelector=${encodeURIComponent('constructor=x')}`), 400, 'BadRequest');
    const byField = await c.request('GET', `${CMS}?fieldSelector=${encodeURIComponent('metadata.name=proto-keys')}`);
    expect(JSON.parse(byField.body).items).toHaveLength(1);
  });

  test('patches of every type edit them', async () => {
    expect((await patch(`${CMS}/proto-keys`, '{"data":{"__proto__":"m","constructor":null}}', 'application/merge-patch+json')).status).toBe(200);
    expect((await patch(`${CMS}/proto-keys`, '{"data":{"toString":"s"},"metadata":{"labels":{"constructor":"s"}}}', 'application/strategic-merge-patch+json')).status).toBe(200);
    expect((await patch(`${CMS}/proto-keys`, '[{"op":"replace","path":"/data/hasOwnProperty","value":"j"}]', 'application/json-patch+json')).status).toBe(200);
    const got = await stored('/registry/core/configmaps/victim/proto-keys');
    expect(own(got!.data, '__proto__')).toBe('m');
    expect(Object.hasOwn(got!.data, 'constructor')).toBe(false);
    expect(own(got!.data, 'toString')).toBe('s');
    expect(own(got!.data, 'hasOwnProperty')).toBe('j');
    expect(own(got!.metadata.labels, 'constructor')).toBe('s');
  });
});

describe('(11) media types and list options get kube-apiserver codes', () => {
  test('a write with Content-Type text/plain is 415 and nothing is stored', async () => {
    const s = expectStatus(await post(CMS, cm('plain'), { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType');
    expect(s.message).toContain('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    expectStatus(await c.request('PUT', `${CMS}/keep`, { body: cm('keep'), headers: { 'content-type': 'text/plain' } }), 415, 'UnsupportedMediaType');
    expect(await stored('/registry/core/configmaps/victim/plain')).toBeNull();
  });

  test('Accept: application/xml is 406 NotAcceptable; */* and JSON with parameters are served', async () => {
    const s = expectStatus(await c.request('GET', `${CMS}/keep`, { headers: { accept: 'application/xml' } }), 406, 'NotAcceptable');
    expect(s.message).toBe('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    expectStatus(await c.request('GET', CMS, { headers: { accept: 'text/html' } }), 406, 'NotAcceptable');
    for (const accept of ['*/*', 'application/*', 'application/json;q=0.9', 'application/xml, application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json']) {
      expect({ accept, status: (await c.request('GET', `${CMS}/keep`, { headers: { accept } })).status }).toEqual({ accept, status: 200 });
    }
  });

  test('resourceVersionMatch is validated as kube validates ListOptions (422 Invalid)', async () => {
    const bogus = expectStatus(await c.request('GET', `${CMS}?resourceVersion=1&resourceVersionMatch=bogus`), 422, 'Invalid');
    expect(bogus.message).toContain('resourceVersionMatch: Unsupported value: "bogus": supported values: "Exact", "NotOlderThan"');
    expect(bogus.details).toMatchObject({ group: 'meta.k8s.io', kind: 'ListOptions' });
    const alone = expectStatus(await c.request('GET', `${CMS}?resourceVersionMatch=NotOlderThan`), 422, 'Invalid');
    expect(alone.message).toContain('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    expect((await c.request('GET', `${CMS}?resourceVersion=0&resourceVersionMatch=NotOlderThan`)).status).toBe(200);
  });

  test('server-side apply without fieldManager stays 422', async () => {
    expectStatus(await patch(`${CMS}/keep`, cm('keep'), 'application/apply-patch+yaml'), 422, 'Invalid');
  });
});
