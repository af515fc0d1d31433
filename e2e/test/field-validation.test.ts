// fieldValidation as kube-apiserver answers it: under Strict (kubectl's default) unknown and
// duplicate fields are one 400 BadRequest "strict decoding error" listing them in body order
// (kube's conformance test "should detect unknown and duplicate fields of a typed object"),
// under Warn each comes back as a `Warning: 299` header and the object is created without them.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const JSON_CT = { 'content-type': 'application/json' };
// The conformance test's body, verbatim in shape: spec.unknownField, then replicas twice.
const conformanceBody = (name: string): string => `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": { "name": "${name}", "labels": { "app": "nginx" } },
  "spec": {
    "unknownField": "foo",
    "replicas": 2,
    "replicas": 3,
    "selector": { "matchLabels": { "app": "nginx" } },
    "template": { "metadata": { "labels": { "app": "nginx" } }, "spec": { "containers": [{ "name": "nginx", "image": "nginx:latest" }] } }
  }
}`;
const status = (body: string): { code: number; reason: string; message: string } => JSON.parse(body);

describe('Strict', () => {
  test('unknown and duplicate fields of a typed object: 400 BadRequest naming both, in body order; nothing stored', async () => {
    const res = await c.request('POST', `${DEPLOYMENTS}?fieldManager=field_validation_mgr&fieldValidation=Strict`, { body: conformanceBody('my-dep'), headers: JSON_CT });
    expect(res.status).toBe(400);
    expect(status(res.body)).toMatchObject({
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"',
    });
    expect((await c.request('GET', `${DEPLOYMENTS}/my-dep`)).status).toBe(404);
  });

  test('unknown metadata fields, nested list items and map keys given twice', async () => {
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","unknownMeta":"foo","labels":{"a":"1","a":"2"}},"data":{"k":"v"}}`;
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body, headers: JSON_CT });
    expect(res.status).toBe(400);
    expect(status(res.body).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.unknownMeta", duplicate field "metadata.labels.a"');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', imagePullPolicyy: 'Always' }] } };
    const p = await c.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', { body: JSON.stringify(pod), headers: JSON_CT });
    expect(status(p.body)).toMatchObject({ code: 400, reason: 'BadRequest', message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"' });
  });

  test('an update (PUT) is refused the same way; a patch whose result has an unknown field gets the bare strict decoding error', async () => {
    await c.k('create', 'configmap', 'target', '--from-literal=a=1');
    const current = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps/target')).body) as Record<string, unknown>;
    const put = await c.request('PUT', '/api/v1/namespaces/default/configmaps/target?fieldValidation=Strict', { body: JSON.stringify({ ...current, bogus: 1 }), headers: JSON_CT });
    expect(status(put.body)).toMatchObject({ code: 400, message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"' });
    const patch = await c.request('PATCH', '/api/v1/namespaces/default/configmaps/target?fieldValidation=Strict', { body: '{"bogus":1,"data":{"b":"2"}}', headers: { 'content-type': 'application/merge-patch+json' } });
    expect(status(patch.body)).toMatchObject({ code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "bogus"' });
    expect(JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps/target')).body).data).toEqual({ a: '1' });
  });

  test('kubectl create (--validate=strict, its default) prints what it prints against kube', async () => {
    const manifest = conformanceBody('from-kubectl').replace('"replicas": 2,\n', '').replace('"unknownField": "foo"', '"foo": "bar"');
    for (const flags of [[], ['--validate=strict']]) {
      const r = await c.kubectl(['create', '-f', '-', ...flags], { input: manifest });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe('Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"');
    }
  });
});

describe('Warn', () => {
  test('each unknown or duplicate field is a Warning: 299 header, in body order; the object is created without them', async () => {
    const res = await c.request('POST', `${DEPLOYMENTS}?fieldValidation=Warn`, { body: conformanceBody('warned'), headers: JSON_CT });
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toBe('299 - "unknown field \\"spec.unknownField\\"", 299 - "duplicate field \\"spec.replicas\\""');
    const stored = JSON.parse((await c.request('GET', `${DEPLOYMENTS}/warned`)).body) as { spec: Record<string, unknown> };
    expect(stored.spec.replicas).toBe(3); // the last of the duplicates, as Go's decoder keeps
    expect(stored.spec).not.toHaveProperty('unknownField');
  });

  test('kubectl create --validate=warn prints each warning and creates the object', async () => {
    const manifest = conformanceBody('kubectl-warned').replace('"replicas": 2,\n', '').replace('"unknownField": "foo"', '"foo": "bar"');
    const r = await c.kubectl(['create', '-f', '-', '--validate=warn'], { input: manifest });
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('Warning: unknown field "spec.foo"');
    expect(r.stdout.trim()).toBe('deployment.apps/kubectl-warned created');
  });
});
