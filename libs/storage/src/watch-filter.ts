// Turns a cache event into what one filtered watcher sees, like kube's
// cacheWatcher: an object entering the filter is ADDED, leaving it is DELETED.
import type { KubeObject } from '@keelson/api';
import { withRevision } from './codec';
import type { CacheEvent, WatchEventKind } from './event-ring';

export interface FilteredEvent {
  type: WatchEventKind;
  object: KubeObject;
  revision: number;
}

export function toWatchEvent(e: CacheEvent, filter?: (o: KubeObject) => boolean): FilteredEvent | undefined {
  if (!filter) return { type: e.type, object: e.object, revision: e.revision };
  if (e.type === 'DELETED') {
    // e.object is the last state (at the delete's revision).
    return filter(e.object) ? { type: 'DELETED', object: e.object, revision: e.revision } : undefined;
  }
  const now = filter(e.object);
  const before = e.type === 'MODIFIED' && e.prevObject !== undefined && filter(e.prevObject);
  if (now && before) return { type: 'MODIFIED', object: e.object, revision: e.revision };
  if (now) return { type: 'ADDED', object: e.object, revision: e.revision };
  // Left the filter: the watcher last saw prevObject; report it gone at this revision.
  if (before && e.prevObject) return { type: 'DELETED', object: withRevision(e.prevObject, e.revision), revision: e.revision };
  return undefined;
}
