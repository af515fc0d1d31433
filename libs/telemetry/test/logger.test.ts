import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, logLevelFromEnv, startTelemetry, tracer } from '../src';

type Line = Record<string, unknown>;

function capture(level?: 'debug' | 'info' | 'warn' | 'error'): { lines: Line[]; raw: string[]; write: (l: string) => void; level?: typeof level } {
  const raw: string[] = [];
  const lines: Line[] = [];
  return { lines, raw, level, write: (l) => { raw.push(l); lines.push(JSON.parse(l) as Line); } };
}

describe('the structured logger', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry('logger-test', { spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
  afterAll(() => telemetry.shutdown());

  it('a line written inside a span carries that span\'s traceId and spanId, also from a child logger', async () => {
    const out = capture();
    const log = createLogger('scheduler', out).child({ controller: 'scheduler' });
    let ids: { traceId: string; spanId: string } | undefined;
    tracer().startActiveSpan('schedule', (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      log.info('bound', { pod: 'default/web-1' });
      span.end();
    });
    await telemetry.forceFlush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'schedule')!;
    expect(ids).toEqual({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ level: 'info', service: 'scheduler', controller: 'scheduler', pod: 'default/web-1', msg: 'bound', ...ids });
  });

  it('a nested span\'s line carries the inner span id, and a line after the span none', () => {
    const out = capture();
    const log = createLogger('kubelet', out);
    let inner = '';
    context.with(trace.deleteSpan(context.active()), () => {
      tracer().startActiveSpan('pod start', (outer) => {
        tracer().startActiveSpan('process start', (s) => {
          inner = s.spanContext().spanId;
          log.debug('hidden at info');
          log.warn('slow start');
          s.end();
        });
        outer.end();
      });
      log.error('after');
    });
    expect(out.lines.map((l) => l.msg)).toEqual(['slow start', 'after']);
    expect(out.lines[0].spanId).toBe(inner);
    expect(out.lines[1]).not.toHaveProperty('traceId');
    expect(out.lines[1]).not.toHaveProperty('spanId');
  });

  it('every line has one shape: level name, ISO time, service, msg, one JSON object per line', () => {
    const out = capture('debug');
    const log = createLogger('api-gateway', out);
    log.debug('d');
    log.info('i', { n: 1 });
    log.warn('w');
    log.error('e', { err: new Error('boom'), cause: new TypeError('bad type') });
    expect(out.raw.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(out.lines.map((l) => l.level)).toEqual(['debug', 'info', 'warn', 'error']);
    for (const l of out.lines) {
      expect(l.service).toBe('api-gateway');
      expect(new Date(l.time as string).toISOString()).toBe(l.time);
      expect(l).not.toHaveProperty('pid');
      expect(l).not.toHaveProperty('hostname');
    }
    // Errors keep their message and stack whatever field holds them.
    expect(out.lines[3].err).toMatchObject({ name: 'Error', message: 'boom' });
    expect(out.lines[3].cause).toMatchObject({ name: 'TypeError', message: 'bad type' });
    expect(String((out.lines[3].err as { stack: string }).stack)).toContain('logger.test');
  });

  it('a circular field does not throw from a log call', () => {
    const out = capture();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => createLogger('svc', out).info('loop', { loop })).not.toThrow();
    expect(out.lines[0]).toMatchObject({ msg: 'loop', loop: { a: 1, self: '[Circular]' } });
  });

  it('the level comes from KEELSON_LOG_LEVEL, else LOG_LEVEL, else info; an unknown name is info', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug', KEELSON_LOG_LEVEL: 'ERROR' })).toBe('error');
    expect(logLevelFromEnv({ KEELSON_LOG_LEVEL: 'verbose' })).toBe('info');
  });

  it('writes to stdout by default, honouring LOG_LEVEL from the environment of a real process', () => {
    const script = `
      const { createLogger } = require(${JSON.stringify(join(__dirname, '../dist/logger.js'))});
      const log = createLogger('child');
      log.info('not shown'); log.warn('shown', { k: 'v' });`;
    // The built module (npm test builds first), in a process of its own: its real stdout.
    const r = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, KEELSON_LOG_LEVEL: '', LOG_LEVEL: 'warn' }, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', service: 'child', msg: 'shown', k: 'v' })]);
  });

  it('says which levels it writes, so a hot path can skip building a line no one reads', () => {
    const out = capture();
    const log = createLogger('levels', { level: 'info', write: out.write });
    expect(log.isLevelEnabled?.('debug')).toBe(false);
    expect(log.isLevelEnabled?.('info')).toBe(true);
    expect(log.child({ k: 'v' }).isLevelEnabled?.('warn')).toBe(true);
    expect(createLogger('levels', { level: 'debug', write: out.write }).isLevelEnabled?.('debug')).toBe(true);
  });
});
