// The reconcile span: it continues the write that queued the key, links the other writes
// coalesced into it, and background work (a resync, an untraced trigger) is no trace at all —
// neither here nor, through the non-sampled traceparent its API calls carry, at the gateway.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { KubeObject } from '@keelson/api';
import { Controller, triggerMeta, type Reconciler } from '@keelson/controller-runtime';
import { createLogger, injectInto, startTelemetry, type TelemetryHandle } from '@keelson/telemetry';

const exporter = new InMemorySpanExporter();
let telemetry: TelemetryHandle;
beforeAll(() => {
  telemetry = startTelemetry('controller-tracing-test', { spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
});
afterAll(() => telemetry.shutdown());
beforeEach(() => exporter.reset());

const tp = (trace: string, span: string): string => `00-${trace.repeat(32 / trace.length)}-${span.repeat(16 / span.length)}-01`;

/** Runs one controller until `n` reconciles happened; returns the traceparent each one's API calls would send. */
async function run(n: number, queue: (c: Controller) => void): Promise<string[]> {
  const sent: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const reconciler: Reconciler = {
    async reconcile() {
      const headers: Record<string, string> = {};
      injectInto(headers);
      sent.push(headers.traceparent);
      if (sent.length === n) done();
    },
  };
  const c = new Controller({ name: 'widgets', reconciler, logger: createLogger('test', { level: 'error' }) });
  queue(c);
  c.start();
  await finished;
  await c.stop();
  return sent;
}

test('one reconcile serving several writes continues the newest and links the others', async () => {
  const [sent] = await run(1, (c) => {
    c.enqueue('ns/a', { traceparent: tp('a1', 'b1') });
    c.enqueue('ns/a', { traceparent: tp('a2', 'b2') });
    c.enqueue('ns/a', { traceparent: tp('a3', 'b3') });
  });
  const [span] = exporter.getFinishedSpans();
  expect(span.name).toBe('reconcile widgets');
  expect(span.spanContext().traceId).toBe('a3'.repeat(16));
  expect(span.parentSpanContext?.spanId).toBe('b3'.repeat(8));
  expect(span.links.map((l) => l.context.traceId).sort()).toEqual(['a1'.repeat(16), 'a2'.repeat(16)]);
  expect(span.attributes['keelson.causes']).toBe(3);
  // Its API calls continue the reconcile span.
  expect(sent).toBe(`00-${'a3'.repeat(16)}-${span.spanContext().spanId}-01`);
});

test('a resync and an untraced trigger reconcile under a non-sampled parent: nothing exported, API calls say -00', async () => {
  // A resync of an object a traced write made still does not continue (or start) a trace.
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', annotations: { 'keelson.dev/traceparent': tp('c1', 'd1') } } };
  const meta = triggerMeta(obj, { revision: 3, resync: true });
  expect(meta).toEqual({ background: true });
  const sent = await run(2, (c) => {
    c.enqueue('ns/a', meta);
    c.enqueue('ns/b');
  });
  expect(exporter.getFinishedSpans()).toEqual([]);
  for (const h of sent) expect(h).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  // Two background reconciles are two unrelated (dropped) traces, not one long-lived one.
  expect(new Set(sent.map((h) => h.split('-')[1])).size).toBe(2);
});

test('an API call outside any span is background too (heartbeats, lease renewals, informer lists)', () => {
  const headers: Record<string, string> = {};
  injectInto(headers);
  expect(headers.traceparent).toMatch(/-00$/);
});
