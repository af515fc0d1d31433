// ControllerExpectations per DaemonSet (as daemon_controller.go keeps them): after creating N
// pods or deleting some, the set is not managed again until the pod informer has shown those
// effects (a stale cache would create a second pod on a node), or the expectation expired.
interface Expectation {
  adds: number;
  deletes: Set<string>;
  setAt: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly timeoutMs: number, private readonly now: () => number = Date.now) {}

  /** Sets (replaces) what `key` waits for: `adds` creations and the deletion of `podKeys`. */
  expect(key: string, adds: number, podKeys: string[]): void {
    this.items.set(key, { adds, deletes: new Set(podKeys), setAt: this.now() });
  }

  /** A pod of `key` was seen created (or a create failed, so it never will be). */
  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.adds--;
  }

  /** The deletion of `podKey` was seen (or the delete failed); each pod counts once. */
  deletionObserved(key: string, podKey: string): void {
    this.items.get(key)?.deletes.delete(podKey);
  }

  satisfied(key: string): boolean {
    const e = this.items.get(key);
    return !e || (e.adds <= 0 && e.deletes.size === 0) || this.now() - e.setAt > this.timeoutMs;
  }

  /** Ms until the expectation of `key` expires (0 when nothing is pending). */
  expiresInMs(key: string): number {
    const e = this.items.get(key);
    return !e || this.satisfied(key) ? 0 : Math.max(0, e.setAt + this.timeoutMs - this.now());
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}
