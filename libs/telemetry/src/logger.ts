// The one structured logger every Keelson process uses: pino writing JSON lines, one shape
// everywhere:
//
//   {"level":"info","time":"2026-11-29T16:00:00.000Z","service":"scheduler","traceId":"…","spanId":"…","pod":"default/web-1","msg":"bound"}
//
// `traceId`/`spanId` are those of the span active when the line is written (absent outside a
// span), so a log line can be found from its trace and the other way round. The minimum level
// comes from KEELSON_LOG_LEVEL, else LOG_LEVEL, else `info`.
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { activeIds } from './propagation';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ controller: 'deployment' }`). */
  child(fields: LogFields): Logger;
  /** Whether lines at `level` are written: a hot path skips building fields no one reads. */
  isLevelEnabled?(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Minimum level; default KEELSON_LOG_LEVEL, else LOG_LEVEL, else 'info'. */
  level?: LogLevel;
  /** Where lines go (one call per line, newline included); default stdout, written synchronously. */
  write?: (line: string) => void;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * The level named by the environment: KEELSON_LOG_LEVEL wins over LOG_LEVEL; an unknown name
 * falls back to `info` (a typo must not silence a service). pino's `trace`, `fatal` and
 * `silent` are accepted too.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const l = (env.KEELSON_LOG_LEVEL || env.LOG_LEVEL || '').trim().toLowerCase();
  return LEVELS.has(l) ? l : 'info';
}

// One synchronous stdout stream for every logger of the process: a fatal line written just
// before process.exit is not lost in a buffer, and lines of different loggers never interleave.
let stdout: DestinationStream | undefined;
function defaultDestination(): DestinationStream {
  stdout ??= pino.destination({ fd: 1, sync: true });
  return stdout;
}

// The span active at the time of the call, merged into the line (fields of the call win).
function traceFields(): Record<string, string> {
  const ids = activeIds();
  return ids ? { traceId: ids.traceId, spanId: ids.spanId } : {};
}

function serializeError(e: Error): Record<string, unknown> {
  return { name: e.name, message: e.message, stack: e.stack };
}

// Errors do not serialize with JSON; keep their name, message and stack whatever the field's name.
function withErrors(fields: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const k in fields) {
    const v = fields[k];
    if (v instanceof Error) (out ??= { ...fields })[k] = serializeError(v);
  }
  return out ?? fields;
}

function wrap(p: PinoLogger): Logger {
  return {
    debug: (m, f) => (f ? p.debug(withErrors(f), m) : p.debug(m)),
    info: (m, f) => (f ? p.info(withErrors(f), m) : p.info(m)),
    warn: (m, f) => (f ? p.warn(withErrors(f), m) : p.warn(m)),
    error: (m, f) => (f ? p.error(withErrors(f), m) : p.error(m)),
    child: (fields) => wrap(p.child(withErrors(fields))),
    isLevelEnabled: (level) => p.isLevelEnabled(level),
  };
}

export function createLogger(service: string, opts: LoggerOptions = {}, base: LogFields = {}): Logger {
  const write = opts.write;
  const destination: DestinationStream = write ? { write: (line: string) => write(line) } : defaultDestination();
  const root = pino(
    {
      level: opts.level ?? logLevelFromEnv(),
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      // Level names, not pino's numbers: the same `level` every Keelson line had before pino.
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    destination,
  );
  return wrap(Object.keys(base).length ? root.child(withErrors(base)) : root);
}
