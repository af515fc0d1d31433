// One user action is one trace, across every process, as a user sees it: the cluster runs
// exactly as `npm start` runs it (infra/local's supervisor) with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at a real OTLP/HTTP receiver in this test; real kubectl drives it.
import { randomBytes } from 'node:crypto';
import { startLocalCluster, startOtlpReceiver, type LocalCluster, type OtlpReceiver, type ReceivedSpan } from '@keelson/testing';

jest.setTimeout(90_000);

let c: LocalCluster;
let otlp: OtlpReceiver;

// The hook's timeout is above startLocalCluster's own ready deadline (180 s), which then reports
// which service was not ready and the cluster log, and stops the supervisor (a jest hook timeout
// would leave it running). In CI ~25 processes load their modules on 2 cores: 90 s was too short.
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  // A short resync period, so resyncs happen while the test runs (they must not become traces).
  c = await startLocalCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, KEELSON_RESYNC_PERIOD_MS: '2000' } });
}, 200_000);
afterAll(async () => {
  await c?.stop();
  await otlp?.stop();
});

const SERVER = 2; // OTLP SpanKind
const PRODUCER = 4;

/** The spans of one trace, with a walk up the parent chain. */
function traceOf(traceId: string): { spans: ReceivedSpan[]; byId: Map<string, ReceivedSpan>; ancestors(s: ReceivedSpan): ReceivedSpan[] } {
  const spans = otlp.spans.filter((s) => s.traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const ancestors = (s: ReceivedSpan): ReceivedSpan[] => {
    const out: ReceivedSpan[] = [];
    for (let p = s.parentSpanId && byId.get(s.parentSpanId); p; p = p.parentSpanId && byId.get(p.parentSpanId)) out.push(p);
    return out;
  };
  return { spans, byId, ancestors };
}

const podStarts = (spans: ReceivedSpan[]): ReceivedSpan[] => spans.filter((s) => s.service === 'kubelet' && s.name === 'pod start');
const readyPodStart = (tr: ReturnType<typeof traceOf>) => (s: ReceivedSpan): boolean => tr.spans.some((x) => x.name === 'first probe success' && x.parentSpanId === s.spanId);

async function podsRunning(selector: string, n: number): Promise<void> {
  for (;;) {
    const phases = (await c.k('get', 'pods', '-l', selector, '-o', 'jsonpath={.items[*].status.phase}')).split(' ').filter((p) => p === 'Running');
    if (phases.length >= n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a write continues the caller trace: request span → etcd spans, context stored as keelson.dev/traceparent', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'traced' }, data: { a: '1' } });
  const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` } });
  expect(res.status).toBe(201);
  const [, storedTrace, storedSpan] = JSON.parse(res.body).metadata.annotations['keelson.dev/traceparent'].split('-');
  expect(storedTrace).toBe(traceId);

  await otlp.waitFor((all) => all.some((s) => s.traceId === traceId && s.name.startsWith('publish ')));
  const tr = traceOf(traceId);
  const request = tr.spans.find((s) => s.parentSpanId === callerSpan)!;
  expect(request).toMatchObject({ service: 'api-gateway', kind: SERVER, name: 'POST /api/v1/namespaces/{namespace}/configmaps', spanId: storedSpan });
  const etcd = tr.spans.filter((s) => s.name.startsWith('etcd '));
  expect(etcd.length).toBeGreaterThan(0);
  for (const s of etcd) expect(s.parentSpanId).toBe(request.spanId);
  // The relay's publish follows the write: messaging conventions, the subject as destination.
  const publish = tr.spans.find((s) => s.name.startsWith('publish '))!;
  expect(publish).toMatchObject({ kind: PRODUCER, parentSpanId: request.spanId });
  expect(publish.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'publish', 'messaging.destination.name': 'keelson.events.core.configmaps.default' });
});

test('kubectl create deployment is one trace from the gateway through both controllers and the scheduler to both kubelets; kubectl scale is another', async () => {
  await c.k('create', 'deployment', 'web', '--replicas=2', '--image=busybox', '--', 'sleep', '3600');
  await podsRunning('app=web', 2);
  // The gateway exports in batches (every few seconds): pods may run before its create span arrives.
  const isCreate = (s: ReceivedSpan): boolean => s.service === 'api-gateway' && s.name === 'POST /apis/apps/v1/namespaces/{namespace}/deployments';
  const create = await otlp.waitFor((all) => all.some(isCreate), 30_000).then((all) => all.find(isCreate)!);
  expect(create).toBeDefined();
  expect(create.parentSpanId).toBeUndefined(); // kubectl sends no trace context: the action's root

  // Every process exports on its own schedule: wait until both pods' starts (through first
  // probe success) arrived and every span's parent did too.
  await otlp.waitFor(() => {
    const tr = traceOf(create.traceId);
    const complete = tr.spans.every((s) => s === create || tr.ancestors(s).at(-1) === create);
    return complete && new Set(podStarts(tr.spans).filter(readyPodStart(tr)).map((s) => s.attributes['k8s.node.name'])).size === 2;
  }, 30_000);
  const tr = traceOf(create.traceId);
  const services = new Set(tr.spans.map((s) => s.service));
  for (const svc of ['api-gateway', 'deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet']) expect(services).toContain(svc);

  const named = (svc: string, name: string): ReceivedSpan[] => tr.spans.filter((s) => s.service === svc && s.name === name);
  const has = (s: ReceivedSpan, svc: string, name: string): boolean => tr.ancestors(s).some((a) => a.service === svc && a.name === name);

  // gateway request → etcd txn, and → the relay's publish → the deployment controller's reconcile.
  expect(tr.spans.some((s) => s.name.startsWith('etcd ') && s.parentSpanId === create.spanId)).toBe(true);
  const published = tr.spans.find((s) => s.kind === PRODUCER && s.parentSpanId === create.spanId)!;
  expect(published.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'keelson.events.apps.deployments.default' });
  expect(named('deployment-controller', 'reconcile deployment').some((s) => s.parentSpanId === published.spanId)).toBe(true);

  // Its ReplicaSet write → the replicaset controller's reconcile → the pods' creates.
  const rsCreate = named('api-gateway', 'POST /apis/apps/v1/namespaces/{namespace}/replicasets');
  expect(rsCreate).toHaveLength(1);
  expect(has(rsCreate[0], 'deployment-controller', 'reconcile deployment')).toBe(true);
  const podCreates = named('api-gateway', 'POST /api/v1/namespaces/{namespace}/pods');
  expect(podCreates).toHaveLength(2);
  for (const p of podCreates) {
    expect(has(p, 'replicaset-controller', 'reconcile replicaset')).toBe(true);
    expect(tr.ancestors(p).at(-1)).toBe(create);
  }

  // Each pod → a scheduling cycle → bind → the binding request.
  const bindings = named('api-gateway', 'POST /api/v1/namespaces/{namespace}/pods/{name}/binding');
  expect(bindings).toHaveLength(2);
  for (const b of bindings) {
    expect(tr.byId.get(b.parentSpanId!)).toMatchObject({ service: 'scheduler', name: 'bind' });
    expect(has(b, 'scheduler', 'reconcile scheduler')).toBe(true);
    expect(tr.ancestors(b).some((a) => podCreates.includes(a))).toBe(true);
  }

  // … → each kubelet's pod start (sandbox, process start, first probe success), after its binding.
  const starts = podStarts(tr.spans).filter(readyPodStart(tr));
  expect(new Set(starts.map((s) => s.attributes['k8s.node.name']))).toEqual(new Set(['node-1', 'node-2']));
  for (const s of starts) {
    expect(tr.ancestors(s).some((a) => bindings.includes(a))).toBe(true);
    const steps = tr.spans.filter((x) => x.parentSpanId === s.spanId).map((x) => x.name);
    expect(steps).toEqual(expect.arrayContaining(['sandbox', 'start process', 'first probe success']));
  }

  // Correctly parented: every span of the trace reaches the root through exported parents.
  for (const s of tr.spans) if (s !== create) expect(tr.ancestors(s).at(-1)).toBe(create);

  // A later scale is its own trace, again reaching the scheduler and a kubelet.
  await c.k('scale', 'deployment', 'web', '--replicas=3');
  await podsRunning('app=web', 3);
  const scale = await otlp.waitFor((all) => all.some((s) => s.name === 'PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'), 30_000)
    .then((all) => all.find((s) => s.name === 'PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale')!);
  expect(scale.traceId).not.toBe(create.traceId);
  expect(scale.parentSpanId).toBeUndefined();
  // As above: each service exports on its own batch schedule (the kubelet's spans can arrive
  // before the replicaset controller's that caused them), so wait until every parent is in.
  await otlp.waitFor(() => {
    const st = traceOf(scale.traceId);
    return st.spans.every((s) => s === scale || st.ancestors(s).at(-1) === scale) && podStarts(st.spans).some(readyPodStart(st));
  }, 30_000);
  const scaled = new Set(traceOf(scale.traceId).spans.map((s) => s.service));
  for (const svc of ['api-gateway', 'deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet']) expect(scaled).toContain(svc);

  // Heartbeats (node leases, node status), leader-election renewals, informer lists and
  // resyncs (every 2 s here) ran all along: none of them is a trace of its own.
  const roots = otlp.spans.filter((s) => !s.parentSpanId);
  const background = roots.filter((s) => s.service !== 'api-gateway' || /leases|\/nodes|\/status$|\/events|binding|^GET \/api\/v1\/pods$|^GET \/apis\/apps\/v1\/replicasets$/.test(s.name));
  expect(background.map((s) => `${s.service}: ${s.name}`)).toEqual([]);
  expect(otlp.spans.some((s) => s.name.startsWith('reconcile ') && s.attributes['keelson.key'] === 'default/web' && !s.parentSpanId)).toBe(false);
});
