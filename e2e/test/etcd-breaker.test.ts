// Issue 9, defect 5: one client's oversized writes must not take the API down. Three POSTs
// of a ConfigMap carrying a 2.5 MB unknown field (or JSON patches that copy a big value until
// the object is over etcd's limit) used to open the etcd client's circuit breaker: every
// request of every user answered 500 "circuit breaker is open" and /readyz failed for ~5 s.
// Oversized objects are now refused before etcd (413, or 422 where a kind limits its data), and
// the etcd client counts only unavailability against etcd (libs/storage etcd-fault-handling.ts,
// whose integration test sends the oversized writes to etcd itself).
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const CMS = '/api/v1/namespaces/default/configmaps';
const json = { 'content-type': 'application/json' };

/** The API answers normally: a read, a small write, and readiness. */
async function expectServing(tag: string): Promise<void> {
  const get = await c.request('GET', '/api/v1/namespaces/default');
  expect([get.status, get.body.includes('circuit breaker')]).toEqual([200, false]);
  const small = await c.request('POST', CMS, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `small-${tag}` }, data: { k: 'v' } }), headers: json });
  expect([small.status, small.body.includes('circuit breaker')]).toEqual([201, false]);
  const ready = await c.request('GET', '/readyz');
  expect(ready.status).toBe(200);
}

test('three POSTs of 2.5 MB objects are refused alone (a strict unknown field, a pod\'s args); the API stays up and ready', async () => {
  const strict = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { k: 'v' }, junk: 'j'.repeat(2_500_000) });
  const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'huge' }, spec: { containers: [{ name: 'c', image: 'busybox', args: ['a'.repeat(2_500_000)] }] } });
  for (let i = 0; i < 3; i++) {
    const res = await c.request('POST', `${CMS}?fieldValidation=Strict`, { body: strict, headers: json });
    expect(res.status >= 400 && res.status < 500).toBe(true); // the unknown field (fieldValidation's own test pins the code)
    const big = await c.request('POST', '/api/v1/namespaces/default/pods', { body: pod, headers: json });
    expect(big.status).toBe(413);
    expect(big.body).not.toMatch(/circuit breaker/);
  }
  await expectServing('after-posts');
  expect((await c.request('GET', `${CMS}/huge`)).status).toBe(404);
  expect((await c.request('GET', '/api/v1/namespaces/default/pods/huge')).status).toBe(404);
});

test('JSON patches that amplify an object past etcd\'s limit are refused alone; the API stays up and ready', async () => {
  const big = 'b'.repeat(900_000);
  expect((await c.request('POST', CMS, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'amplified' }, data: { a: big } }), headers: json })).status).toBe(201);
  const patch = JSON.stringify([{ op: 'copy', from: '/data/a', path: '/data/b' }, { op: 'copy', from: '/data/a', path: '/data/c' }]);
  for (let i = 0; i < 3; i++) {
    const res = await c.request('PATCH', `${CMS}/amplified`, { body: patch, headers: { 'content-type': 'application/json-patch+json' } });
    expect([413, 422]).toContain(res.status); // over the storage limit, or over a ConfigMap's 1 MiB of data
    expect(res.body).not.toMatch(/circuit breaker/);
  }
  await expectServing('after-patches');
  const stored = JSON.parse((await c.request('GET', `${CMS}/amplified`)).body) as { data: Record<string, string> };
  expect(Object.keys(stored.data)).toEqual(['a']);
});
