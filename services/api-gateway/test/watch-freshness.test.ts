// A watch with no resourceVersion ("most recent") when the watch cache lags etcd for longer
// than the freshness wait: kube serves it from its cache's state; the gateway answered 504
// "Too large resource version" (seen under npm run fuzz's load). A watch asking for a
// consistent snapshot (sendInitialEvents=true) keeps kube's 504.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StorageError, type WatchCache } from '@keelson/storage';
import type { KubeObject, ResourceInfo } from '@keelson/api';
import { ApiError } from '@keelson/api';
import { handleWatch } from '../src/handlers/watch';

const INFO = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', listKind: 'ConfigMapList', namespaced: true } as unknown as ResourceInfo;
const CM: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } };

/** A cache 10 revisions behind etcd that never catches up within the wait. */
function laggingCache(): { cache: WatchCache; watched: { minRevision?: number }[] } {
  const watched: { minRevision?: number }[] = [];
  const cache = {
    currentRevision: () => 5,
    watchWhenFresh: () => Promise.reject(new StorageError('Unavailable', '/registry/core/configmaps/', 'Too large resource version: 15, current: 5', 5)),
    watch: (opts: { minRevision?: number }, onEvent: (e: { type: string; object: KubeObject; revision: number }) => void) => {
      watched.push({ minRevision: opts.minRevision });
      onEvent({ type: 'ADDED', object: CM, revision: 5 });
      return { cancel: () => undefined, revision: 5 };
    },
  } as unknown as WatchCache;
  return { cache, watched };
}

let server: Server;
let port: number;
let current: ReturnType<typeof laggingCache>;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    handleWatch(req, res, { group: '', version: 'v1', namespace: 'ns', resource: 'configmaps', verb: 'watch' }, INFO, current.cache, url.searchParams, {
      bookmarkIntervalSeconds: 60, currentRevision: async () => 15,
    }).catch((e: unknown) => {
      const s = e instanceof ApiError ? e.toStatus() : { code: 500, message: String(e) };
      if (!res.headersSent) res.writeHead(s.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(s));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function watch(query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: `/api/v1/namespaces/ns/configmaps?${query}` }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('no resourceVersion: served from the cache\'s state (ADDED events), never 504', async () => {
  current = laggingCache();
  const r = await watch('watch=1&timeoutSeconds=0');
  expect(r.status).toBe(200);
  expect(r.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string })).toEqual([{ type: 'ADDED', object: CM }]);
  expect(current.watched).toEqual([{ minRevision: undefined }]);
});

test('sendInitialEvents=true (a consistent snapshot) keeps the 504 Timeout', async () => {
  current = laggingCache();
  const r = await watch('watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=0');
  expect(r.status).toBe(504);
  expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', code: 504, reason: 'Timeout' });
  expect(current.watched).toEqual([]);
});

test('a resourceVersion the cache has not reached keeps the 504 Timeout', async () => {
  current = laggingCache();
  const r = await watch('watch=1&resourceVersion=15&timeoutSeconds=0');
  expect(r.status).toBe(504);
});
