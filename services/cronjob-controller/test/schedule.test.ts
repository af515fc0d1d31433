import { jobName, mostRecentScheduleTime, nextAfter, parseCronJobSchedule, ScheduleClock } from '../src/schedule';
import { scheduledTimestamp } from '../src/cronjob-reconciler';

const at = (iso: string): number => Date.parse(iso);

test('the most recent unmet time after the last run, and the next one', () => {
  const p = parseCronJobSchedule('*/5 * * * *');
  const r = mostRecentScheduleTime(p, at('2026-03-01T10:00:00Z'), at('2026-03-01T10:12:30Z'));
  expect(r).toEqual({ time: at('2026-03-01T10:10:00Z'), tooMany: false, next: at('2026-03-01T10:15:00Z') });
  expect(mostRecentScheduleTime(p, at('2026-03-01T10:10:00Z'), at('2026-03-01T10:12:30Z')).time).toBeUndefined();
});

test('after long downtime: more than 100 missed start times is "too many", unless startingDeadlineSeconds bounds them', () => {
  const p = parseCronJobSchedule('*/1 * * * *');
  const down = mostRecentScheduleTime(p, at('2026-03-01T00:00:00Z'), at('2026-03-01T03:00:30Z'));
  expect(down).toMatchObject({ time: at('2026-03-01T03:00:00Z'), tooMany: true });
  expect(mostRecentScheduleTime(p, at('2026-03-01T00:00:00Z'), at('2026-03-01T03:00:30Z'), 300)).toMatchObject({ time: at('2026-03-01T03:00:00Z'), tooMany: false });
  expect(mostRecentScheduleTime(p, at('2026-03-01T02:00:00Z'), at('2026-03-01T03:00:30Z')).tooMany).toBe(false);
});

test('timeZone moves the schedule, and the scheduled timestamp is written in that zone', () => {
  const p = parseCronJobSchedule('0 9 * * *', 'Europe/Berlin');
  expect(nextAfter(p, at('2026-07-01T00:00:00Z'))).toBe(at('2026-07-01T07:00:00Z'));
  expect(scheduledTimestamp(at('2026-07-01T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T09:00:00+02:00');
  expect(scheduledTimestamp(at('2026-07-01T07:00:00Z'), 'UTC')).toBe('2026-07-01T07:00:00Z');
  expect(parseCronJobSchedule('CRON_TZ=Asia/Tokyo 0 9 * * *').timeZone).toBe('Asia/Tokyo');
});

test('job names carry the scheduled minute; the test clock maps a minute to N seconds and back', () => {
  expect(jobName('hello', at('2026-03-01T10:10:00Z'))).toBe(`hello-${at('2026-03-01T10:10:00Z') / 60_000}`);
  const c = new ScheduleClock(3000);
  const real = at('2026-03-01T10:00:03Z');
  expect(c.toReal(c.toSchedule(real))).toBe(real);
  expect(c.toSchedule(real + 3000) - c.toSchedule(real)).toBe(60_000);
  const p = parseCronJobSchedule('*/1 * * * *');
  expect(c.toReal(nextAfter(p, c.toSchedule(real))) - real).toBeLessThanOrEqual(3000);
});
