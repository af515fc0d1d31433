// @keelson/telemetry: tracing set-up, W3C propagation helpers and the JSON-lines logger.
export { startTelemetry, spanProcessorsFromEnv, tracer } from './sdk';
export type { TelemetryHandle, TelemetryOptions } from './sdk';
export { traceparentOf, traceHeadersOf, contextFromTraceparent, injectInto, activeIds } from './propagation';
export { createLogger } from './logger';
export type { Logger, LogLevel, LogFields, LoggerOptions } from './logger';
