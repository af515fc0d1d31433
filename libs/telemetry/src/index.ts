// @keelson/telemetry: tracing set-up, W3C propagation helpers and the JSON-lines logger.
export { startTelemetry, spanProcessorsFromEnv, untracedCallsAreBackground, tracer } from './sdk';
export type { TelemetryHandle, TelemetryOptions } from './sdk';
export { traceparentOf, traceHeadersOf, contextFromTraceparent, injectInto, activeIds, backgroundContext, linksTo } from './propagation';
export { withSpan, SpanStatusCode, context, trace } from './spans';
export type { Attributes, Context, Span } from './spans';
export { createLogger, logLevelFromEnv } from './logger';
export type { Logger, LogLevel, LogFields, LoggerOptions } from './logger';
