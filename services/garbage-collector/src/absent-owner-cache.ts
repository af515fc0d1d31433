// Owners verified absent through the API (kube's absentOwnerCache): an LRU of identities,
// so the dependents of one deleted owner do not each look it up again.
import { identityKey, type ObjectIdentity } from './identity';

export class AbsentOwnerCache {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 500) {}

  add(id: ObjectIdentity): void {
    const k = identityKey(id);
    this.keys.delete(k);
    this.keys.add(k);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const k = identityKey(id);
    if (!this.keys.has(k)) return false;
    // Refresh recency, as an LRU get does.
    this.keys.delete(k);
    this.keys.add(k);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
