// The job-controller's expectations (ControllerExpectations and the finalizer expectations of
// job_controller.go), per Job key.
//
// After creating or deleting pods, a sync must not act on the Job again until the pod informer
// has shown those effects, or it would create the same pods twice. After removing a pod's
// tracking finalizer, the pod must not be counted again while the cache still shows the
// finalizer (the Job's status already counts it).

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Pending {
  adds: number;
  deletes: Set<string>;
  setAt: number;
}

export class JobExpectations {
  private readonly pods = new Map<string, Pending>();
  /** Job key → uids of pods whose finalizer removal the cache has not shown yet. */
  private readonly finalizers = new Map<string, Set<string>>();

  constructor(private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS, private readonly now: () => number = Date.now) {}

  expect(key: string, adds: number, deletes: string[]): void {
    this.pods.set(key, { adds, deletes: new Set(deletes), setAt: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.pods.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podUid: string): void {
    this.pods.get(key)?.deletes.delete(podUid);
  }

  /** Nothing pending (or the expectation expired): a sync may create and delete pods. */
  satisfied(key: string): boolean {
    const e = this.pods.get(key);
    if (!e) return true;
    return (e.adds <= 0 && e.deletes.size === 0) || this.now() - e.setAt > this.timeoutMs;
  }

  expiresInMs(key: string): number {
    const e = this.pods.get(key);
    if (!e || this.satisfied(key)) return 0;
    return Math.max(0, e.setAt + this.timeoutMs - this.now());
  }

  expectFinalizerRemoved(key: string, uid: string): void {
    let s = this.finalizers.get(key);
    if (!s) this.finalizers.set(key, (s = new Set()));
    s.add(uid);
  }

  /** The cache shows the pod without the finalizer (or gone), or the removal failed. */
  finalizerRemovalObserved(key: string, uid: string): void {
    const s = this.finalizers.get(key);
    s?.delete(uid);
    if (s?.size === 0) this.finalizers.delete(key);
  }

  finalizerRemovalPending(key: string, uid: string): boolean {
    return this.finalizers.get(key)?.has(uid) ?? false;
  }

  delete(key: string): void {
    this.pods.delete(key);
    this.finalizers.delete(key);
  }
}
