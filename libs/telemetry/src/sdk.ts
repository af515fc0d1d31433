// OpenTelemetry SDK set-up for one Keelson service: our own spans only (no auto-instrumentation),
// W3C trace-context propagation, OTLP/HTTP export only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
// Sampling is the SDK's, from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default
// parentbased_always_on): background work (heartbeats, lease renewals, resyncs) runs under a
// non-sampled parent (propagation.ts' backgroundContext), so a parent-based sampler drops it in
// every service it reaches instead of starting a root trace.
import { SpanKind, trace, type Attributes, type Context, type Link, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, NoopSpanProcessor, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler,
  type Sampler, type SamplingResult, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NonRecordingTracerProvider } from './non-recording';

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
// One SDK per process: the Manager starts it for every service, a main or a test may have already.
let current: TelemetryHandle | undefined;

let traceBackground = false;

/**
 * True once startTelemetry ran in this process: its API calls outside any span are then
 * background (sent under a non-sampled parent), unless KEELSON_TRACE_BACKGROUND=true.
 */
export function untracedCallsAreBackground(): boolean {
  return current !== undefined && !traceBackground;
}

/** KEELSON_TRACE_BACKGROUND=true: heartbeats, renewals and resyncs are traced like everything else. */
export function backgroundTraced(): boolean {
  return traceBackground;
}

/**
 * The sampler OTEL_TRACES_SAMPLER names (with OTEL_TRACES_SAMPLER_ARG for the ratio ones),
 * default parentbased_always_on, as the OpenTelemetry SDK specification lists them.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = () => new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG !== undefined && arg >= 0 && arg <= 1 ? arg : 1);
  switch (name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return ratio();
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      process.stderr.write(`OTEL_TRACES_SAMPLER=${name} is not supported here; using parentbased_always_on\n`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Background calls are no trace of their own: a CLIENT span with no parent (the gateway's own
 * etcd calls outside any request: bootstrap, compaction, the relay's election) is dropped;
 * everything else is up to `inner`. KEELSON_TRACE_BACKGROUND=true keeps them.
 */
export class BackgroundDroppingSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (kind === SpanKind.CLIENT && !trace.getSpanContext(ctx)) return { decision: SamplingDecision.NOT_RECORD };
    return this.inner.shouldSample(ctx, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `BackgroundDropping{${this.inner.toString()}}`;
  }
}

const tracesEndpoint = (env: NodeJS.ProcessEnv): string | undefined => env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;

/**
 * The process's sampler: the environment's (with background calls dropped, unless
 * KEELSON_TRACE_BACKGROUND) when its spans go somewhere; when nothing exports them, none is
 * recorded, as with OTEL_TRACES_SAMPLER=always_off (building, timing and ending spans nobody
 * receives was 8–9 % of the kubelet's and the scheduler's CPU). startTelemetry then registers no
 * SDK provider at all but non-recording.ts', whose spans keep real ids for logs and propagation.
 */
export function traceSampler(env: NodeJS.ProcessEnv, exporting: boolean, background: boolean): Sampler {
  if (!exporting) return new AlwaysOffSampler();
  return background ? samplerFromEnv(env) : new BackgroundDroppingSampler(samplerFromEnv(env));
}

/** Span processors from the environment: OTLP/HTTP when an endpoint is configured, otherwise none exporting. */
export function spanProcessorsFromEnv(env: NodeJS.ProcessEnv = process.env): SpanProcessor[] {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) {
    // Nothing exports (startTelemetry then uses the non-recording tracer provider instead).
    return [new NoopSpanProcessor()];
  }
  // The exporter appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT itself. 5 s (the SDK's 10 s
  // default halved) keeps shutdown bounded when the collector is down; 2 s lost whole batches when
  // a loaded machine's collector answered slowly (a CI run's trace test missed the root span).
  const timeoutMs = Number(env.KEELSON_OTLP_TIMEOUT_MS ?? 5000);
  const exporter = new OTLPTraceExporter({ timeoutMillis: timeoutMs });
  return [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, exportTimeoutMillis: timeoutMs })];
}

/**
 * Starts tracing for this process. Call once, first thing in a service's main.
 * The service name is OTEL_SERVICE_NAME when set (compose replicas), else `serviceName`.
 */
export function startTelemetry(serviceName: string, opts: TelemetryOptions = {}): TelemetryHandle {
  // A second call (the Manager after a main, or a test that set up its own exporter) keeps the first.
  if (current) return current;
  const env = opts.env ?? process.env;
  defaultServiceName = env.OTEL_SERVICE_NAME || serviceName;
  const background = /^(1|true|yes|on)$/i.test(env.KEELSON_TRACE_BACKGROUND ?? '');
  traceBackground = background;
  const exporting = opts.spanProcessors !== undefined || tracesEndpoint(env) !== undefined;
  const sdk = new NodeSDK({
    serviceName: defaultServiceName,
    instrumentations: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    sampler: traceSampler(env, exporting, background),
    // Nothing exporting: no SDK tracer provider at all (an empty list registers none), the
    // non-recording one below instead; the SDK still sets up the context manager and propagator.
    spanProcessors: exporting ? (opts.spanProcessors ?? spanProcessorsFromEnv(env)) : [],
    // Empty lists (not undefined) stop the SDK from adding default OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  if (!exporting) trace.setGlobalTracerProvider(new NonRecordingTracerProvider());
  let stopped: Promise<void> | undefined;
  const processors = opts.spanProcessors;
  current = {
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
  return current;
}

/** A tracer from the global provider; named after the service unless told otherwise. */
export function tracer(name?: string): Tracer {
  return trace.getTracer(name ?? defaultServiceName);
}
