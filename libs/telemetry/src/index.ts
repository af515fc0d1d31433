// @keelson/telemetry: tracing set-up, W3C propagation helpers and the JSON-lines logger.
export { startTelemetry, spanProcessorsFromEnv, telemetryStarted, tracer } from './sdk';
export type { TelemetryHandle, TelemetryOptions } from './sdk';
export { traceparentOf, traceHeadersOf, contextFromTraceparent, injectInto, activeIds, backgroundContext, linksTo } from './propagation';
export { createLogger, logLevelFromEnv } from './logger';
export type { Logger, LogLevel, LogFields, LoggerOptions } from './logger';
