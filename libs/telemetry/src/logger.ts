// JSON-lines logger: one object per line on stdout with the active trace id for correlation.
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
}

export interface LoggerOptions {
  /** Minimum level; default KEELSON_LOG_LEVEL or 'info'. */
  level?: LogLevel;
  /** Where lines go; default process.stdout. */
  write?: (line: string) => void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function parseLevel(v: string | undefined): LogLevel {
  const l = (v ?? '').toLowerCase();
  return l === 'debug' || l === 'info' || l === 'warn' || l === 'error' ? l : 'info';
}

// Errors do not serialize with JSON.stringify; keep their message and stack.
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(service: string, opts: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = rank[opts.level ?? parseLevel(process.env.KEELSON_LOG_LEVEL)];
  const write = opts.write ?? ((line: string) => { process.stdout.write(line); });
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[level] < min) return;
    const ids = activeIds();
    const record = { time: new Date().toISOString(), level, service, msg, traceId: ids?.traceId, spanId: ids?.spanId, ...base, ...fields };
    let line: string;
    try {
      line = JSON.stringify(record, replacer);
    } catch (err) {
      // Circular fields: log the message without them rather than throwing from a log call.
      line = JSON.stringify({ time: record.time, level, service, msg, traceId: record.traceId, spanId: record.spanId, logError: String(err) });
    }
    write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(service, { ...opts, level: opts.level ?? parseLevel(process.env.KEELSON_LOG_LEVEL) }, { ...base, ...fields }),
  };
}
