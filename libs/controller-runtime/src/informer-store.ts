// The bookkeeping every informer shares, whatever feeds it (controller-runtime's Informer from
// NATS JetStream, the operator SDK's WatchInformer from the watch API): the cache, the handlers,
// the revision each key was applied at and recent deletions (so a late or replayed event never
// overwrites newer state), the list's revision below which events are already in the cache,
// the sync latch, and delivery to handlers (one throwing handler never stops the others).
import type { KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import { keyOf, ObjectCache, type ReadOnlyCache } from './cache';
import type { EventInfo, ResourceEventHandler } from './informer';

const TOMBSTONE_LIMIT = 10_000;

export class InformerStore<T extends KubeObject = KubeObject> {
  private readonly store = new ObjectCache<T>();
  private readonly handlers: ResourceEventHandler<T>[] = [];
  private readonly revs = new Map<string, number>(); // key → revision applied
  private readonly tombstones = new Map<string, number>(); // deleted key → delete revision
  private floorRev = 0; // events at or below the last list's revision are already in it
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  get cache(): ReadOnlyCache<T> {
    return this.store;
  }

  /** The revision of the last list applied. */
  get floor(): number {
    return this.floorRev;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  /** The first complete list is in: waiters resume. */
  markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.syncWaiters.splice(0).forEach((f) => f());
  }

  /** Handlers added after the first sync first get every cached object as an add. */
  addEventHandler(h: ResourceEventHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.store.list()) this.call(() => h.onAdd?.(o, { revision: this.revs.get(keyOf(o)) ?? 0 }));
  }

  /** The revision the key's object was applied at (undefined when not cached). */
  revisionOf(key: string): number | undefined {
    return this.revs.get(key);
  }

  /** Already in the last list, a duplicate, or older than what is held (or was deleted). */
  isStale(key: string, revision: number): boolean {
    const known = this.revs.get(key) ?? this.tombstones.get(key);
    return revision <= this.floorRev || (known !== undefined && revision <= known);
  }

  /**
   * Converges the cache to a list taken at `revision`: adds and updates for what is new, deletes
   * for what is gone (unless an event newer than the list already brought it back).
   */
  replace(items: T[], revision: number): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      const rev = Number(obj.metadata.resourceVersion);
      seen.add(key);
      const old = this.store.get(key);
      const oldRev = this.revs.get(key);
      if (old && oldRev !== undefined && oldRev >= rev) continue; // unchanged, or we already hold newer
      const deletedAt = this.tombstones.get(key);
      if (!old && deletedAt !== undefined && deletedAt >= rev) continue; // a list older than its deletion
      this.store.set(obj);
      this.revs.set(key, rev);
      this.tombstones.delete(key);
      const info = { revision: rev };
      this.call(() => (old ? this.handlers.forEach((h) => h.onUpdate?.(old, obj, info)) : this.handlers.forEach((h) => h.onAdd?.(obj, info))));
    }
    for (const key of this.store.keys()) {
      if (seen.has(key) || (this.revs.get(key) ?? 0) > revision) continue;
      const old = this.store.delete(key)!;
      this.revs.delete(key);
      this.tombstone(key, revision);
      this.call(() => this.handlers.forEach((h) => h.onDelete?.(old, { revision })));
    }
    this.floorRev = Math.max(this.floorRev, revision);
    for (const [key, rev] of this.tombstones) if (rev <= this.floorRev) this.tombstones.delete(key);
  }

  /**
   * Applies one event unless it is stale; returns whether it was. A deletion delivers `obj`
   * (the deleted state), else the last cached one.
   */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', key: string, obj: T | undefined, revision: number, info: EventInfo): boolean {
    if (this.isStale(key, revision)) return false;
    const old = this.store.get(key);
    if (type === 'DELETED') {
      this.revs.delete(key);
      this.tombstone(key, revision);
      if (!old) return true;
      this.store.delete(key);
      const last = obj ?? old;
      this.call(() => this.handlers.forEach((h) => h.onDelete?.(last, info)));
      return true;
    }
    if (!obj) return false;
    this.store.set(obj);
    this.revs.set(key, revision);
    this.tombstones.delete(key);
    this.call(() => (old ? this.handlers.forEach((h) => h.onUpdate?.(old, obj, info)) : this.handlers.forEach((h) => h.onAdd?.(obj, info))));
    return true;
  }

  /** Re-delivers every cached object to onUpdate (a resync). */
  resync(): void {
    for (const o of this.store.list()) {
      const info = { revision: this.revs.get(keyOf(o)) ?? 0, resync: true };
      this.call(() => this.handlers.forEach((h) => h.onUpdate?.(o, o, info)));
    }
  }

  private tombstone(key: string, revision: number): void {
    this.tombstones.set(key, revision);
    if (this.tombstones.size > TOMBSTONE_LIMIT) this.tombstones.delete(this.tombstones.keys().next().value!);
  }

  private call(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error('event handler threw', { err });
    }
  }
}
