// Write stall: how long writes went unacknowledged after a hit (an etcd leader or NATS node killed).
import type { WriteRecord } from './workload';

/**
 * The longest time, from `at` up to `at + windowMs` (the next hit), that no write was
 * acknowledged. A gap that runs past the window's end is cut there: whatever stalled writes after
 * the next hit (a gateway killed 16 s after a NATS node, say) is that hit's, not this one's.
 */
export function writeStall(writes: WriteRecord[], at: number, windowMs = 15_000): number {
  const end = at + windowMs;
  const acks = writes.map((w) => w.ackedAt).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  let prev = at;
  let worst = 0;
  for (const t of acks) {
    if (t <= at) continue;
    worst = Math.max(worst, Math.min(t, end) - prev);
    prev = t;
    if (t >= end) break;
  }
  return worst;
}
