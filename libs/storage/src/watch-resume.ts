// Where an etcd3 Watcher resumes after its stream reconnects. etcd3 (lib/watch.js,
// updateRevision) sets it to the last response header's revision + 1, on 'connected' and after
// every 'data'. But a response's header revision is etcd's *current* revision, not the last event
// delivered: a watcher created from a past revision gets a header far ahead of the history it has
// yet to receive, and catch-up batches carry the current revision too. A stream that breaks
// mid-catch-up (an etcd member killed, a loaded gateway) therefore resumed past events it never
// delivered, and the watch cache silently lost them (found under load: a pod watch held 368 of
// 1,000 pods while bookmarks kept coming). Pinning the resume point to the caller's own position
// — the revision it has applied — makes a reconnect deliver exactly what is missing.
import type { Watcher } from 'etcd3';

/**
 * After etcd3's own bookkeeping on 'connected' and 'data', resume from `next()` instead (the
 * first revision the caller has not applied). Register before the caller's own 'data' listener
 * or after: etcd3's listener is registered in the Watcher's constructor, so this one runs later.
 */
export function pinWatchResume(w: Watcher, next: () => number): void {
  const pin = (): void => {
    (w.request as { start_revision?: string | number }).start_revision = String(next());
  };
  w.on('connected', pin);
  w.on('data', pin);
}
