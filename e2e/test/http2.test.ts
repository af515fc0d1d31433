// HTTP/2 on the gateway: ALPN offers h2 and http/1.1 on the one TLS port. The real kubectl 1.32
// negotiates h2 for get/apply/watch (the gateway's access log records each request's protocol),
// while its exec dialer gets HTTP/1.1, where upgrades exist. Over a raw h2 session: many requests
// multiplexed on one connection, a watch as a stream (no chunked encoding), 401, 413 and 429.
import { spawn } from 'node:child_process';
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { URL } from 'node:url';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
let session: ClientHttp2Session;

beforeAll(async () => {
  c = await startControlPlane({
    // Debug lines are the access log (method, path, status, protocol); a tight per-user rate limit for the 429 case.
    env: { KEELSON_LOG_LEVEL: 'debug', KEELSON_FLOW_USER_QPS: '1', KEELSON_FLOW_USER_BURST: '3' },
  });
  session = connect(c.url, { ca: c.creds.caPem });
  session.on('error', () => undefined);
}, 120_000);
afterAll(async () => {
  session?.close();
  await c?.stop();
});

interface AccessLine { msg: string; method?: string; path?: string; status?: number; protocol?: string }
const accessLog = (): AccessLine[] =>
  c.gatewayLog().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AccessLine).filter((l) => l.msg === 'request');

interface H2Answer { status: number; headers: IncomingHttpHeaders; body: string }
function h2(s: ClientHttp2Session, method: string, path: string, opts: { token?: string | null; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ':method': method, ':path': path, ...(opts.headers ?? {}) };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? c.creds.adminToken}`;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const stream = s.request(headers);
    let head: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (head = h));
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks).toString('utf8') }));
    stream.on('error', reject);
    stream.end(opts.body);
  });
}

function alpn(protocols: string[]): Promise<string | false> {
  const u = new URL(c.url);
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: u.hostname, port: Number(u.port), ca: c.creds.caPem, ALPNProtocols: protocols }, () => {
      resolve(s.alpnProtocol ?? false);
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('ALPN: h2 is chosen when offered, http/1.1 otherwise, on the same port', async () => {
  expect(await alpn(['h2', 'http/1.1'])).toBe('h2');
  expect(await alpn(['http/1.1'])).toBe('http/1.1');
  // No ALPN at all (Node's https, older clients): HTTP/1.1, as before.
  const plain = await c.request('GET', '/api/v1/namespaces/default');
  expect(plain.status).toBe(200);
  const line = await until('the HTTP/1.1 request in the access log', () => accessLog().find((l) => l.path === '/api/v1/namespaces/default' && l.method === 'GET'));
  expect(line.protocol).toBe('1.1');
});

test('kubectl negotiates HTTP/2: get, apply (create then patch) and get -w run as h2 streams', async () => {
  const cm = (v: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2-cm', namespace: 'default' }, data: { v } });
  expect((await c.kubectl(['apply', '-f', '-'], { input: cm('1') })).stdout).toContain('configmap/h2-cm created');

  // A watch: the list, then a stream that reports the next apply.
  const watcher = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', `${c.dir}/kube-cache`, 'get', 'configmap', 'h2-cm', '-w', '-o', 'jsonpath={.data.v}{"\\n"}'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  watcher.stdout.on('data', (d: Buffer) => (seen += d.toString()));
  try {
    await until('the watch lists v=1', () => seen.split('\n').includes('1'));
    expect((await c.kubectl(['apply', '-f', '-'], { input: cm('2') })).stdout).toContain('configmap/h2-cm configured');
    await until('the watch reports v=2', () => seen.split('\n').includes('2'));
  } finally {
    watcher.kill('SIGTERM');
  }
  expect((await c.k('get', 'configmap', 'h2-cm', '-o', 'jsonpath={.data.v}'))).toBe('2');

  const path = '/api/v1/namespaces/default/configmaps/h2-cm';
  const lines = await until('kubectl\'s watch in the access log (written when the stream ends)', () => {
    const ls = accessLog().filter((l) => l.path === path || l.path === '/api/v1/namespaces/default/configmaps');
    // kubectl gets the object, then watches the collection with a field selector (a line once the stream ends).
    return ls.some((l) => l.method === 'GET' && l.path === '/api/v1/namespaces/default/configmaps') && ls;
  });
  const mine = lines.filter((l) => l.path === path || l.method === 'POST');
  // apply's GET (404), POST, then the second apply's GET and PATCH; every one over HTTP/2.
  expect(mine.map((l) => l.method)).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH']));
  for (const l of lines) expect(l.protocol).toBe('2.0');
  // Discovery and OpenAPI too.
  expect(accessLog().filter((l) => l.path === '/openapi/v3' || l.path === '/api').every((l) => l.protocol === '2.0')).toBe(true);
});

test('kubectl exec upgrades over HTTP/1.1: its dialer does not get h2, so the gateway can answer the upgrade', async () => {
  // A pod on no node: the gateway answers the exec upgrade itself with a Status kubectl prints.
  await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h2-unbound', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } }) });
  const r = await c.kubectl(['exec', 'h2-unbound', '--', 'true']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).not.toMatch(/malformed HTTP|http2|PROTOCOL_ERROR|bad handshake/i);
  const lines = await until('the exec request in the access log', () => {
    const ls = accessLog().filter((l) => l.path === '/api/v1/namespaces/default/pods/h2-unbound/exec');
    return ls.length > 0 && ls;
  });
  for (const l of lines) expect(l.protocol).toBe('1.1');
});

test('one h2 connection multiplexes many concurrent requests', async () => {
  const answers = await Promise.all(Array.from({ length: 64 }, (_, i) => h2(session, 'GET', i % 2 ? '/api/v1/namespaces' : '/apis')));
  expect(answers.map((a) => a.status)).toEqual(Array(64).fill(200));
  expect(JSON.parse(answers[1].body)).toMatchObject({ kind: 'NamespaceList' });
});

test('a watch is an HTTP/2 stream of JSON lines without chunked encoding; closing the stream ends it', async () => {
  const s = connect(c.url, { ca: c.creds.caPem });
  try {
    const list = JSON.parse((await h2(s, 'GET', '/api/v1/namespaces/default/configmaps')).body) as { metadata: { resourceVersion: string } };
    const stream = s.request({ ':method': 'GET', ':path': `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`, authorization: `Bearer ${c.creds.adminToken}` });
    let head: IncomingHttpHeaders = {};
    let text = '';
    stream.on('response', (h) => (head = h));
    stream.on('data', (d: Buffer) => (text += d.toString()));
    await until('the watch answered', () => head[':status']);
    expect(head[':status']).toBe(200);
    expect(head['content-type']).toBe('application/json');
    expect(head['transfer-encoding']).toBeUndefined();
    // Writes on the same connection while the watch stream is open.
    for (const name of ['w1', 'w2']) {
      const created = await h2(s, 'POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }) });
      expect(created.status).toBe(201);
    }
    const events = await until('two ADDED events', () => {
      const evs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
      return evs.length >= 2 && evs;
    });
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w1'], ['ADDED', 'w2']]);
    stream.close(constants.NGHTTP2_CANCEL);
    // The session stays usable after the watch stream is cancelled.
    expect((await h2(s, 'GET', '/api/v1/namespaces/default/configmaps/w1')).status).toBe(200);
  } finally {
    s.close();
  }
});

test('over h2: a bad token is 401, a body over the limit 413, a flooding user 429 with Retry-After', async () => {
  const unauth = await h2(session, 'GET', '/api/v1/namespaces', { token: 'not-a-token' });
  expect(unauth.status).toBe(401);
  expect(JSON.parse(unauth.body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });

  const big = Buffer.alloc(4 * 1024 * 1024, 'a'); // the limit is 3 MiB
  const tooLarge = await h2(session, 'POST', '/api/v1/namespaces/default/configmaps', { body: big });
  expect(tooLarge.status).toBe(413);
  expect(JSON.parse(tooLarge.body)).toMatchObject({ kind: 'Status', code: 413, reason: 'RequestEntityTooLarge' });
  expect((await h2(session, 'GET', '/api/v1/namespaces/default')).status).toBe(200); // the session survives

  // A ServiceAccount's token: not exempt like the admin, so the per-user limit (burst 3, 1/s) applies.
  await c.k('create', 'serviceaccount', 'h2-flood');
  const token = (await c.k('create', 'token', 'h2-flood')).trim();
  const flood = await Promise.all(Array.from({ length: 20 }, () => h2(session, 'GET', '/apis', { token })));
  const refused = flood.filter((a) => a.status === 429);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) {
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
  }
  expect(flood.every((a) => a.status === 200 || a.status === 429)).toBe(true);
});
