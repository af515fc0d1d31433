// Namespace deletion as in Kubernetes: Terminating while its finalizer holds it, no new
// content accepted, and removed once the finalize subresource clears spec.finalizers.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const json = (o: unknown) => ({ body: JSON.stringify(o), headers: { 'content-type': 'application/json' } });

test('a deleted namespace is Terminating until finalized, and refuses new content meanwhile', async () => {
  await c.k('create', 'namespace', 'doomed');
  expect((await c.kubectl(['delete', 'namespace', 'doomed', '--wait=false'])).code).toBe(0);
  expect(await c.k('get', 'ns', 'doomed')).toMatch(/^doomed\s+Terminating\s/m);

  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  const refused = await c.request('POST', '/api/v1/namespaces/doomed/pods', json(pod));
  expect(refused.status).toBe(403);
  expect(JSON.parse(refused.body).message).toMatch(/because it is being terminated/);

  const ns = JSON.parse((await c.request('GET', '/api/v1/namespaces/doomed')).body);
  expect(ns.spec.finalizers).toEqual(['kubernetes']);
  const finalized = await c.request('PUT', '/api/v1/namespaces/doomed/finalize', json({ ...ns, spec: { finalizers: [] } }));
  expect(finalized.status).toBe(200);
  expect((await c.request('GET', '/api/v1/namespaces/doomed')).status).toBe(404);
});

test('the bootstrap namespaces cannot be deleted', async () => {
  const r = await c.kubectl(['delete', 'namespace', 'kube-system']);
  expect(r.stderr).toMatch(/Forbidden.*this namespace may not be deleted/);
});
