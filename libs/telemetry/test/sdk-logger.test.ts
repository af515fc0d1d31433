import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTelemetry, tracer, traceparentOf, spanProcessorsFromEnv } from '../src';

describe('startTelemetry and the JSON logger', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry('test-service', { spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });

  afterAll(() => telemetry.shutdown());

  it('spans started through tracer() are recorded with the service name', async () => {
    tracer().startActiveSpan('work', (span) => span.end());
    await telemetry.forceFlush();
    const [s] = exporter.getFinishedSpans();
    expect(s.name).toBe('work');
    expect(s.resource.attributes['service.name']).toBe('test-service');
  });

  it('a log line inside an active span carries its traceId and spanId', async () => {
    const lines: string[] = [];
    const log = createLogger('test-service', { write: (l) => lines.push(l) });
    tracer().startActiveSpan('reconcile', (span) => {
      log.info('reconciled', { key: 'default/web' });
      expect(traceparentOf()).toContain(span.spanContext().traceId);
      span.end();
    });
    await telemetry.forceFlush();
    const rec = JSON.parse(lines[0]) as Record<string, unknown>;
    const span = exporter.getFinishedSpans().find((s) => s.name === 'reconcile');
    expect(rec).toMatchObject({ level: 'info', service: 'test-service', msg: 'reconciled', key: 'default/web' });
    expect(rec.traceId).toBe(span?.spanContext().traceId);
    expect(rec.spanId).toBe(span?.spanContext().spanId);
    expect(typeof rec.time).toBe('string');
  });

  it('outside a span there is no traceId, and levels below the minimum are dropped', () => {
    const lines: string[] = [];
    const log = createLogger('svc', { level: 'warn', write: (l) => lines.push(l) });
    context.with(trace.deleteSpan(context.active()), () => {
      log.info('hidden');
      log.error('boom', { err: new Error('bad') });
    });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]) as { traceId?: string; err: { message: string } };
    expect(rec.traceId).toBeUndefined();
    expect(rec.err.message).toBe('bad');
  });

  it('child loggers add their fields to every line', () => {
    const lines: string[] = [];
    createLogger('svc', { write: (l) => lines.push(l) }).child({ controller: 'deployment' }).info('x');
    expect(JSON.parse(lines[0])).toMatchObject({ controller: 'deployment', msg: 'x' });
  });

  it('exports over OTLP only when an endpoint is configured', () => {
    expect(spanProcessorsFromEnv({})[0].constructor.name).toBe('NoopSpanProcessor');
    const [p] = spanProcessorsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(p.constructor.name).toBe('BatchSpanProcessor');
    return p.shutdown();
  });
});
