// One write is one trace: the gateway continues the caller's trace, exports its request
// span and the etcd spans under it over OTLP, and stores the context on the object.
import { randomBytes } from 'node:crypto';
import { startControlPlane, startOtlpReceiver, type ControlPlane, type OtlpReceiver } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
let otlp: OtlpReceiver;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  c = await startControlPlane({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_SERVICE_NAME: 'api-gateway' } });
});
afterAll(async () => {
  await c?.stop();
  await otlp?.stop();
});

test('a create continues the caller trace, records etcd spans, and stores keelson.dev/traceparent', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'traced' }, data: { a: '1' } });
  const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', {
    body,
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
  });
  expect(res.status).toBe(201);
  const stored = JSON.parse(res.body);
  const [, storedTrace, storedSpan] = stored.metadata.annotations['keelson.dev/traceparent'].split('-');
  expect(storedTrace).toBe(traceId);

  const spans = await otlp.waitFor((all) => all.some((s) => s.traceId === traceId && s.name.startsWith('etcd ')));
  const inTrace = spans.filter((s) => s.traceId === traceId);
  const request = inTrace.find((s) => s.parentSpanId === callerSpan)!;
  expect(request).toBeDefined();
  expect(request.service).toBe('api-gateway');
  expect(request.name).toBe('POST /api/v1/namespaces/{namespace}/configmaps');
  expect(storedSpan).toBe(request.spanId);
  const etcdSpans = inTrace.filter((s) => s.name.startsWith('etcd '));
  expect(etcdSpans.length).toBeGreaterThan(0);
  for (const s of etcdSpans) expect(s.parentSpanId).toBe(request.spanId);
});
