// The service skeleton end to end: a Manager with leader election, an informer fed by NATS,
// a reconciler that writes through the API and records Events, health and metrics, and one
// trace from the triggering event through the reconcile to its API write.
import { connect, headers as natsHeaders, StorageType, type NatsConnection } from 'nats';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BUILTIN_RESOURCES, TRACEPARENT_ANNOTATION, type KubeObject } from '@keelson/api';
import { ALL_EVENTS_SUBJECT, encodeEnvelope, eventSubject, EVENTS_STREAM, HEADERS } from '@keelson/bus';
import { KeelsonClient } from '@keelson/client';
import { createLogger, startTelemetry, type TelemetryHandle } from '@keelson/telemetry';
import { startControlPlane, startNats, type ControlPlane, type NatsServer } from '@keelson/testing';
import { EVENTS, Manager, splitKey, type Reconciler } from '@keelson/controller-runtime';

jest.setTimeout(60_000);

const CM = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps')!;
const exporter = new InMemorySpanExporter();
let telemetry: TelemetryHandle;
let cp: ControlPlane;
let nats: NatsServer;
let nc: NatsConnection;
let client: KeelsonClient;

beforeAll(async () => {
  telemetry = startTelemetry('manager-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  nc = await connect({ servers: nats.url });
  await (await nc.jetstreamManager()).streams.add({ name: EVENTS_STREAM, subjects: [ALL_EVENTS_SUBJECT], storage: StorageType.Memory });
});
// A failing assertion must not leave the manager's server, timers and consumers running
// (jest would then never exit).
let running: Manager | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  await nc?.close();
  client?.close();
  await Promise.all([cp?.stop(), nats?.stop()]);
  await telemetry?.shutdown();
});

test('a reconcile continues the event trace, writes through the API with it, records aggregated Events', async () => {
  const mgr = await Manager.create('stamper', {
    client, nats: nc, logger: createLogger('stamper', { write: () => undefined }),
    config: { healthHost: '127.0.0.1', healthPort: 0, leaseNamespace: 'default', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 },
  });
  running = mgr;
  const recorder = mgr.recorder();
  const inf = mgr.informer(CM, 'default');
  // Stamps `seen: <resourceVersion>` on each ConfigMap it has not stamped yet.
  const stamper: Reconciler = {
    async reconcile(key) {
      const { namespace, name } = splitKey(key);
      const cm = inf.cache.getByName(namespace, name);
      if (!cm || (cm.data as Record<string, string> | undefined)?.stamped) return;
      const updated = await client.patch(CM, namespace, name, { data: { stamped: 'yes' } });
      recorder.event(updated, 'Normal', 'Stamped', 'stamped by the test controller');
      recorder.event(updated, 'Normal', 'Stamped', 'stamped by the test controller');
    },
  };
  mgr.newControllerManagedBy('stamper').for(CM, { namespace: 'default' }).withOptions({ concurrency: 2 }).complete(stamper);
  await mgr.start();
  const base = `http://127.0.0.1:${mgr.healthPort}`;
  await until(async () => (await fetch(`${base}/readyz`)).status === 200 && mgr.isLeader());
  expect(await (await fetch(`${base}/readyz`)).text()).toBe('ok: leading');
  expect((await fetch(`${base}/healthz`)).status).toBe(200);

  // Play the relay for one write, with the trace of the "kubectl apply" that made it.
  const traceId = 'e5'.repeat(16);
  const cm = await client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'traced', namespace: 'default' }, data: { a: '1' } });
  const h = natsHeaders();
  h.set(HEADERS.traceparent, `00-${traceId}-${'f6'.repeat(8)}-01`);
  await nc.jetstream().publish(eventSubject('', 'configmaps', 'default'), encodeEnvelope({ type: 'ADDED', object: cm, revision: Number(cm.metadata.resourceVersion), key: '/registry/configmaps/default/traced' }), { headers: h });

  let stamped: KubeObject | undefined;
  await until(async () => {
    stamped = await client.get(CM, 'default', 'traced');
    return (stamped.data as Record<string, string>).stamped === 'yes';
  });
  // The API write inside the reconcile carried the event's trace to the gateway.
  expect(stamped!.metadata.annotations?.[TRACEPARENT_ANNOTATION]?.split('-')[1]).toBe(traceId);
  // The reconcile span ends after its write returns: wait for it rather than race it.
  const reconcileSpan = () => exporter.getFinishedSpans().find((s) => s.name === 'reconcile stamper' && s.spanContext().traceId === traceId);
  await until(async () => reconcileSpan() !== undefined);
  const span = reconcileSpan();
  expect(span).toBeDefined();
  expect(span!.parentSpanContext?.spanId).toBe('f6'.repeat(8));

  await recorder.flush();
  const events = (await client.list(EVENTS, 'default', { fieldSelector: 'involvedObject.name=traced' })).items;
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ reason: 'Stamped', type: 'Normal', count: 2, involvedObject: { kind: 'ConfigMap', name: 'traced', uid: cm.metadata.uid } });
  expect(events[0].metadata.name).toMatch(/^traced\.[0-9a-f]+$/);

  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="stamper",result="success"\} [1-9]/);
  expect(metrics).toMatch(/controller_runtime_reconcile_time_seconds_count\{controller="stamper"\} [1-9]/);
  expect(metrics).toMatch(/workqueue_depth\{name="stamper"\}/);
  expect(metrics).toMatch(/workqueue_work_duration_seconds_count\{name="stamper"\} [1-9]/);
  expect(metrics).toMatch(/keelson_informer_lag_seconds_count\{resource="configmaps"\} [1-9]/);
  expect(metrics).toMatch(/leader_election_master_status\{name="stamper"\} 1/);

  await mgr.stop();
  running = undefined;
  expect((await fetch(`${base}/healthz`).catch(() => undefined))?.status).not.toBe(200);
});

async function until(f: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f().catch(() => false))) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
