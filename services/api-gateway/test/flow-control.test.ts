import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendError } from '../src/http/io';
import { FlowControl, classify, flowControlConfigFromEnv, parseGoDuration, type FlowControlConfig } from '../src/http/flow-control';
import type { ResourceRequest } from '../src/http/request-info';
import { createGatewayServer, type SecureServer } from '../src/http/secure-server';

const user = (name: string, groups: string[] = ['system:authenticated']) => ({ name, uid: name, groups });
const rr = (verb: ResourceRequest['verb'], resource = 'configmaps', group = ''): ResourceRequest => ({ group, version: 'v1', resource, verb, namespace: 'default' });

describe('classify (kube default FlowSchemas)', () => {
  test.each([
    [user('admin', ['system:masters', 'system:authenticated']), rr('list'), 'exempt'],
    [user('system:node:n1', ['system:nodes', 'system:authenticated']), rr('get', 'pods'), 'system'],
    [user('system:keelson:scheduler', ['system:keelson']), rr('update', 'leases', 'coordination.k8s.io'), 'leader-election'],
    [user('system:keelson:scheduler', ['system:keelson']), rr('create', 'bindings'), 'workload-high'],
    [user('system:serviceaccount:kube-system:x', ['system:serviceaccounts']), rr('list'), 'workload-high'],
    [user('system:serviceaccount:default:x', ['system:serviceaccounts']), rr('list'), 'workload-low'],
    [user('alice'), rr('list'), 'global-default'],
    [user('nobody', []), undefined, 'catch-all'],
  ])('%o %o → %s', (u, r, level) => expect(classify(u, r)).toBe(level));
});

test('parseGoDuration reads what clients send', () => {
  expect(parseGoDuration('30s')).toBe(30_000);
  expect(parseGoDuration('1m30s')).toBe(90_000);
  expect(parseGoDuration('250ms')).toBe(250);
  expect(parseGoDuration('bogus')).toBeUndefined();
  expect(parseGoDuration(null)).toBeUndefined();
});

test('environment overrides, and a bad number is refused', () => {
  const c = flowControlConfigFromEnv({ KEELSON_FLOW_USER_QPS: '3', KEELSON_FLOW_GLOBAL_DEFAULT_SEATS: '7', KEELSON_REQUEST_TIMEOUT_SECONDS: '5' });
  expect(c).toMatchObject({ userQps: 3, requestTimeoutMs: 5000, levels: { 'global-default': { seats: 7 } } });
  expect(() => flowControlConfigFromEnv({ KEELSON_FLOW_USER_BURST: '-1' })).toThrow(/KEELSON_FLOW_USER_BURST/);
});

describe('seats, queues and timeouts on a real HTTP server', () => {
  let server: Server;
  let port: number;
  const held: ServerResponse[] = [];
  const base = flowControlConfigFromEnv({});
  let fc: FlowControl;

  const start = async (config: FlowControlConfig): Promise<void> => {
    fc = new FlowControl(config);
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const name = url.searchParams.get('user') ?? 'alice';
      fc.admit(req, res, user(name), rr('list'), url.searchParams)
        .then(() => {
          if (url.pathname === '/hold') held.push(res); // answered by the test (or the timeout)
          else if (url.pathname !== '/never') res.end('ok');
        })
        .catch((e: unknown) => sendError(res, e));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  };
  afterEach(async () => {
    held.splice(0).forEach((r) => r.end('ok'));
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const get = (path: string) =>
    new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] as string | undefined }));
      })
        .on('error', reject)
        .end();
    });
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  test('one seat: the next request of the user waits, one more is refused with 429, the wait ends when the seat frees', async () => {
    await start({ ...base, userQps: 0, userBurst: 0, queueWaitMs: 10_000, levels: { ...base.levels, 'global-default': { seats: 1, queueLength: 1 } } });
    const first = get('/hold');
    await until(() => held.length === 1);
    const queued = get('/hold');
    await new Promise((r) => setTimeout(r, 50));
    expect(held).toHaveLength(1); // still waiting for the seat
    const refused = await get('/hold');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.' });
    // Another user has its own queue.
    const other = get('/hold?user=bob');
    held.shift()!.end('done');
    expect((await first).status).toBe(200);
    await until(() => held.length === 1);
    held.shift()!.end('done');
    expect((await queued).status).toBe(200);
    await until(() => held.length === 1);
    held.shift()!.end('done');
    expect((await other).status).toBe(200);
  });

  test('a queued request that waits too long is refused with 429', async () => {
    await start({ ...base, userQps: 0, userBurst: 0, queueWaitMs: 50, levels: { ...base.levels, 'global-default': { seats: 1, queueLength: 5 } } });
    const first = get('/hold');
    await until(() => held.length === 1);
    expect((await get('/hold')).status).toBe(429);
    held.shift()!.end('done');
    expect((await first).status).toBe(200);
  });

  test('a request past its deadline answers 504 Timeout; ?timeout= shortens it', async () => {
    await start({ ...base, requestTimeoutMs: 60_000 });
    const res = await get('/never?timeout=100ms');
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 504, reason: 'Timeout', message: 'Timeout: request did not complete within requested timeout - context deadline exceeded' });
  });

  test('the per-user token bucket refuses beyond the burst, per user', async () => {
    await start({ ...base, userQps: 0.001, userBurst: 2 });
    expect((await get('/x')).status).toBe(200);
    expect((await get('/x')).status).toBe(200);
    const refused = await get('/x');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await get('/x?user=bob')).status).toBe(200);
  });
});

// The gateway's own HTTP/2 server, and a client that gives up on a queued request by resetting its
// stream (what Keelson's client does when a call's deadline passes, as leader election's renewals).
describe('over HTTP/2: a request its client cancelled while it waited for a seat', () => {
  let dir: string;
  let gw: SecureServer;
  let port: number;
  let fc: FlowControl;
  const held: ServerResponse[] = [];
  const base = flowControlConfigFromEnv({});

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flow-h2-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    fc = new FlowControl({ ...base, userQps: 0, userBurst: 0, queueWaitMs: 10_000, levels: { ...base.levels, 'leader-election': { seats: 1, queueLength: 10 } } });
    gw = createGatewayServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')), maxHeaderBytes: 1 << 20, keepAliveTimeoutMs: 5000 }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      fc.admit(req, res, user('system:keelson:scheduler', ['system:keelson']), rr('update', 'leases', 'coordination.k8s.io'), url.searchParams)
        .then(() => {
          if (url.pathname === '/hold') held.push(res);
          else res.end('ok');
        })
        .catch((e: unknown) => sendError(res, e));
    }, () => undefined);
    await new Promise<void>((r) => gw.server.listen(0, '127.0.0.1', r));
    port = (gw.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    held.splice(0).forEach((r) => r.end('ok'));
    gw.closeAllConnections();
    await new Promise((r) => gw.server.close(r));
  });

  test('does not keep the seat it is granted after its stream was reset: later requests still get one', async () => {
    const session = connect(`https://127.0.0.1:${port}`, { ca: readFileSync(join(dir, 'cert.pem')) });
    try {
      const call = (path: string, signal?: AbortSignal) =>
        new Promise<number>((resolve, reject) => {
          const s = session.request({ ':method': 'PUT', ':path': path }, { signal });
          let status = 0;
          s.on('response', (h) => (status = Number(h[':status'])));
          s.on('error', reject);
          s.on('close', () => (status ? resolve(status) : reject(new Error(`reset (${s.rstCode})`))));
          s.resume();
          s.end();
        });
      const first = call('/hold');
      for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(held).toHaveLength(1);
      // Queued behind the held seat; its client gives up (RST_STREAM CANCEL) before the seat frees.
      const abandoned = new AbortController();
      const gaveUp = call('/abandoned', abandoned.signal);
      await new Promise((r) => setTimeout(r, 100));
      abandoned.abort();
      await expect(gaveUp).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      held.shift()!.end('done');
      expect(await first).toBe(200);
      // The level's one seat is free again: the next request is served, not queued until 429.
      const next = await Promise.race([call('/next'), new Promise<string>((r) => setTimeout(() => r('still queued after 3 s'), 3000))]);
      expect(next).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(fc.levelStates().find((l) => l.level === 'leader-election')).toEqual({ level: 'leader-election', executing: 0, waiting: 0 });
    } finally {
      session.close();
    }
  });
});
