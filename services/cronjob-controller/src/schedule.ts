// When a CronJob should run (cronjob_controllerv2.go / utils.go: mostRecentScheduleTime,
// nextScheduleTime, getJobName), over the schedules @keelson/api parses with cron-parser exactly
// as the API server validated them. Times are epoch ms.
//
// ScheduleClock maps real time to "schedule time" for the test hook KEELSON_CRONJOB_MINUTE_MS:
// schedule time runs 60000/minuteMs times faster from a fixed anchor, so every computation here
// happens in schedule time and only its results are mapped back. At the default scale the map
// is the identity.
import { CronExpressionParser } from 'cron-parser';
import { parseSchedule, type CronSchedule } from '@keelson/api';

/** More missed start times than this is kube's "too many missed start times" (still runs the latest). */
export const MAX_MISSED_SCHEDULES = 100;
const ANCHOR = Date.UTC(2026, 0, 1);

export class ScheduleClock {
  private readonly k: number;
  constructor(minuteMs = 60_000) {
    this.k = 60_000 / minuteMs;
  }
  toSchedule(real: number): number {
    return this.k === 1 ? real : ANCHOR + (real - ANCHOR) * this.k;
  }
  toReal(sched: number): number {
    return this.k === 1 ? sched : Math.round(ANCHOR + (sched - ANCHOR) / this.k);
  }
}

export interface ParsedSchedule {
  schedule: CronSchedule;
  /** spec.timeZone, else a TZ=/CRON_TZ= prefix of the schedule, else UTC. */
  timeZone: string;
}

export function parseCronJobSchedule(schedule: string, timeZone?: string): ParsedSchedule {
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s/.exec(schedule.trim())?.[1];
  return { schedule: parseSchedule(schedule), timeZone: timeZone ?? tz ?? 'UTC' };
}

/** The first schedule time strictly after `after` (schedule-time ms). */
export function nextAfter(p: ParsedSchedule, after: number): number {
  if (p.schedule.kind === 'every') return Math.floor(after / 1000) * 1000 + p.schedule.intervalMs;
  return CronExpressionParser.parse(p.schedule.expression, { currentDate: new Date(after), tz: p.timeZone }).next().getTime();
}

/** The last schedule time at or before `atOrBefore`, or undefined when none is after `after`. */
function latestUpTo(p: ParsedSchedule, after: number, atOrBefore: number): number | undefined {
  if (p.schedule.kind === 'every') {
    const first = nextAfter(p, after);
    if (first > atOrBefore) return undefined;
    return first + Math.floor((atOrBefore - first) / p.schedule.intervalMs) * p.schedule.intervalMs;
  }
  const prev = CronExpressionParser.parse(p.schedule.expression, { currentDate: new Date(atOrBefore + 1), tz: p.timeZone }).prev().getTime();
  return prev > after ? prev : undefined;
}

export interface MostRecent {
  /** The latest unmet schedule time (undefined: none since `earliest`). */
  time?: number;
  /** More than MAX_MISSED_SCHEDULES start times were missed. */
  tooMany: boolean;
  /** The next schedule time after now. */
  next: number;
}

/**
 * mostRecentScheduleTime: the schedule times after the last one run (or the CronJob's creation),
 * and no earlier than startingDeadlineSeconds ago, up to now. All in schedule time.
 */
export function mostRecentScheduleTime(p: ParsedSchedule, earliestSeen: number, now: number, startingDeadlineSeconds?: number): MostRecent {
  let earliest = earliestSeen;
  if (startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - startingDeadlineSeconds * 1000);
  const next = nextAfter(p, now);
  const time = latestUpTo(p, earliest, now);
  if (time === undefined) return { tooMany: false, next };
  let missed = 0;
  for (let t = nextAfter(p, earliest); t <= time && missed <= MAX_MISSED_SCHEDULES; t = nextAfter(p, t)) missed++;
  return { time, tooMany: missed > MAX_MISSED_SCHEDULES, next };
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>` (schedule time). */
export function jobName(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in UTC, as the MissSchedule event prints the scheduled time. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
