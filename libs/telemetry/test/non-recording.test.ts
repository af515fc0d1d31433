// A service with nothing exporting spans (no OTLP endpoint): no span is recorded, yet every span
// has real ids — a child keeps its parent's trace — so logs correlate and contexts propagate.
import { ROOT_CONTEXT, TraceFlags, context, createTraceState, propagation, trace } from '@opentelemetry/api';
import { createLogger, startTelemetry, tracer, traceparentOf, withSpan } from '../src';

const telemetry = startTelemetry('quiet-service', { env: {} });
afterAll(() => telemetry.shutdown());

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const parentCtx = (flags: TraceFlags) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: PARENT_TRACE, spanId: 'b7ad6b7169203331', traceFlags: flags, isRemote: true, traceState: createTraceState('k=v') });

test('a root span: not recording, fresh valid ids, not sampled', () => {
  const a = tracer().startSpan('a', { attributes: { x: 1 } }, ROOT_CONTEXT);
  const b = trace.getTracer('@keelson/storage').startSpan('b', {}, ROOT_CONTEXT);
  for (const s of [a, b]) {
    expect(s.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(s.spanContext())).toBe(true);
    expect(s.spanContext().traceFlags).toBe(TraceFlags.NONE);
  }
  expect(a.spanContext().traceId).not.toBe(b.spanContext().traceId);
  expect(a.spanContext().spanId).not.toBe(b.spanContext().spanId);
  a.end();
  b.end();
});

test('a child keeps its parent\'s trace id and trace state, gets its own span id, and is not sampled even under a sampled parent', () => {
  for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
    const s = tracer().startSpan('child', {}, parentCtx(flags));
    expect(s.spanContext().traceId).toBe(PARENT_TRACE);
    expect(s.spanContext().spanId).not.toBe('b7ad6b7169203331');
    expect(s.spanContext().traceState?.get('k')).toBe('v');
    expect(s.spanContext().traceFlags).toBe(TraceFlags.NONE);
  }
  // `root: true` starts a new trace whatever the context holds.
  expect(tracer().startSpan('root', { root: true }, parentCtx(TraceFlags.SAMPLED)).spanContext().traceId).not.toBe(PARENT_TRACE);
});

test('an active span propagates as traceparent (-00) and its ids reach the log line', async () => {
  const lines: string[] = [];
  const log = createLogger('quiet-service', { write: (l) => lines.push(l) });
  const ids = tracer().startActiveSpan('reconcile', {}, parentCtx(TraceFlags.SAMPLED), (span) => {
    log.info('reconciled');
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    expect(carrier.traceparent).toBe(`00-${PARENT_TRACE}-${span.spanContext().spanId}-00`);
    expect(traceparentOf()).toBe(carrier.traceparent);
    return span.spanContext();
  });
  expect(JSON.parse(lines[0])).toMatchObject({ traceId: PARENT_TRACE, spanId: ids.spanId });
  // withSpan (the services' helper) runs its function in the span and rethrows its error.
  await expect(withSpan('step', {}, async (span) => {
    expect(trace.getSpan(context.active())).toBe(span);
    throw new Error('step failed');
  })).rejects.toThrow('step failed');
});
