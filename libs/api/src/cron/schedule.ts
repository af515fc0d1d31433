// CronJob schedules, as kube-apiserver validates them and the cronjob controller runs them.
//
// Kubernetes parses `spec.schedule` with robfig/cron's ParseStandard: exactly five fields
// (minute hour day-of-month month day-of-week), or one of the descriptors @yearly,
// @annually, @monthly, @weekly, @daily, @midnight, @hourly and `@every <duration>`.
// The field grammar itself is left to `cron-parser` (npm); this module only holds the
// rules where ParseStandard is stricter than that library (field count, seconds, the
// Quartz-only `L`, `W` and `#`), so the API server and the cronjob controller agree on
// what a schedule means. `spec.timeZone` names an IANA zone, checked against the zone
// database Node's Intl ships.

import { CronExpressionParser, type CronExpression } from 'cron-parser';

export class CronScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

/** robfig/cron's descriptors, as five-field expressions. */
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed schedule: either a cron expression or a fixed `@every` interval. */
export type CronSchedule = { kind: 'cron'; expression: string } | { kind: 'every'; intervalMs: number };

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for the `@every` descriptor; undefined when it does not parse. */
function parseGoDuration(text: string): number | undefined {
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/y;
  if (text === '0') return 0;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * GO_DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos > 0 ? total : undefined;
}

/**
 * Parses a schedule as ParseStandard does; throws CronScheduleError with robfig/cron's
 * message where Keelson reproduces it, else the parsing library's.
 */
export function parseSchedule(schedule: string): CronSchedule {
  let spec = schedule.trim();
  // ParseStandard accepts a leading TZ=/CRON_TZ= (the API refuses it separately).
  const tz = /^(?:CRON_TZ|TZ)=(\S*)\s*/.exec(spec);
  if (tz) {
    if (!isValidTimeZone(tz[1])) throw new CronScheduleError(`provided bad location ${tz[1]}: unknown time zone ${tz[1]}`);
    spec = spec.slice(tz[0].length);
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const text = spec.slice('@every '.length).trim();
      const ms = parseGoDuration(text);
      if (ms === undefined) throw new CronScheduleError(`failed to parse duration ${spec}: time: invalid duration "${text}"`);
      // robfig rounds intervals below a second up to one second.
      return { kind: 'every', intervalMs: Math.max(1000, Math.floor(ms / 1000) * 1000) };
    }
    const expression = DESCRIPTORS[spec];
    if (!expression) throw new CronScheduleError(`unrecognized descriptor: ${spec}`);
    return { kind: 'cron', expression };
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new CronScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  for (const f of fields) {
    const bad = /[LW#]/i.exec(f.replace(/[A-Za-z]{3}/g, (name) => (/^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i.test(name) ? '' : name)));
    if (bad) throw new CronScheduleError(`failed to parse int from ${f}: strconv.Atoi: parsing ${JSON.stringify(f)}: invalid syntax`);
  }
  const expression = fields.join(' ');
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
  } catch (e) {
    throw new CronScheduleError(rangeError(fields) ?? (e instanceof Error ? e.message : String(e)));
  }
  return { kind: 'cron', expression };
}

/** minute, hour, day of month, month, day of week: robfig/cron's bounds. */
const BOUNDS: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

/** robfig/cron's getRange message for a number outside its field's bounds, if that is the fault. */
function rangeError(fields: string[]): string | undefined {
  for (let i = 0; i < fields.length; i++) {
    const [min, max] = BOUNDS[i];
    for (const part of fields[i].split(',')) {
      const m = /^(\d+)(?:-(\d+))?(?:\/\d+)?$/.exec(part);
      if (!m) continue;
      const start = Number(m[1]);
      const end = m[2] === undefined ? start : Number(m[2]);
      if (start < min) return `beginning of range (${start}) below minimum (${min}): ${part}`;
      if (end > max) return `end of range (${end}) above maximum (${max}): ${part}`;
    }
  }
  return undefined;
}

/** The error text for an invalid schedule, or undefined when it parses. */
export function scheduleError(schedule: string): string | undefined {
  try {
    parseSchedule(schedule);
    return undefined;
  } catch (e) {
    return e instanceof CronScheduleError ? e.message : String(e);
  }
}

/**
 * True for a zone name Go's time.LoadLocation would load. Intl resolves names
 * case-insensitively while the zone files are case-sensitive, so a name that only
 * differs from its canonical form by case is refused.
 */
export function isValidTimeZone(name: string): boolean {
  if (!name || name.toLowerCase() === 'local') return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
}

/** The first scheduled time strictly after `after`, in `timeZone` (UTC when absent). */
export function nextScheduleTime(schedule: CronSchedule | string, after: Date, timeZone?: string): Date {
  const s = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  if (s.kind === 'every') return new Date(Math.floor(after.getTime() / 1000) * 1000 + s.intervalMs);
  const expr: CronExpression = CronExpressionParser.parse(s.expression, { currentDate: after, tz: timeZone ?? 'UTC' });
  return expr.next().toDate();
}
