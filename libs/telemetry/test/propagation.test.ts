import { trace, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { backgroundContext, contextFromTraceparent, traceparentOf, traceHeadersOf } from '../src';

describe('W3C trace-context propagation', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const t = provider.getTracer('test');

  afterAll(() => provider.shutdown());

  it('a span continued from a serialized traceparent keeps the trace id and has the sender as parent', () => {
    const parent = t.startSpan('kubectl apply');
    const tp = traceparentOf(trace.setSpan(ROOT_CONTEXT, parent));
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const child = t.startSpan('reconcile', {}, contextFromTraceparent(tp));
    child.end();
    parent.end();

    const [finishedChild] = exporter.getFinishedSpans().filter((s) => s.name === 'reconcile');
    expect(finishedChild.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(finishedChild.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(finishedChild.parentSpanContext?.isRemote).toBe(true);
  });

  it('tracestate travels with traceparent', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const headers = traceHeadersOf(contextFromTraceparent(tp, 'congo=t61rcWkgMzE'));
    expect(headers).toEqual({ traceparent: tp, tracestate: 'congo=t61rcWkgMzE' });
  });

  it('missing or malformed traceparent gives a context without a span', () => {
    expect(traceparentOf(contextFromTraceparent(undefined))).toBeUndefined();
    expect(traceparentOf(contextFromTraceparent('garbage'))).toBeUndefined();
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('background contexts carry valid, distinct, unsampled ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const sc = trace.getSpanContext(backgroundContext())!;
      expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(trace.isSpanContextValid(sc)).toBe(true);
      expect(sc.traceFlags).toBe(TraceFlags.NONE);
      seen.add(sc.traceId).add(sc.spanId);
    }
    expect(seen.size).toBe(2000);
  });
});
