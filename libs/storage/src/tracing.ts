// Every etcd call runs in an OpenTelemetry client span (a no-op without an SDK).
import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

export const defaultTracer = (): Tracer => trace.getTracer('@keelson/storage');

export async function inSpan<T>(tracer: Tracer, op: string, key: string, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`etcd ${op}`, { kind: SpanKind.CLIENT, attributes: { 'db.system': 'etcd', 'db.operation': op, 'keelson.etcd.key': key } }, async (span) => {
    try {
      return await fn();
    } catch (e) {
      span.recordException(e instanceof Error ? e : String(e));
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}
