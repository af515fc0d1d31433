// The replicaset-controller's expectations, per ReplicaSet key: controller-runtime's
// ControllerExpectations (creations, and deletions by pod key `ns/name`), plus what follows.
//
// Creates are also satisfied from their own responses (issue 14): a successful create lowers
// the expectation at once and the pod it returned is kept as "created, not yet observed", so
// the next sync counts it as if the cache held it. Without this, a ReplicaSet of 1,000 stalled
// after each burst of 500 until the informer had shown every one of them.
import { ControllerExpectations } from '@keelson/controller-runtime';
import type { Pod } from './types';

export class Expectations extends ControllerExpectations {
  /** Per ReplicaSet key: pods its creates returned that the pod informer has not shown yet, by pod key. */
  private readonly unobserved = new Map<string, Map<string, { pod: Pod; at: number }>>();

  /** Sets (replaces) the expectation of `count` creates. */
  expectCreations(key: string, count: number): void {
    this.expect(key, count, []);
  }

  /** Sets (replaces) the expectation that these pods get deleted. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.expect(key, 0, podKeys);
  }

  /**
   * A pod of `key` was seen created (or a create was skipped/failed, so it never will be).
   * A pod whose create response already counted (`creationSucceeded`) is only marked seen.
   */
  override creationObserved(key: string, podKey?: string): void {
    if (podKey !== undefined && this.forgetUnobserved(key, podKey)) return;
    super.creationObserved(key);
  }

  /**
   * A create of `key` returned `pod` (not yet in the informer's cache): the expectation is
   * lowered now and the pod is counted by `createdNotObserved` until the informer shows it.
   */
  creationSucceeded(key: string, pod: Pod): void {
    super.creationObserved(key);
    let pods = this.unobserved.get(key);
    if (!pods) this.unobserved.set(key, (pods = new Map()));
    pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, { pod, at: this.now() });
  }

  /**
   * Pods `key` created that the informer has not shown yet. One not seen within the
   * expectations timeout (an event lost to a relist) is dropped, as an expired expectation is.
   */
  createdNotObserved(key: string): Pod[] {
    const pods = this.unobserved.get(key);
    if (!pods) return [];
    const out: Pod[] = [];
    for (const [podKey, { pod, at }] of pods) {
      if (this.now() - at > this.timeoutMs) pods.delete(podKey);
      else out.push(pod);
    }
    if (pods.size === 0) this.unobserved.delete(key);
    return out;
  }

  private forgetUnobserved(key: string, podKey: string): boolean {
    const pods = this.unobserved.get(key);
    if (!pods?.delete(podKey)) return false;
    if (pods.size === 0) this.unobserved.delete(key);
    return true;
  }

  /** The deletion of `podKey` was seen (or the delete failed); each pod counts once. */
  override deletionObserved(key: string, podKey: string): void {
    this.forgetUnobserved(key, podKey); // created and deleted before the informer showed the create
    super.deletionObserved(key, podKey);
  }

  /** The ReplicaSet is gone: forget it. */
  override delete(key: string): void {
    super.delete(key);
    this.unobserved.delete(key);
  }

  /** For tests and debugging. */
  get(key: string): { add: number; deletes: string[] } | undefined {
    const e = this.pending(key);
    return e && { add: e.adds, deletes: e.deletes };
  }
}
