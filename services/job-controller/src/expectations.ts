// The job-controller's expectations, per Job key: controller-runtime's ControllerExpectations for
// pod creations and deletions (by pod uid), plus the finalizer expectations of
// job_controller.go: after removing a pod's tracking finalizer, the pod must not be counted
// again while the cache still shows the finalizer (the Job's status already counts it).
import { ControllerExpectations } from '@keelson/controller-runtime';

export class JobExpectations extends ControllerExpectations {
  /** Job key → uids of pods whose finalizer removal the cache has not shown yet. */
  private readonly finalizers = new Map<string, Set<string>>();

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

  override delete(key: string): void {
    super.delete(key);
    this.finalizers.delete(key);
  }
}
