// A watch whose client leaves while the watch still waits (for etcd's current revision, or for the
// cache to catch up) must not leave its subscription behind. Under HTTP/2 (kubectl, client-go,
// Keelson's client) a client that resets its stream leaves `res.destroyed` undefined and
// `req.destroyed` false: the handler's old checks never saw it leave, and a 'close' listener
// added after the wait never fired, so the cache kept a watcher writing into a closed stream.
import { connect, createServer, constants, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WatchCache } from '@keelson/storage';
import type { KubeObject, ResourceInfo } from '@keelson/api';
import { handleWatch } from '../src/handlers/watch';
import { trackClientGone } from '../src/http/io';
import { GatewayHttp2Request, GatewayHttp2Response } from '../src/http/secure-server';

const INFO = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', listKind: 'ConfigMapList', namespaced: true } as unknown as ResourceInfo;

/** A cache that counts live subscriptions; watchWhenFresh resolves when the test lets it. */
function countingCache(): { cache: WatchCache; live: () => number; fresh: () => void } {
  let live = 0;
  let release: () => void = () => undefined;
  const caughtUp = new Promise<void>((r) => (release = r));
  const subscribe = () => {
    live++;
    let cancelled = false;
    return { cancel: () => { if (!cancelled) { cancelled = true; live--; } }, revision: 5 };
  };
  const cache = {
    currentRevision: () => 5,
    watchWhenFresh: async (_o: unknown, _on: (e: { type: string; object: KubeObject }) => void) => { await caughtUp; return subscribe(); },
    watch: () => subscribe(),
  } as unknown as WatchCache;
  return { cache, live: () => live, fresh: () => release() };
}

let server: Http2Server;
let port: number;
let cache: ReturnType<typeof countingCache>;
let etcdAnswers: () => void = () => undefined;
let etcdRevision: Promise<number>;

beforeEach(async () => {
  cache = countingCache();
  etcdRevision = new Promise<number>((r) => (etcdAnswers = () => r(5)));
  // The gateway's own HTTP/2 request and response classes (they drop HTTP/1.1-only headers).
  server = createServer({ Http2ServerRequest: GatewayHttp2Request, Http2ServerResponse: GatewayHttp2Response }, (req, res) => {
    const [rq, rs] = [req as unknown as IncomingMessage, res as unknown as ServerResponse];
    trackClientGone(rs);
    const url = new URL(req.url ?? '/', 'http://x');
    handleWatch(rq, rs, { group: '', version: 'v1', namespace: 'ns', resource: 'configmaps', verb: 'watch' }, INFO, cache.cache, url.searchParams, {
      bookmarkIntervalSeconds: 60, currentRevision: () => etcdRevision,
    }).catch(() => rs.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

/** Opens the watch, lets `stage` happen, resets the stream, then lets the server's waits end. */
async function leaveWhile(stage: 'etcd' | 'cache'): Promise<void> {
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':path': '/api/v1/namespaces/ns/configmaps?watch=true' });
    stream.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    if (stage === 'cache') etcdAnswers(); // now waiting for the cache
    await new Promise((r) => setTimeout(r, 100));
    stream.close(constants.NGHTTP2_CANCEL);
    await new Promise((r) => stream.once('close', r));
    await new Promise((r) => setTimeout(r, 100));
    etcdAnswers();
    cache.fresh();
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    session.close();
  }
}

test('left while the watch waited for etcd: no subscription is made', async () => {
  await leaveWhile('etcd');
  expect(cache.live()).toBe(0);
});

test('left while the watch waited for the cache: the subscription it got is cancelled', async () => {
  await leaveWhile('cache');
  expect(cache.live()).toBe(0);
});

test('a client that stays gets its subscription (the two above are not vacuous)', async () => {
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':path': '/api/v1/namespaces/ns/configmaps?watch=true' });
    stream.on('error', () => undefined);
    etcdAnswers();
    cache.fresh();
    await new Promise((r) => stream.once('response', r));
    expect(cache.live()).toBe(1);
    stream.close(constants.NGHTTP2_CANCEL);
    await new Promise((r) => setTimeout(r, 200));
    expect(cache.live()).toBe(0);
  } finally {
    session.close();
  }
});
