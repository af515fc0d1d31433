// Write stall: how long writes went unacknowledged after a hit (an etcd leader or NATS node killed).
import type { WriteRecord } from './workload';

/** The longest time, from `at` on, that no write was acknowledged (over the following 15 s). */
export function writeStall(writes: WriteRecord[], at: number, windowMs = 15_000): number {
  const acks = writes.map((w) => w.ackedAt).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  let prev = at;
  let worst = 0;
  for (const t of acks) {
    if (t <= at) continue;
    worst = Math.max(worst, t - prev);
    prev = t;
    if (t > at + windowMs) break;
  }
  return worst;
}
