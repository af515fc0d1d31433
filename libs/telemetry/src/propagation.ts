// W3C trace-context helpers: carry a span context through etcd annotations and NATS headers as strings.
import { context, propagation, trace, ROOT_CONTEXT, TraceFlags, type Context, type Link, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { randomHexId } from './ids';
import { backgroundTraced, untracedCallsAreBackground } from './sdk';

// Used directly (not the global propagator) so these helpers work even before startTelemetry.
const w3c = new W3CTraceContextPropagator();

type Carrier = Record<string, string>;
const getter: TextMapGetter<Carrier> = {
  keys: (c) => Object.keys(c),
  get: (c, k) => c[k],
};

/** The `traceparent` of the span in `ctx` (default: the active context), or undefined when there is none. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  return traceHeadersOf(ctx).traceparent;
}

/** `traceparent` and, when present, `tracestate` for the span in `ctx`. */
export function traceHeadersOf(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: Carrier = {};
  w3c.inject(ctx, carrier, { set: (c, k, v) => { c[k] = v; } });
  return carrier;
}

/**
 * A context whose remote parent is the given `traceparent`; start a span in it to continue the trace.
 * Missing or malformed input yields ROOT_CONTEXT, so a new trace starts instead of failing.
 */
export function contextFromTraceparent(tp: string | undefined, tracestate?: string, base: Context = ROOT_CONTEXT): Context {
  if (!tp) return base;
  const carrier: Carrier = { traceparent: tp };
  if (tracestate) carrier.tracestate = tracestate;
  return w3c.extract(base, carrier, getter);
}

/**
 * A context whose parent is a fresh, NOT sampled span context: work started in it (heartbeats,
 * lease renewals, resyncs, informer lists) is dropped by a parent-based sampler here and, since
 * `traceparent` carries the flag (`-00`), in every service it reaches, instead of each call
 * starting a root trace. KEELSON_TRACE_BACKGROUND=true (or a sampler that ignores the parent,
 * such as always_on) traces it anyway.
 */
export function backgroundContext(base: Context = ROOT_CONTEXT): Context {
  if (backgroundTraced()) return base;
  return trace.setSpanContext(base, {
    traceId: randomHexId(16),
    spanId: randomHexId(8),
    traceFlags: TraceFlags.NONE,
    isRemote: true,
  });
}

/**
 * Injects the trace context into any string map (HTTP headers, NATS headers) via the global
 * propagator. In a service (telemetry started), a call made outside any span is background
 * work and carries a non-sampled context, so the gateway does not start a root trace for it.
 */
export function injectInto(carrier: Record<string, string>, ctx: Context = context.active()): void {
  const sc = trace.getSpanContext(ctx);
  const traced = sc !== undefined && trace.isSpanContextValid(sc);
  propagation.inject(traced || !untracedCallsAreBackground() ? ctx : backgroundContext(ctx), carrier);
}

/** Span links to the given traceparents (the other causes of a reconcile), skipping malformed ones. */
export function linksTo(traceparents: readonly string[]): Link[] {
  const links: Link[] = [];
  for (const tp of traceparents) {
    const sc = trace.getSpanContext(contextFromTraceparent(tp));
    if (sc && trace.isSpanContextValid(sc)) links.push({ context: sc });
  }
  return links;
}

/** The active span's trace and span ids, if a valid span is active. */
export function activeIds(ctx: Context = context.active()): { traceId: string; spanId: string } | undefined {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { traceId: sc.traceId, spanId: sc.spanId };
}
