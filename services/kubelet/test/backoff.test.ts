import { Backoff, formatDuration } from '../src/backoff';

describe('CrashLoopBackOff back-off', () => {
  let now = 0;
  const clock = () => now;

  test('the first failure restarts at once; later ones wait 10s, 20s, 40s … capped at 5m', () => {
    now = 1_000_000;
    const b = new Backoff(10_000, 300_000, clock);
    expect(b.remainingSince('c', now)).toBe(0);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(b.next('c'));
      now += 1000; // the container runs a second, then fails again
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  test('a failure inside the armed delay waits until failedAt + delay', () => {
    now = 0;
    const b = new Backoff(10_000, 300_000, clock);
    b.next('c');
    now = 2_000;
    expect(b.remainingSince('c', 1_500)).toBe(9_500);
    now = 11_500;
    expect(b.remainingSince('c', 1_500)).toBe(0);
  });

  test('a key idle for twice the maximum starts over at the base delay', () => {
    now = 0;
    const b = new Backoff(10_000, 300_000, clock);
    b.next('c');
    b.next('c');
    expect(b.current('c')).toBe(20_000);
    now += 600_001;
    expect(b.remainingSince('c', now)).toBe(0);
    expect(b.next('c')).toBe(10_000);
  });

  test('forgetPrefix drops only that pod', () => {
    const b = new Backoff(10, 100, clock);
    b.next('uid-1/a');
    b.next('uid-2/a');
    b.forgetPrefix('uid-1/');
    expect(b.current('uid-1/a')).toBe(0);
    expect(b.current('uid-2/a')).toBe(10);
  });

  test('durations print as Go does', () => {
    expect(formatDuration(10_000)).toBe('10s');
    expect(formatDuration(80_000)).toBe('1m20s');
    expect(formatDuration(300_000)).toBe('5m0s');
    expect(formatDuration(500)).toBe('500ms');
  });
});
