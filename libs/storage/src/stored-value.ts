// What the watch cache holds: each object as etcd stores it, decoded on first use and then kept.
// Most cached objects are never read through the cache (controllers get their events over NATS,
// and nothing reads a Lease or an Event back): decoding every change eagerly cost a JSON parse per
// event and kept a graph of small objects alive until the next change of that key, which the young
// generation then copied twice (survivor, then old space): part of the gateway's GC pauses, which
// every relayed event waits out. The bytes are one off-heap buffer instead.
import type { KubeObject } from '@keelson/api';
import { decodeObject } from './codec';
import { transformerFor } from './encryption';
import type { CacheEvent, WatchEventKind } from './event-ring';

export class StoredValue {
  private decoded: KubeObject | undefined;

  /** `value` is this object's own: see `of`. */
  private constructor(private readonly value: Buffer, readonly revision: number, readonly key: string) {}

  /** A value etcd returned, copied: a watch or range response's values are views into the whole response. */
  static of(value: Buffer, revision: number, key: string): StoredValue {
    return new StoredValue(Buffer.from(value), revision, key);
  }

  /** The object (resourceVersion = `revision`), shared by every reader: never mutate it. Throws when the bytes do not decode. */
  get object(): KubeObject {
    return (this.decoded ??= decodeObject(this.value, this.revision, this.key));
  }

  /**
   * False only when the stored JSON surely lacks `text` (a plain value without it); an
   * encrypted value may hold anything. A filter's check before any decoding (CacheWatchOptions.filterText).
   */
  mayContain(text: string): boolean {
    return transformerFor(this.key) !== undefined || this.value.includes(text);
  }

  /** The same bytes read at another revision (a deleted object carries the delete's revision). */
  atRevision(revision: number): StoredValue {
    return new StoredValue(this.value, revision, this.key);
  }
}

/** A change as the cache's window keeps it: objects decoded when a watcher first needs them. */
export class StoredEvent implements CacheEvent {
  constructor(
    readonly type: WatchEventKind,
    readonly key: string,
    readonly revision: number,
    private readonly value: StoredValue,
    private readonly prev?: StoredValue,
  ) {}

  get object(): KubeObject {
    return this.value.object;
  }

  get prevObject(): KubeObject | undefined {
    return this.prev?.object;
  }

  mayContain(text: string): boolean {
    return this.value.mayContain(text) || (this.prev?.mayContain(text) ?? false);
  }
}
