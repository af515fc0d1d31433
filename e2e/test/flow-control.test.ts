// Limits and the audit log, against a real gateway: a flooding user gets 429 with Retry-After
// while another user's and a controller's requests keep working, and real controllers scale a
// Deployment during a sustained flood; a user's concurrent watches are capped; kubectl's create
// is audited with its user, verb, object and code, a refused credential with code 401 and no
// user, and a policy rule with level None drops a user's lines.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientRequest } from 'node:http';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
const CONTROLLERS = ['deployment-controller', 'replicaset-controller'];
let work: string;
let auditLog: string;

const TOKENS = {
  flooder: 'flooder-token-0123456789',
  bystander: 'bystander-token-0123456789',
  observer: 'observer-token-0123456789',
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
    // Real controllers (own tokens, group system:keelson, NATS users) that must keep working during a flood.
    services: CONTROLLERS,
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
      `${TOKENS.observer},observer,observer,"devs"`,
      `${TOKENS.quiet},quiet,quiet,"devs"`,
      `${TOKENS.scheduler},system:keelson:scheduler,system:keelson:scheduler,"system:keelson"`,
      `${TOKENS.watcher},system:keelson:test-watcher,system:keelson:test-watcher,"system:keelson"`,
      '',
    ].join('\n'),
  );
  await c.killGateway('SIGTERM');
  await c.startGateway();
  await Promise.all(CONTROLLERS.map((name) => c.startService(name)));
  // Whatever the authorization mode, the watchers may watch ConfigMaps.
  await c.k('create', 'clusterrole', 'flow-watch', '--verb=get,list,watch', '--resource=configmaps');
  await c.k('create', 'clusterrolebinding', 'flow-watch', '--clusterrole=flow-watch', '--user=system:keelson:test-watcher', '--user=system:keelson:scheduler');
}, 180_000); // a cluster, a gateway restart and two controllers: slow on a loaded machine, not a bound
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

describe('a sustained flood', () => {
  test('a Deployment scaled while a user floods reaches its replicas: the controllers keep working, the flooder keeps getting 429', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'during-flood', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'during-flood' } }, template: { metadata: { labels: { app: 'during-flood' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    expect((await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify(deployment), headers: { 'content-type': 'application/json' } })).status).toBe(201);
    const replicas = async (): Promise<number | undefined> =>
      (JSON.parse((await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/during-flood')).body) as { status?: { replicas?: number } }).status?.replicas;
    await until('the Deployment has its first pod', async () => (await replicas()) === 1, 90_000);

    // The flood runs until the controllers are done: four clients, one user, no pause.
    let flooding = true;
    let rejectedAfterScale = 0;
    let scaled = false;
    const flooders = Array.from({ length: 4 }, async () => {
      while (flooding) {
        const r = await as(TOKENS.flooder, '/apis');
        if (r.status === 429 && scaled) rejectedAfterScale++;
      }
    });
    try {
      await until('the flooder is refused', async () => (await as(TOKENS.flooder, '/apis')).status === 429);
      await c.k('scale', 'deployment/during-flood', '--replicas=4');
      scaled = true;
      // A user with a burst of its own (the first test spent the bystander's).
      const bystander = await Promise.all(Array.from({ length: 3 }, () => as(TOKENS.observer, '/apis')));
      expect(bystander.map((r) => r.status)).toEqual([200, 200, 200]);
      // deployment-controller scales the ReplicaSet, replicaset-controller creates the pods, and
      // both report status: all through the gateway the flooder is hammering.
      await until('the Deployment reaches 4 replicas', async () => (await replicas()) === 4, 90_000);
    } finally {
      flooding = false;
      await Promise.all(flooders);
    }
    expect(rejectedAfterScale).toBeGreaterThan(0);
    const pods = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dduring-flood')).body) as { items: unknown[] };
    expect(pods.items).toHaveLength(4);
  }, 200_000);
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
  user: { username?: string; groups?: string[] };
  objectRef?: { resource: string; name?: string; namespace?: string; apiGroup: string; apiVersion: string; subresource?: string };
  responseStatus: { code: number; message?: string };
  requestURI: string;
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

  // Issue 9: only authenticated requests were audited, so probing with stolen or guessed tokens left no trace.
  test('a refused token and a request without credentials are audited: no user, verb, object, code 401 (kube`s failed-authentication event)', async () => {
    const stolen = await c.request('GET', '/api/v1/namespaces/default/secrets?limit=1', { token: 'guessed-token-0123456789' });
    const bare = await c.request('DELETE', '/api/v1/namespaces/victim', { token: null });
    expect([stolen.status, bare.status]).toEqual([401, 401]);
    const stolenId = stolen.headers.get('audit-id');
    const bareId = bare.headers.get('audit-id');
    const e = await eventually(() => auditEvents().find((ev) => ev.auditID === stolenId));
    expect(e).toMatchObject({
      level: 'Metadata',
      stage: 'ResponseStarted',
      verb: 'list',
      user: {},
      requestURI: '/api/v1/namespaces/default/secrets?limit=1',
      objectRef: { resource: 'secrets', namespace: 'default', apiGroup: '', apiVersion: 'v1' },
      responseStatus: { code: 401, message: 'Authentication failed, attempted: bearer' },
      sourceIPs: ['127.0.0.1'],
    });
    expect(e.user).toEqual({});
    // Never the credential itself.
    expect(JSON.stringify(e)).not.toContain('guessed-token');
    const b = await eventually(() => auditEvents().find((ev) => ev.auditID === bareId));
    expect(b).toMatchObject({ verb: 'delete', user: {}, objectRef: { resource: 'namespaces', name: 'victim' }, responseStatus: { code: 401, message: 'Authentication failed, no credentials provided' } });
    expect(auditEvents().filter((ev) => ev.auditID === stolenId || ev.auditID === bareId)).toHaveLength(2);
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
