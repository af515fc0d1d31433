// /openapi/v2 over HTTP, and the real kubectl reading it: client-go's discovery asks for the
// gnostic protobuf form only and parses every definition (kubectl explain's openapiv2 output,
// helm's manifest validation in helm.test.ts).
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

const PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let c: ControlPlane;
beforeAll(async () => {
  // Debug logging lists every request, so the test can see kubectl fetch the document.
  c = await startControlPlane({ env: { KEELSON_LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await c?.stop();
});

test('JSON when asked for JSON: Swagger 2.0 with definitions and kube extensions', async () => {
  const r = await c.request('GET', '/openapi/v2', { headers: { accept: 'application/json' } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json');
  const doc = JSON.parse(r.body);
  expect(doc.swagger).toBe('2.0');
  expect(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].get['x-kubernetes-action']).toBe('get');
});

test('protobuf when asked for protobuf, with an ETag that answers 304', async () => {
  const r = await c.request('GET', '/openapi/v2', { headers: { accept: PROTOBUF } });
  expect(r.status).toBe(200);
  // Answered with kube-openapi's '.' spelling: Go's mime parser (client-go) rejects the '@'.
  expect(r.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  // Document.swagger (field 1, length-delimited) comes first: 0x0a, 3, "2.0".
  expect(Buffer.from(r.body, 'latin1').subarray(0, 5)).toEqual(Buffer.from([0x0a, 3, 0x32, 0x2e, 0x30]));
  const etag = r.headers.get('etag')!;
  expect(etag).toMatch(/^"[0-9A-F]{128}"$/);
  const again = await c.request('GET', '/openapi/v2', { headers: { accept: PROTOBUF, 'if-none-match': etag } });
  expect(again.status).toBe(304);
  expect(again.body).toBe('');
});

test('a media type it cannot serve is 406 NotAcceptable', async () => {
  const r = await c.request('GET', '/openapi/v2', { headers: { accept: 'text/html' } });
  expect(r.status).toBe(406);
  expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
});

test('kubectl explain --output=plaintext-openapiv2 reads the protobuf document through client-go', async () => {
  const served = (): number => (c.gatewayLog().match(/"path":"\/openapi\/v2","status":200/g) ?? []).length;
  const before = served();
  // client-go's discovery fetches the protobuf form and its proto-models parser reads every definition.
  const out = await c.k('explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2');
  expect(out).toContain('KIND:     Deployment');
  expect(out).toMatch(/rollingUpdate\s+<Object>/);
  // The request is logged when its response closes, which may be just after kubectl exits.
  await until('the gateway to log the /openapi/v2 request', async () => served() === before + 1, 5_000);
});

test('kubectl create --validate=true still refuses a field the schema does not have', async () => {
  const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'validated' }, data: { a: 'b' } });
  expect(await c.kubectl(['create', '--validate=true', '-f', '-'], { input: manifest })).toMatchObject({ code: 0, stdout: expect.stringContaining('configmap/validated created') });
  const bad = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, dataa: { a: 'b' } });
  const res = await c.kubectl(['create', '--validate=true', '-f', '-'], { input: bad });
  expect(res.code).not.toBe(0);
  expect(res.stderr).toContain('dataa');
});
