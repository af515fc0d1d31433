// Kubernetes' ControllerExpectations (+ UIDTrackingExpectations), per ReplicaSet key.
//
// After issuing N creates (or deleting pods k1..kn) the controller must not act on that
// ReplicaSet again until the pod informer has shown it those effects: until then its cache
// is stale and a second sync would create (or delete) the same pods twice. Expectations
// record what is pending; pod events lower them; a sync only manages replicas once they
// are fulfilled, or expired (a lost event must not wedge the ReplicaSet forever).
//
// Creates are also satisfied from their own responses (issue 14): a successful create lowers
// the expectation at once and the pod it returned is kept as "created, not yet observed", so
// the next sync counts it as if the cache held it. Without this, a ReplicaSet of 1,000 stalled
// after each burst of 500 until the informer had shown every one of them.
import type { Pod } from './types';

/** Kubernetes' ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  /** Keys (`ns/name`) of pods whose deletion has not been observed yet. */
  deletes: Set<string>;
  /** When the expectation was (re)set: its expiry is measured from here. */
  setAt: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();
  /** Per ReplicaSet key: pods its creates returned that the pod informer has not shown yet, by pod key. */
  private readonly unobserved = new Map<string, Map<string, { pod: Pod; at: number }>>();

  constructor(
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets (replaces) the expectation of `count` creates. */
  expectCreations(key: string, count: number): void {
    this.items.set(key, { add: count, deletes: new Set(), setAt: this.now() });
  }

  /** Sets (replaces) the expectation that these pods get deleted. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.items.set(key, { add: 0, deletes: new Set(podKeys), setAt: this.now() });
  }

  /**
   * A pod of `key` was seen created (or a create was skipped/failed, so it never will be).
   * A pod whose create response already counted (`creationSucceeded`) is only marked seen.
   */
  creationObserved(key: string, podKey?: string): void {
    if (podKey !== undefined && this.forgetUnobserved(key, podKey)) return;
    const e = this.items.get(key);
    if (e) e.add--;
  }

  /**
   * A create of `key` returned `pod` (not yet in the informer's cache): the expectation is
   * lowered now and the pod is counted by `createdNotObserved` until the informer shows it.
   */
  creationSucceeded(key: string, pod: Pod): void {
    const e = this.items.get(key);
    if (e) e.add--;
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

  /**
   * The deletion of `podKey` was seen (or the delete failed). Only pods we expected to delete
   * count, and each once: a pod is reported both when it gets a deletionTimestamp and when
   * it is gone.
   */
  deletionObserved(key: string, podKey: string): void {
    this.forgetUnobserved(key, podKey); // created and deleted before the informer showed the create
    this.items.get(key)?.deletes.delete(podKey);
  }

  /** True when a sync may create or delete: nothing pending, or the expectation expired. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true; // new ReplicaSet, or a controller that just started: trust the cache
    return (e.add <= 0 && e.deletes.size === 0) || this.now() - e.setAt > this.timeoutMs;
  }

  /** Ms until the expectation of `key` expires (0 when there is none pending). */
  expiresInMs(key: string): number {
    const e = this.items.get(key);
    if (!e || this.satisfied(key)) return 0;
    return Math.max(0, e.setAt + this.timeoutMs - this.now());
  }

  /** The ReplicaSet is gone: forget it. */
  delete(key: string): void {
    this.items.delete(key);
    this.unobserved.delete(key);
  }

  /** For tests and debugging. */
  get(key: string): { add: number; deletes: string[] } | undefined {
    const e = this.items.get(key);
    return e && { add: e.add, deletes: [...e.deletes] };
  }
}
