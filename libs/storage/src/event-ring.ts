// Fixed-capacity ring of watch events in revision order: the watch cache's
// history window. Evicting an event moves the window start to its revision.
import type { KubeObject } from '@keelson/api';

export type WatchEventKind = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: WatchEventKind;
  key: string;
  /** New state; for DELETED the last state with resourceVersion = the delete's revision. */
  object: KubeObject;
  /** State before the event (MODIFIED, DELETED), for filter transitions. */
  prevObject?: KubeObject;
  revision: number;
  /** False only when neither state's stored JSON holds `text` (see CacheWatchOptions.filterText); absent: unknown. */
  mayContain?(text: string): boolean;
}

export class EventRing {
  private readonly slots: (CacheEvent | undefined)[];
  private head = 0; // index of the oldest event
  private size = 0;

  /** Events with revision <= windowStart are gone (or were never seen). */
  windowStart: number;

  constructor(readonly capacity: number, startRevision: number) {
    if (capacity < 1) throw new Error('EventRing capacity must be >= 1');
    this.slots = new Array<CacheEvent | undefined>(capacity);
    this.windowStart = startRevision;
  }

  get length(): number {
    return this.size;
  }

  push(e: CacheEvent): void {
    if (this.size === this.capacity) {
      const evicted = this.slots[this.head];
      if (evicted) this.windowStart = evicted.revision;
      this.slots[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
      return;
    }
    this.slots[(this.head + this.size) % this.capacity] = e;
    this.size++;
  }

  /** Drops all events and restarts the window at `revision`. */
  reset(revision: number): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.windowStart = revision;
  }

  /** Buffered events with revision > `revision`, oldest first (events from one txn stay together). */
  since(revision: number): CacheEvent[] {
    // Binary search for the first event newer than `revision`.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  private at(i: number): CacheEvent {
    const e = this.slots[(this.head + i) % this.capacity];
    if (!e) throw new Error('EventRing: hole in buffer');
    return e;
  }
}
