import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@keelson/api';
import { EtcdStore, StorageError, WatchCache, type CacheWatchEvent } from '../src';
import { closeFixture, etcdFixture, pod, tcpProxy, uniquePrefix, waitFor, type EtcdFixture } from './fixtures';

describe('WatchCache against real etcd', () => {
  jest.setTimeout(30_000);
  let f: EtcdFixture;
  let store: EtcdStore;
  const caches: WatchCache[] = [];
  beforeAll(async () => {
    f = await etcdFixture();
    store = new EtcdStore(f.client);
  });
  afterAll(async () => {
    for (const c of caches) await c.stop(); // cancel etcd watchers before closing the client
    await closeFixture(f);
  });

  async function cache(prefix: string, capacity?: number): Promise<WatchCache> {
    const c = new WatchCache(f.client, prefix, { capacity });
    caches.push(c);
    await c.start();
    return c;
  }

  const collect = (): { events: CacheWatchEvent[]; on: (e: CacheWatchEvent) => void; summary: () => string[] } => {
    const events: CacheWatchEvent[] = [];
    return { events, on: (e) => events.push(e), summary: () => events.map((e) => `${e.type} ${e.object.metadata.name}`) };
  };

  test('without a resourceVersion: synthetic ADDED for current objects, then live events', async () => {
    const prefix = uniquePrefix();
    await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    const c = await cache(prefix);
    const w = collect();
    const handle = c.watch({}, w.on);
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b']);
    expect(handle.revision).toBe(c.currentRevision());
    const a = await store.get(`${prefix}ns/a`);
    await store.update(`${prefix}ns/a`, { ...(a as KubeObject), spec: { x: 1 } });
    const deleted = await store.delete(`${prefix}ns/b`);
    await store.create(`${prefix}ns/c`, pod('ns', 'c'));
    await waitFor(() => w.events.length === 5);
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b', 'ADDED c']);
    // DELETED carries the last state at the delete's revision.
    expect(w.events[3].object.metadata.resourceVersion).toBe(deleted.metadata.resourceVersion);
    expect(w.events[3].object.metadata.uid).toBe('uid-ns-b');
    handle.cancel();
  });

  test('from an exact resourceVersion: replays every later event, then live', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    const first = await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    await store.delete(`${prefix}ns/a`);
    await c.waitUntilFresh(await store.currentRevision(), 5000);
    const w = collect();
    c.watch({ resourceVersion: first.metadata.resourceVersion }, w.on);
    expect(w.summary()).toEqual(['ADDED b', 'DELETED a']);
    await store.create(`${prefix}ns/c`, pod('ns', 'c'));
    await waitFor(() => w.events.length === 3);
    expect(w.events.map((e) => e.revision)).toEqual([...w.events.map((e) => e.revision)].sort((x, y) => x - y));
  });

  test('a resourceVersion older than the buffered window is Expired', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix, 5);
    const first = await store.create(`${prefix}ns/p0`, pod('ns', 'p0'));
    for (let i = 1; i < 10; i++) await store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`));
    await c.waitUntilFresh(await store.currentRevision(), 5000);
    let err: unknown;
    try {
      c.watch({ resourceVersion: first.metadata.resourceVersion }, () => undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('Expired');
    expect((err as StorageError).message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    // The oldest revision still held works.
    const w = collect();
    c.watch({ resourceVersion: String(c.oldestRevision()) }, w.on);
    expect(w.events).toHaveLength(5);
  });

  test('a resourceVersion from before the cache started is Expired', async () => {
    const prefix = uniquePrefix();
    const early = await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    const c = await cache(prefix);
    expect(() => c.watch({ resourceVersion: early.metadata.resourceVersion }, () => undefined)).toThrow(/too old resource version/);
  });

  test('filtered and namespaced watches see objects enter as ADDED and leave as DELETED', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    const w = collect();
    c.watch({ resourceVersion: String(c.currentRevision()), namespacePrefix: `${prefix}ns/`, filter: (o) => o.metadata.labels?.app === 'web' }, w.on);
    const v1 = await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    await store.create(`${prefix}other/a`, pod('other', 'a', { metadata: { name: 'a', namespace: 'other', labels: { app: 'web' } } }));
    const v2 = await store.update(`${prefix}ns/a`, { ...v1, metadata: { ...v1.metadata, labels: { app: 'web' } } });
    const v3 = await store.update(`${prefix}ns/a`, { ...v2, spec: { y: 1 } });
    await store.update(`${prefix}ns/a`, { ...v3, metadata: { ...v3.metadata, labels: { app: 'db' } } });
    await waitFor(() => w.events.length === 3);
    expect(w.summary()).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    expect(w.events[2].object.metadata.labels).toEqual({ app: 'web' });
  });

  test("a filter's text: changes whose stored states both lack it reach no filter; the events are the same as without it", async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    const terminating = (o: KubeObject): boolean => !!o.metadata.deletionTimestamp;
    const filter = jest.fn(terminating);
    const hinted = collect();
    const plain = collect();
    const from = String(c.currentRevision());
    c.watch({ resourceVersion: from, filter, filterText: '"deletionTimestamp"' }, hinted.on);
    c.watch({ resourceVersion: from, filter: terminating }, plain.on);
    const a = await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    const a2 = await store.update(`${prefix}ns/a`, { ...a, spec: { x: 1 } });
    await c.waitUntilFresh(await store.currentRevision(), 5000);
    expect(filter).not.toHaveBeenCalled(); // neither change holds the text: nothing decoded for this watch
    const a3 = await store.update(`${prefix}ns/a`, { ...a2, metadata: { ...a2.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    await store.delete(`${prefix}ns/a`);
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    await waitFor(() => plain.events.length === 2);
    await c.waitUntilFresh(await store.currentRevision(), 5000);
    expect(hinted.summary()).toEqual(['ADDED a', 'DELETED a']); // entered the filter, then gone
    expect(hinted.summary()).toEqual(plain.summary());
    expect(hinted.events[0].object.metadata.resourceVersion).toBe(a3.metadata.resourceVersion);
    // Initial events too: only objects holding the text are decoded and filtered.
    filter.mockClear();
    const initial = collect();
    c.watch({ filter, filterText: '"deletionTimestamp"' }, initial.on);
    expect(initial.events).toEqual([]);
    expect(filter).not.toHaveBeenCalled();
  });

  test('a resourceVersion newer than the cache is served once the cache reaches it', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    const other = await store.create(`${uniquePrefix()}ns/elsewhere`, pod('ns', 'x'));
    const w = collect();
    c.watch({ resourceVersion: other.metadata.resourceVersion }, w.on);
    await store.create(`${prefix}ns/after`, pod('ns', 'after'));
    await waitFor(() => w.events.length === 1);
    expect(w.summary()).toEqual(['ADDED after']);
    // Progress notifications move an idle cache forward.
    const target = (await store.create(`${uniquePrefix()}ns/y`, pod('ns', 'y'))).metadata.resourceVersion;
    await c.waitUntilFresh(Number(target), 5000);
    await expect(c.waitUntilFresh(Number(target) + 1000, 100)).rejects.toThrow(/Too large resource version/);
  });

  test('initial events as of a resourceVersion wait until the cache has every change up to it', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    // Hold back what the etcd watch delivers, as when the cache lags a client that just
    // listed from etcd: a snapshot taken now would miss both objects.
    const internals = c as unknown as { apply(res: unknown): void };
    const apply = internals.apply.bind(c);
    const held: unknown[] = [];
    internals.apply = (res) => held.push(res);
    await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    const b = await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    const opts = { resourceVersion: b.metadata.resourceVersion, sendInitialEvents: true };
    expect(() => c.watch(opts, () => undefined)).toThrow(/Too large resource version/);
    await expect(c.watchWhenFresh(opts, () => undefined, 50)).rejects.toThrow(/Too large resource version/);
    const w = collect();
    const watching = c.watchWhenFresh(opts, w.on, 5000);
    await waitFor(() => held.length > 0);
    expect(w.events).toEqual([]);
    internals.apply = apply;
    for (const res of held) apply(res);
    await watching;
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b']);
    // The same floor given as a consistent read's revision (no resourceVersion).
    const w2 = collect();
    await c.watchWhenFresh({ minRevision: Number(b.metadata.resourceVersion) }, w2.on, 5000);
    expect(w2.summary()).toEqual(['ADDED a', 'ADDED b']);
  });

  test('after compaction breaks the etcd watch, the cache relists, ends old watches and serves new ones', async () => {
    const prefix = uniquePrefix();
    const c = await cache(prefix);
    const closed: StorageError[] = [];
    c.watch({ onClose: (r) => closed.push(r) }, () => undefined);
    // Resume the etcd watch from a compacted revision, as after a long disconnect:
    // etcd cancels it and the cache must relist.
    await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    await store.compact(await store.currentRevision());
    const internals = c as unknown as { watchEtcd(from: number): void };
    internals.watchEtcd(1); // in place of the current etcd watch
    await waitFor(() => closed.length === 1);
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    await waitFor(() => c.list().items.length === 2);
    const w = collect();
    c.watch({}, w.on);
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b']);
  });

  test('a cut connection: the etcd watch opens again right after what it applied; API watches go on and miss nothing', async () => {
    const prefix = uniquePrefix();
    const proxy = await tcpProxy(f.server.endpoint);
    const client = new Etcd3({ ...f.server.clientOptions, hosts: proxy.endpoint });
    const c = new WatchCache(client, prefix);
    try {
      await c.start();
      const closed: StorageError[] = [];
      const w = collect();
      c.watch({ onClose: (r) => closed.push(r) }, w.on);
      for (let i = 0; i < 20; i++) await store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`));
      await waitFor(() => c.list().items.length === 20);
      proxy.cut(); // every connection through it, mid-stream
      for (let i = 20; i < 40; i++) await store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`));
      await store.delete(`${prefix}ns/p0`);
      await waitFor(() => w.summary().length === 41, 15_000);
      expect(proxy.cuts()).toBeGreaterThan(0);
      expect(w.summary()).toEqual([...Array.from({ length: 40 }, (_, i) => `ADDED p${i}`), 'DELETED p0']);
      expect(closed).toEqual([]); // resumed, not relisted
      expect(c.list().items.map((o) => o.metadata.name).sort()).toEqual(Array.from({ length: 39 }, (_, i) => `p${i + 1}`).sort());
    } finally {
      await c.stop();
      client.close();
      await proxy.close();
    }
  });

  test('an object is decoded once and shared; a value that does not decode is skipped, not fatal', async () => {
    const prefix = uniquePrefix();
    await store.create(`${prefix}ns/a`, pod('ns', 'a'));
    const c = await cache(prefix);
    const first = c.get(`${prefix}ns/a`);
    expect(first?.metadata.name).toBe('a');
    expect(c.get(`${prefix}ns/a`)).toBe(first); // one decode, shared by every reader
    const w = collect();
    c.watch({}, w.on);
    // Bytes no codec reads (written around the store), then a good change after them.
    await f.client.put(`${prefix}ns/broken`).value('{not json');
    await store.create(`${prefix}ns/b`, pod('ns', 'b'));
    await waitFor(() => w.events.length === 2);
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b']);
    expect(c.get(`${prefix}ns/broken`)).toBeUndefined();
    expect(c.list().items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    // Deleting it: its last state does not decode either, so nobody is sent it; the cache goes on.
    await f.client.delete().key(`${prefix}ns/broken`);
    const b = await store.get(`${prefix}ns/b`);
    await store.update(`${prefix}ns/b`, { ...(b as KubeObject), spec: { x: 2 } });
    await waitFor(() => w.events.length === 3);
    expect(w.summary()).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b']);
    expect(c.objectCount).toBe(2);
  });
});

