// OpenTelemetry SDK set-up for one Keelson service: our own spans only (no auto-instrumentation),
// W3C trace-context propagation, OTLP/HTTP export only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
import { trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TelemetryHandle {
  /** Exports every ended span now (tests, and before a planned exit). */
  forceFlush(): Promise<void>;
  /** Flushes pending spans and stops exporting; safe to call twice. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Replaces the env-driven span processors (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

let defaultServiceName = 'keelson';

/** Span processors from the environment: OTLP/HTTP when an endpoint is configured, otherwise none exporting. */
export function spanProcessorsFromEnv(env: NodeJS.ProcessEnv = process.env): SpanProcessor[] {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    // Still register a provider so spans get real trace ids for log correlation and propagation.
    return [new NoopSpanProcessor()];
  }
  // The exporter appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT itself; a low timeout keeps
  // shutdown quick when the collector is down (the default waits ~7 s).
  const exporter = new OTLPTraceExporter({ timeoutMillis: Number(env.KEELSON_OTLP_TIMEOUT_MS ?? 2000) });
  return [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, exportTimeoutMillis: 2000 })];
}

/**
 * Starts tracing for this process. Call once, first thing in a service's main.
 * The service name is OTEL_SERVICE_NAME when set (compose replicas), else `serviceName`.
 */
export function startTelemetry(serviceName: string, opts: TelemetryOptions = {}): TelemetryHandle {
  const env = opts.env ?? process.env;
  defaultServiceName = env.OTEL_SERVICE_NAME || serviceName;
  const sdk = new NodeSDK({
    serviceName: defaultServiceName,
    instrumentations: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors: opts.spanProcessors ?? spanProcessorsFromEnv(env),
    // Empty lists (not undefined) stop the SDK from adding default OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  const processors = opts.spanProcessors;
  return {
    async forceFlush(): Promise<void> {
      // NodeSDK has no flush of its own; flush the processors we know, else the global provider.
      const provider = trace.getTracerProvider() as { forceFlush?: () => Promise<void> };
      if (processors) await Promise.all(processors.map((p) => p.forceFlush()));
      else await provider.forceFlush?.();
    },
    shutdown(): Promise<void> {
      stopped ??= sdk.shutdown().catch((err: unknown) => {
        // Export failures at exit are not worth crashing for; say why spans may be missing.
        process.stderr.write(`telemetry shutdown failed: ${String(err)}\n`);
      });
      return stopped;
    },
  };
}

/** A tracer from the global provider; named after the service unless told otherwise. */
export function tracer(name?: string): Tracer {
  return trace.getTracer(name ?? defaultServiceName);
}
