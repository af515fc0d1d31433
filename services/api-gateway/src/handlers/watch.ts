// The WATCH verb over HTTP streaming: one JSON watch event per line, from the
// resource's watch cache, with bookmarks, timeouts and Kubernetes' 410 semantics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, groupVersion, toTable, type KubeObject, type ResourceInfo } from '@keelson/api';
import { StorageError, type WatchCache } from '@keelson/storage';
import { clientGone, negotiate } from '../http/io';
import type { ResourceRequest } from '../http/request-info';
import { parseResourceVersion } from '../registry/errors';
import { booleanParamOf, includeObjectOf, selectorFilterOf, timeoutSecondsOf } from './params';
import { validateListOptions } from './list-options';
import { setLongTimeout, watchCacheTimeout } from './watch-limits';
import { watchEventLine } from './watch-encoding';

export interface WatchOptions {
  /** How a stored object reads through this endpoint (custom resources: apiVersion, defaults). */
  view?: (obj: KubeObject) => KubeObject;
  /** Seconds between bookmarks when the client allows them. */
  bookmarkIntervalSeconds: number;
  /** etcd's current revision: the floor of a consistent snapshot (initial events with no resourceVersion). */
  currentRevision: () => Promise<number>;
}

/** How long a watch waits for the cache to reach the revision its initial events must include (kube: 3 s). */
const FRESHNESS_TIMEOUT_MS = 3000;

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export async function handleWatch(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  info: ResourceInfo,
  cache: WatchCache,
  query: URLSearchParams,
  opts: WatchOptions,
): Promise<void> {
  const rvParam = query.get('resourceVersion') ?? undefined;
  parseResourceVersion(rvParam);
  validateListOptions(query, true);
  const selector = selectorFilterOf(query, info.resource);
  const ns = info.namespaced ? rr.namespace : undefined;
  const name = rr.name; // GET .../pods/x?watch=true (legacy single-object watch)
  const filter = (o: KubeObject): boolean =>
    (!ns || o.metadata.namespace === ns) && (!name || o.metadata.name === name) && (!selector || selector(o));
  const table = negotiate(req) === 'table';
  const includeObject = includeObjectOf(query);
  const bookmarks = booleanParamOf(query, 'allowWatchBookmarks') === true;
  // Explicit true or false overrides Kubernetes' default (initial events only for RV unset or "0").
  const sendInitialEvents = booleanParamOf(query, 'sendInitialEvents');
  const timeout = timeoutSecondsOf(query);

  const view = opts.view ?? ((o: KubeObject) => o);
  const encode = (obj: KubeObject): unknown => (table ? toTable(info, [view(obj)], { includeObject }) : view(obj));
  // Headers go out with the first line, so a watch that must first wait for the cache
  // can still fail with a plain Status (504); kubectl needs them promptly, and gets them
  // as soon as the watch is registered.
  const start = (): void => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  const write = (type: string, object: unknown): void => {
    start();
    if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
  };
  const bookmark = (rv: number, initialEventsEnd = false): void =>
    write('BOOKMARK', {
      kind: info.kind,
      apiVersion: groupVersion(info),
      metadata: { resourceVersion: String(rv), ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END]: 'true' } } : {}) },
    });

  let subscription: { cancel(): void } | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: { clear(): void } | undefined;
  const finish = (): void => {
    subscription?.cancel();
    clearInterval(bookmarkTimer);
    timeoutTimer?.clear();
    if (res.headersSent && !res.writableEnded) res.end();
  };
  // Before any wait: a client that leaves while this watch waits for etcd or the cache must not
  // leave a subscription behind, writing into a closed stream for good.
  res.on('close', finish);
  if (clientGone(res)) return;

  // Initial events with no resourceVersion are a consistent read ("most recent"), as
  // kube-apiserver serves them: the snapshot must hold every change etcd has committed.
  const minRevision = !rvParam && sendInitialEvents !== false ? await opts.currentRevision() : undefined;
  if (clientGone(res)) return;

  try {
    // Waits until the cache has every change the initial events must include (the list's
    // resourceVersion, or etcd's current revision), then delivers them synchronously; the
    // bookmark closing them therefore follows them. When the cache relists it ends its
    // watches; ending the stream makes clients resume (or get 410).
    const watchOpts = { resourceVersion: rvParam, sendInitialEvents, minRevision, filter, onClose: finish };
    // Plain JSON of a built-in: the cached object's encoding is shared by every watcher (watch-encoding.ts).
    const shared = !table && !opts.view;
    const onEvent = (e: { type: string; object: KubeObject }): void => {
      if (!shared) return write(e.type, encode(e.object));
      start();
      if (!res.writableEnded) res.write(watchEventLine(e.type, e.object));
    };
    subscription = await cache.watchWhenFresh(watchOpts, onEvent, FRESHNESS_TIMEOUT_MS).catch((e: unknown) => {
      // A plain watch with no resourceVersion ("most recent") is served from the cache's state in
      // kube, never 504: when the cache lags etcd for longer than the freshness wait (a loaded
      // gateway; found by npm run fuzz) it starts from what the cache holds. sendInitialEvents
      // asks for a consistent snapshot, and keeps kube's 504.
      if (sendInitialEvents === undefined && !rvParam && e instanceof StorageError && e.code === 'Unavailable' && e.message.startsWith('Too large resource version') && !clientGone(res)) {
        return cache.watch({ ...watchOpts, minRevision: undefined }, onEvent);
      }
      throw e;
    });
  } catch (e) {
    if (e instanceof StorageError && e.code === 'Expired') {
      write('ERROR', errors.gone(e.message).toStatus());
      finish();
      return;
    }
    if (e instanceof StorageError && e.code === 'Unavailable' && !res.headersSent) throw watchCacheTimeout(e);
    throw e;
  }
  if (clientGone(res)) return finish(); // the client left while the cache caught up (res.destroyed does not tell under HTTP/2)
  start();
  if (sendInitialEvents && bookmarks) bookmark(cache.currentRevision(), true);
  if (bookmarks) bookmarkTimer = setInterval(() => bookmark(cache.currentRevision()), opts.bookmarkIntervalSeconds * 1000).unref();
  if (timeout !== undefined) timeoutTimer = setLongTimeout(finish, Math.max(timeout, 0) * 1000);
}
