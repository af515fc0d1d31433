// Limits and the audit log, against a real gateway: a flooding user gets 429 with Retry-After
// while another user's and a controller's requests keep working; a user's concurrent watches
// are capped; kubectl's create is audited with its user, verb, object and code, and a policy
// rule with level None drops a user's lines.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientRequest } from 'node:http';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
let work: string;
let auditLog: string;

const TOKENS = {
  flooder: 'flooder-token-0123456789',
  bystander: 'bystander-token-0123456789',
  quiet: 'quiet-token-0123456789',
  // Service identities as the credentials tool makes them (group system:keelson).
  scheduler: 'scheduler-token-0123456789',
  watcher: 'watcher-token-0123456789',
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'keelson-flow-'));
  auditLog = join(work, 'audit.log');
  const policy = join(work, 'policy.yaml');
  writeFileSync(
    policy,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'rules:',
      '- level: None',
      '  users: ["quiet"]',
      '- level: RequestResponse',
      '  resources:',
      '  - group: ""',
      '    resources: ["namespaces"]',
      '- level: Metadata',
      '',
    ].join('\n'),
  );
  c = await startControlPlane({
    env: {
      KEELSON_FLOW_USER_QPS: '1',
      KEELSON_FLOW_USER_BURST: '5',
      KEELSON_FLOW_MAX_WATCHES_PER_USER: '2',
      KEELSON_AUDIT_LOG_PATH: auditLog,
      KEELSON_AUDIT_POLICY_FILE: policy,
    },
  });
  // More identities in the static token file; the gateway reads it at start.
  appendFileSync(
    c.creds.tokenFile,
    [
      `${TOKENS.flooder},flooder,flooder,"devs"`,
      `${TOKENS.bystander},bystander,bystander,"devs"`,
      `${TOKENS.quiet},quiet,quiet,"devs"`,
      `${TOKENS.scheduler},system:keelson:scheduler,system:keelson:scheduler,"system:keelson"`,
      `${TOKENS.watcher},system:keelson:test-watcher,system:keelson:test-watcher,"system:keelson"`,
      '',
    ].join('\n'),
  );
  await c.killGateway('SIGTERM');
  await c.startGateway();
  // Whatever the authorization mode, the watchers may watch ConfigMaps.
  await c.k('create', 'clusterrole', 'flow-watch', '--verb=get,list,watch', '--resource=configmaps');
  await c.k('create', 'clusterrolebinding', 'flow-watch', '--clusterrole=flow-watch', '--user=system:keelson:test-watcher', '--user=system:keelson:scheduler');
});
afterAll(async () => {
  await c?.stop();
  rmSync(work, { recursive: true, force: true });
});

const as = (token: string, path: string) => c.request('GET', path, { token });

describe('rate limits', () => {
  test('a flooding user gets 429 TooManyRequests with Retry-After; another user and a controller keep working', async () => {
    const [flood, bystander, controller] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => as(TOKENS.flooder, '/apis'))),
      // Sent during the flood: within its own burst (5).
      Promise.all(Array.from({ length: 4 }, () => as(TOKENS.bystander, '/apis'))),
      // Far beyond any user's burst: controllers are in their own priority level.
      Promise.all(Array.from({ length: 30 }, () => as(TOKENS.scheduler, '/api/v1/pods'))),
    ]);
    const rejected = flood.filter((r) => r.status === 429);
    // 40 requests with a burst of 5 at 1/s cannot all pass.
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body)).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        code: 429,
        reason: 'TooManyRequests',
        message: 'Too many requests, please try again later.',
        details: { retryAfterSeconds: expect.any(Number) },
      });
    }
    expect(flood.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(bystander.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(controller.map((r) => r.status)).toEqual(Array(30).fill(200));
    // The admin (system:masters) is exempt, as in kube's `exempt` FlowSchema.
    const admin = await Promise.all(Array.from({ length: 20 }, () => c.request('GET', '/apis')));
    expect(admin.every((r) => r.status === 200)).toBe(true);
  });
});

/** Opens a watch and resolves once its response headers arrive; the stream stays open. */
function openWatch(token: string, path: string): Promise<{ status: number; req: ClientRequest; body: () => string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${c.url}${path}`, { method: 'GET', headers: { authorization: `Bearer ${token}` }, ca: c.creds.caPem }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, req, body: () => text });
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

describe('watch limits', () => {
  test('a user holds at most KEELSON_FLOW_MAX_WATCHES_PER_USER watches; closing one frees its place', async () => {
    const path = '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=30';
    const w1 = await openWatch(TOKENS.watcher, path);
    const w2 = await openWatch(TOKENS.watcher, path);
    expect([w1.status, w2.status]).toEqual([200, 200]);
    const third = await openWatch(TOKENS.watcher, path);
    expect(third.status).toBe(429);
    await new Promise((r) => setTimeout(r, 50)); // let the body arrive
    expect(JSON.parse(third.body())).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
    // Another identity is not affected by this user's watches.
    const other = await openWatch(TOKENS.scheduler, path);
    expect(other.status).toBe(200);
    other.req.destroy();

    w1.req.destroy();
    // The server sees the close asynchronously: the place frees up.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const w = await openWatch(TOKENS.watcher, '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1');
      status = w.status;
      w.req.destroy();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    w2.req.destroy();
  });
});

interface AuditEvent {
  level: string;
  auditID: string;
  stage: string;
  verb: string;
  user: { username: string; groups: string[] };
  objectRef?: { resource: string; name?: string; namespace?: string; apiGroup: string; apiVersion: string; subresource?: string };
  responseStatus: { code: number };
  sourceIPs: string[];
  userAgent?: string;
  requestObject?: Record<string, any>;
  responseObject?: Record<string, any>;
  annotations: Record<string, string>;
}

const auditEvents = (): AuditEvent[] =>
  readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent);

async function eventually<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('audit event never appeared');
}

describe('audit log', () => {
  test('kubectl create namespace is one ResponseComplete line with user, verb, object, code and bodies (RequestResponse rule)', async () => {
    await c.k('create', 'namespace', 'audited');
    const e = await eventually(() => auditEvents().find((ev) => ev.verb === 'create' && ev.objectRef?.resource === 'namespaces' && ev.objectRef.name === 'audited'));
    expect(e).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      stage: 'ResponseComplete',
      user: { username: 'admin', groups: expect.arrayContaining(['system:masters', 'system:authenticated']) },
      objectRef: { resource: 'namespaces', name: 'audited', apiGroup: '', apiVersion: 'v1' },
      responseStatus: { code: 201 },
      sourceIPs: ['127.0.0.1'],
      userAgent: expect.stringMatching(/^kubectl/),
      requestObject: { kind: 'Namespace', metadata: { name: 'audited' } },
      responseObject: { kind: 'Namespace', metadata: { name: 'audited', uid: expect.any(String) } },
    });
    expect(e.auditID).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.annotations['apiserver.latency.k8s.io/total']).toMatch(/^\d+ms$/);
    expect(auditEvents().filter((ev) => ev.auditID === e.auditID)).toHaveLength(1);
  });

  test('Metadata level: no bodies; the trace id of the request is recorded; failures carry their code', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await c.request('GET', '/api/v1/namespaces/default/configmaps/missing', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.status).toBe(404);
    const auditId = res.headers.get('audit-id');
    expect(auditId).toBeTruthy();
    const e = await eventually(() => auditEvents().find((ev) => ev.auditID === auditId));
    expect(e).toMatchObject({ level: 'Metadata', verb: 'get', objectRef: { resource: 'configmaps', namespace: 'default', name: 'missing' }, responseStatus: { code: 404 } });
    expect(e.annotations['trace.keelson.io/trace-id']).toBe(traceId);
    expect(e.requestObject).toBeUndefined();
    expect(e.responseObject).toBeUndefined();
  });

  test('a rule with level None drops the user`s lines; the flooder`s 429s are audited', async () => {
    const res = await as(TOKENS.quiet, '/api/v1/namespaces?limit=1');
    const auditId = res.headers.get('audit-id');
    // A marker request after it: once its line is written, the quiet one would have been too.
    const marker = await c.request('GET', '/api/v1/namespaces/default');
    const markerId = marker.headers.get('audit-id');
    await eventually(() => auditEvents().find((ev) => ev.auditID === markerId));
    expect(auditId).toBeNull();
    expect(auditEvents().filter((ev) => ev.user.username === 'quiet')).toEqual([]);
    expect(auditEvents().some((ev) => ev.user.username === 'flooder' && ev.responseStatus.code === 429)).toBe(true);
  });
});
