// Pod failure back-off (backoff_utils.go): a Job's failed pods are replaced after a delay that
// starts at DefaultJobPodFailureBackOff (10 s) and doubles with each failure since the last
// success, up to MaxJobPodFailureBackOff (6 min). Records live in memory, per Job, and are fed
// the pods each sync newly sees finished (a pod is newly seen once: it then enters
// uncountedTerminatedPods), so after a restart the delay starts afresh, as upstream's does.

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export interface FinishedPod {
  succeeded: boolean;
  finishedAt: number;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  constructor(private readonly baseMs = 10_000, private readonly maxMs = 360_000) {}

  /** Folds the pods newly seen finished, oldest first, into the Job's record. */
  observe(key: string, finished: FinishedPod[]): BackoffRecord {
    const rec = { ...(this.records.get(key) ?? { failuresAfterLastSuccess: 0 }) };
    for (const p of [...finished].sort((a, b) => a.finishedAt - b.finishedAt)) {
      if (p.succeeded) {
        rec.failuresAfterLastSuccess = 0;
        rec.lastFailureTime = undefined;
      } else {
        rec.failuresAfterLastSuccess++;
        rec.lastFailureTime = Math.max(rec.lastFailureTime ?? 0, p.finishedAt);
      }
    }
    this.records.set(key, rec);
    return rec;
  }

  /** The back-off after `failures` failures in a row: base · 2^(failures-1), capped. */
  delayMs(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 30));
  }

  /** Ms until a replacement pod may be created (0: now). */
  remainingMs(key: string, now: number): number {
    const rec = this.records.get(key);
    if (!rec?.lastFailureTime || rec.failuresAfterLastSuccess === 0) return 0;
    return Math.max(0, rec.lastFailureTime + this.delayMs(rec.failuresAfterLastSuccess) - now);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
