// Kubernetes' ControllerExpectations (pkg/controller/controller_utils.go), per controller key.
//
// After issuing N pod creates (or deleting some pods) a controller must not act on that object
// again until its pod informer has shown those effects: until then its cache is stale and a
// second sync would create (or delete) the same pods twice. Expectations record what is
// pending; pod events lower them; a sync only manages pods once they are fulfilled, or expired
// (a lost event must not wedge the object forever). One implementation for every controller
// that creates pods (ReplicaSet, Job, DaemonSet); deletions are tracked by whatever id the controller's pod
// events carry (a uid, or a `namespace/name` key), each counted once.

/** Kubernetes' ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  /** Ids of pods whose deletion has not been observed yet. */
  deletes: Set<string>;
  /** When the expectation was (re)set: its expiry is measured from here. */
  setAt: number;
}

export class ControllerExpectations {
  private readonly items = new Map<string, Expectation>();

  constructor(
    protected readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
    protected readonly now: () => number = Date.now,
  ) {}

  /** Sets (replaces) what `key` waits for: `adds` creations and the deletion of `deletes`. */
  expect(key: string, adds: number, deletes: readonly string[]): void {
    this.items.set(key, { adds, deletes: new Set(deletes), setAt: this.now() });
  }

  /** A pod of `key` was seen created (or a create failed or was skipped, so it never will be). */
  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.adds--;
  }

  /**
   * The deletion of pod `id` was seen (or the delete failed). Only pods expected to be deleted
   * count, and each once: a pod is reported both when it gets a deletionTimestamp and when it
   * is gone.
   */
  deletionObserved(key: string, id: string): void {
    this.items.get(key)?.deletes.delete(id);
  }

  /** True when a sync may create or delete: nothing pending, or the expectation expired. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true; // a new object, or a controller that just started: trust the cache
    return (e.adds <= 0 && e.deletes.size === 0) || this.now() - e.setAt > this.timeoutMs;
  }

  /** Ms until the expectation of `key` expires (0 when nothing is pending). */
  expiresInMs(key: string): number {
    const e = this.items.get(key);
    if (!e || this.satisfied(key)) return 0;
    return Math.max(0, e.setAt + this.timeoutMs - this.now());
  }

  /** The object is gone: forget it. */
  delete(key: string): void {
    this.items.delete(key);
  }

  /** What `key` still waits for (tests and debugging). */
  pending(key: string): { adds: number; deletes: string[] } | undefined {
    const e = this.items.get(key);
    return e && { adds: e.adds, deletes: [...e.deletes] };
  }
}
