// A span around one async step (bind, pod sandbox, process start), active while it runs so
// the API calls inside continue it; a thrown error marks the span failed and is rethrown.
import { SpanStatusCode, context, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { tracer } from './sdk';

export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  const span = tracer().startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

// The API pieces services need to keep a span open across callbacks, without each depending on @opentelemetry/api.
export { SpanStatusCode, context, trace } from '@opentelemetry/api';
export type { Attributes, Context, Span } from '@opentelemetry/api';
