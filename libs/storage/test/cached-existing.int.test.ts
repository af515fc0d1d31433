// guaranteedUpdate and delete starting from a cache's copy (kube's cachedExistingObject): etcd is
// read only when that copy may have misled, and a stale copy never decides an answer.
import type { KubeObject } from '@keelson/api';
import { EtcdStore, StorageError, WatchCache } from '../src';
import { closeFixture, etcdFixture, pod, uniquePrefix, waitFor, storageError, type EtcdFixture } from './fixtures';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

describe.each([
  { mode: 'writes alone', groupCommit: false },
  { mode: 'group commit', groupCommit: true },
])('EtcdStore with a cached existing object ($mode)', ({ groupCommit }) => {
  jest.setTimeout(30_000);
  let f: EtcdFixture;
  let store: EtcdStore;
  let plain: EtcdStore;
  // What the "cache" answers, per key; frozen, as a shared cache copy must never be written to.
  const cached = new Map<string, KubeObject>();
  const calls: string[] = [];
  const remember = (o: KubeObject, key: string): KubeObject => {
    cached.set(key, deepFreeze(JSON.parse(JSON.stringify(o)) as KubeObject)); // (structuredClone would make objects of another realm under jest)
    return o;
  };
  const gets = (): number => calls.filter((c) => c === 'get').length;

  beforeAll(async () => {
    f = await etcdFixture();
    store = new EtcdStore(f.client, { groupCommit, observe: (op) => calls.push(op) });
    store.useCachedExisting((key) => cached.get(key));
    plain = new EtcdStore(f.client);
  });
  beforeEach(() => {
    calls.length = 0;
  });
  afterAll(() => closeFixture(f));

  test('a current copy: update and delete go to etcd once each, with no read', async () => {
    const key = `${uniquePrefix()}default/fresh`;
    const v1 = remember(await plain.create(key, pod('default', 'fresh', { spec: { n: 1 } })), key);
    calls.length = 0;
    const v2 = await store.guaranteedUpdate(key, (o) => {
      o.spec = { n: 2 }; // the copy is tryUpdate's own: the frozen cached object is untouched
      return o;
    });
    expect(calls).toEqual(['update']);
    expect(v2.spec).toEqual({ n: 2 });
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    expect(cached.get(key)?.spec).toEqual({ n: 1 });
    remember(v2, key);
    calls.length = 0;
    const gone = await store.delete(key, { uid: v1.metadata.uid, resourceVersion: v2.metadata.resourceVersion });
    expect(calls).toEqual(['delete']);
    expect(gone.spec).toEqual({ n: 2 });
    gone.spec!.n = 3; // the answer is the caller's own too
    expect(cached.get(key)?.spec).toEqual({ n: 2 });
    expect(await plain.get(key)).toBeUndefined();
  });

  test('a stale copy loses the compare and the update is applied to what etcd holds', async () => {
    const key = `${uniquePrefix()}default/stale`;
    remember(await plain.create(key, pod('default', 'stale', { spec: { n: 0 } })), key);
    for (let i = 0; i < 3; i++) await plain.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: Number(o.spec?.n) + 1 } }));
    const seen: unknown[] = [];
    const out = await store.guaranteedUpdate(key, (o) => {
      seen.push(o.spec?.n);
      return { ...o, spec: { n: Number(o.spec?.n) + 1 } };
    });
    expect(seen).toEqual([0, 3]); // the cached copy first, then etcd's value from the failed compare
    expect(out.spec).toEqual({ n: 4 });
    expect((await plain.get(key))?.spec).toEqual({ n: 4 });
    expect(gets()).toBe(0);
  });

  test("an error from tryUpdate on a stale copy is retried on etcd's value; on a current one it stands", async () => {
    const key = `${uniquePrefix()}default/precondition`;
    remember(await plain.create(key, pod('default', 'precondition')), key);
    const v2 = await plain.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 2 } }));
    // The client names the revision it read (v2); the cache has not seen it yet.
    const requireRv = (o: KubeObject): KubeObject => {
      if (o.metadata.resourceVersion !== v2.metadata.resourceVersion) throw new StorageError('Conflict', key, 'the object has been modified');
      return { ...o, spec: { n: 3 } };
    };
    expect((await store.guaranteedUpdate(key, requireRv)).spec).toEqual({ n: 3 });
    expect(gets()).toBe(1);
    // Now the copy is current and the error is the answer (confirmed by one read).
    remember((await plain.get(key))!, key);
    calls.length = 0;
    expect((await storageError(store.guaranteedUpdate(key, requireRv))).code).toBe('Conflict');
    expect(calls).toEqual(['get']);
  });

  test('expectedRevision newer than the copy is checked against etcd', async () => {
    const key = `${uniquePrefix()}default/expected`;
    remember(await plain.create(key, pod('default', 'expected')), key);
    const v2 = await plain.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 2 } }));
    const v3 = await store.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 3 } }), { expectedRevision: Number(v2.metadata.resourceVersion) });
    expect(v3.spec).toEqual({ n: 3 });
    const err = await storageError(store.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 4 } }), { expectedRevision: Number(v2.metadata.resourceVersion) }));
    expect(err.code).toBe('Conflict');
    expect(err.currentRevision).toBe(Number(v3.metadata.resourceVersion));
  });

  test('a no-op against a stale copy is decided on current data: the write still happens', async () => {
    const key = `${uniquePrefix()}default/noop`;
    remember(await plain.create(key, pod('default', 'noop', { spec: { n: 1 } })), key);
    await plain.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 2 } }));
    // Desired n=1 equals the stale copy; etcd holds n=2, so n=1 must be written.
    const out = await store.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 1 } }));
    expect((await plain.get(key))?.spec).toEqual({ n: 1 });
    expect(out.metadata.resourceVersion).toBe((await plain.get(key))?.metadata.resourceVersion);
    // A real no-op against a current copy writes nothing and answers etcd's revision.
    remember((await plain.get(key))!, key);
    calls.length = 0;
    const same = await store.guaranteedUpdate(key, (o) => o);
    expect(calls).toEqual(['get']);
    expect(same.metadata.resourceVersion).toBe(out.metadata.resourceVersion);
  });

  test('an object the cache still holds but etcd deleted is NotFound for update and delete', async () => {
    const key = `${uniquePrefix()}default/gone`;
    remember(await plain.create(key, pod('default', 'gone')), key);
    await plain.delete(key);
    expect((await storageError(store.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 9 } })))).code).toBe('NotFound');
    expect((await storageError(store.delete(key))).code).toBe('NotFound');
    expect(await plain.get(key)).toBeUndefined();
  });

  test('delete preconditions are judged on current data when the copy is stale', async () => {
    const key = `${uniquePrefix()}default/del`;
    const v1 = remember(await plain.create(key, pod('default', 'del')), key);
    const v2 = await plain.guaranteedUpdate(key, (o) => ({ ...o, spec: { n: 2 } }));
    // A precondition the stale copy fails but etcd meets: deleted.
    const gone = await store.delete(key, { resourceVersion: v2.metadata.resourceVersion });
    expect(gone.spec).toEqual({ n: 2 });
    // Recreated under the same name with another uid: the copy's uid is no longer the object's.
    await plain.create(key, pod('default', 'del', { metadata: { name: 'del', namespace: 'default', uid: 'second' } }));
    const err = await storageError(store.delete(key, { uid: v1.metadata.uid }));
    expect(err.code).toBe('Conflict');
    expect(err.message).toMatch(/UID in precondition: uid-default-del, UID in object meta: second/);
    expect((await plain.get(key))?.metadata.uid).toBe('second');
  });

  test('with a real watch cache, concurrent read-modify-writes lose no increment', async () => {
    const prefix = uniquePrefix();
    const cache = new WatchCache(f.client, prefix);
    await cache.start();
    const viaCache = new EtcdStore(f.client, { groupCommit, observe: (op) => calls.push(op) });
    viaCache.useCachedExisting((key) => cache.get(key));
    try {
      const keys = [0, 1, 2].map((i) => `${prefix}ns/c${i}`);
      for (const k of keys) await plain.create(k, pod('ns', k.slice(-2), { spec: { n: 0 } }));
      await waitFor(() => keys.every((k) => cache.get(k)));
      calls.length = 0;
      const bump = (o: KubeObject): KubeObject => ({ ...o, spec: { n: Number(o.spec?.n) + 1 } });
      await Promise.all(keys.flatMap((k) => Array.from({ length: 15 }, (_, i) => new Promise((r) => setTimeout(r, i * 3)).then(() => viaCache.guaranteedUpdate(k, bump)))));
      for (const k of keys) expect((await plain.get(k))?.spec).toEqual({ n: 15 });
      expect(gets()).toBe(0); // stale copies are corrected by the failed compare's answer, not a read
    } finally {
      await cache.stop();
    }
  });
});
