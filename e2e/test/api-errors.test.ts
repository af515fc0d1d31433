// Bad input gets a Kubernetes Status with the right code and never changes stored data;
// optimistic concurrency; acknowledged writes survive a SIGKILLed gateway.
import { Etcd3 } from 'etcd3';
import { startControlPlane as startCluster, type ControlPlane as TestCluster } from '@keelson/testing';

jest.setTimeout(60_000);

let c: TestCluster;
let etcd: Etcd3;

beforeAll(async () => {
  c = await startCluster();
  etcd = new Etcd3(c.etcd.clientOptions);
});
afterAll(async () => {
  etcd?.close();
  await c?.stop();
});

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra });
const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  c.request('POST', path, { body, headers: { 'content-type': 'application/json', ...headers } });

/** Every key and value under /registry, to prove a rejected request wrote nothing. */
async function snapshot(): Promise<Record<string, string>> {
  return etcd.getAll().prefix('/registry/').strings();
}

function expectStatus(res: { status: number; body: string }, code: number, reason: string): Record<string, any> {
  expect(res.status).toBe(code);
  const s = JSON.parse(res.body);
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  return s;
}

describe('bad input', () => {
  let before: Record<string, string>;
  beforeAll(async () => {
    expect((await post(PODS, pod('keeper'))).status).toBe(201);
    before = await snapshot();
  });
  afterAll(async () => {
    expect(await snapshot()).toEqual(before);
  });

  test('malformed JSON is 400 BadRequest', async () => {
    expectStatus(await post(PODS, '{"apiVersion": "v1", "kind": '), 400, 'BadRequest');
  });

  test('a missing required field is 422 Invalid with causes', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-image' }, spec: { containers: [{ name: 'c' }] } });
    const s = expectStatus(await post(PODS, body), 422, 'Invalid');
    expect(s.details.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueRequired', field: 'spec.containers[0].image' }));
  });

  test('a bad name is 422 Invalid naming metadata.name', async () => {
    const s = expectStatus(await post(PODS, pod('Bad_Name')), 422, 'Invalid');
    expect(s.details.causes).toContainEqual(expect.objectContaining({ field: 'metadata.name' }));
  });

  test('an unknown field under fieldValidation=Strict is 400, a strict decoding error as kube answers', async () => {
    const body = pod('strict', { spec: { containers: [{ name: 'c', image: 'busybox', imagePullPolicyy: 'Always' }] } });
    const s = expectStatus(await post(`${PODS}?fieldValidation=Strict`, body), 400, 'BadRequest');
    expect(s.message).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"');
  });

  test('a malformed percent-escape in the path is 400 and the gateway keeps serving', async () => {
    expectStatus(await c.request('GET', '/api/v1/namespaces/%E0%A4%A/pods'), 400, 'BadRequest');
    expect((await c.request('GET', `${PODS}/keeper`)).status).toBe(200);
  });

  test('an unknown resource is 404', async () => {
    expectStatus(await c.request('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    expectStatus(await c.request('GET', `${PODS}/nope`), 404, 'NotFound');
  });

  test('no token or a bad token is 401', async () => {
    expectStatus(await c.request('GET', PODS, { token: null }), 401, 'Unauthorized');
    expectStatus(await c.request('POST', PODS, { token: 'not-a-token', body: pod('x'), headers: { 'content-type': 'application/json' } }), 401, 'Unauthorized');
  });

  test('a 4 MiB body is 413', async () => {
    const huge = pod('huge', { metadata: { name: 'huge', annotations: { big: 'x'.repeat(4 * 1024 * 1024) } } });
    expectStatus(await post(PODS, huge), 413, 'RequestEntityTooLarge');
  });

  test('creating an existing name is 409 AlreadyExists', async () => {
    expectStatus(await post(PODS, pod('keeper')), 409, 'AlreadyExists');
  });
});

test('two concurrent updates at the same resourceVersion: exactly one succeeds, the other gets 409', async () => {
  const created = JSON.parse((await post(PODS, pod('contended'))).body);
  const update = (label: string) => {
    const next = { ...created, metadata: { ...created.metadata, labels: { writer: label } } };
    return c.request('PUT', `${PODS}/contended`, { body: JSON.stringify(next), headers: { 'content-type': 'application/json' } });
  };
  const results = await Promise.all([update('a'), update('b')]);
  expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  const loser = results.find((r) => r.status === 409)!;
  expect(JSON.parse(loser.body).reason).toBe('Conflict');
  const winner = JSON.parse(results.find((r) => r.status === 200)!.body);
  const stored = JSON.parse((await c.request('GET', `${PODS}/contended`)).body);
  expect(stored.metadata.labels).toEqual(winner.metadata.labels);
});

test('a watch from a compacted revision gets 410 Gone', async () => {
  const first = JSON.parse((await post(PODS, pod('old-rev'))).body);
  for (let i = 0; i < 3; i++) await post(PODS, pod(`churn-${i}`));
  const rev = Number((await etcd.get('/registry/core/pods/default/churn-2').exec()).header.revision);
  await etcd.kv.compact({ revision: rev, physical: true });
  await c.killGateway();
  await c.startGateway(); // a fresh watch cache starts after the compaction
  const res = await c.request('GET', `${PODS}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
  const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  const list = await c.request('GET', `${PODS}?limit=1&continue=${encodeURIComponent(Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(first.metadata.resourceVersion), start: 'a' })).toString('base64'))}`);
  expectStatus(list, 410, 'Expired');
});

test('the gateway killed with SIGKILL and restarted keeps every acknowledged write', async () => {
  const acknowledged: string[] = [];
  const writes = Array.from({ length: 40 }, (_, i) =>
    post(PODS, pod(`durable-${i}`)).then((r) => {
      if (r.status === 201) acknowledged.push(`durable-${i}`);
    }, () => undefined),
  );
  await new Promise((r) => setTimeout(r, 30));
  await c.killGateway('SIGKILL');
  await Promise.all(writes);
  await c.startGateway();
  const names = new Set(JSON.parse((await c.request('GET', PODS)).body).items.map((p: any) => p.metadata.name));
  for (const n of acknowledged) expect(names).toContain(n);
});
