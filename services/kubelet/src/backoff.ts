// Per-key exponential back-off with the semantics of client-go's flowcontrol.Backoff as the
// kubelet uses it for CrashLoopBackOff and ImagePullBackOff:
//   - the first failure restarts at once and arms `base`;
//   - a failure within the armed delay waits until `failedAt + delay`, then doubles it (≤ max);
//   - a key idle for 2 × max is forgotten (a container that ran long enough starts over).
interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Arms the first delay, or doubles the current one. */
  next(key: string): number {
    const t = this.now();
    const e = this.live(key, t);
    const delayMs = e ? Math.min(e.delayMs * 2, this.maxMs) : this.baseMs;
    this.entries.set(key, { delayMs, lastUpdate: t });
    return delayMs;
  }

  /** ms left before an attempt may follow a failure at `failedAt` (0 = go now). */
  remainingSince(key: string, failedAt: number): number {
    const t = this.now();
    const e = this.live(key, t);
    return e ? Math.max(0, failedAt + e.delayMs - t) : 0;
  }

  /** The armed delay, for messages (`back-off 20s restarting failed container…`). */
  current(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key with this prefix (a pod's containers when the pod goes away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private live(key: string, t: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && t - e.lastUpdate > 2 * this.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
}

/** `10s`, `1m20s`, `5m0s`: Go's time.Duration String, rounded to seconds (`500ms` below 1 s). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${m}m${s % 60}s`;
}
