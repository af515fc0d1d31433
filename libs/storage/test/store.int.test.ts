import type { KubeObject } from '@keelson/api';
import { EtcdStore, StorageError } from '../src';
import { closeFixture, etcdFixture, pod, uniquePrefix, storageError, type EtcdFixture } from './fixtures';

// Every behaviour holds with writes sent alone and with group commit (concurrent writes share a txn).
describe.each([
  { mode: 'writes alone', groupCommit: false },
  { mode: 'group commit', groupCommit: true },
])('EtcdStore against real etcd ($mode)', ({ groupCommit }) => {
  jest.setTimeout(30_000);
  let f: EtcdFixture;
  let store: EtcdStore;
  beforeAll(async () => {
    f = await etcdFixture();
    store = new EtcdStore(f.client, { groupCommit });
  });
  afterAll(() => closeFixture(f));

  test('create returns the object at the put revision and get reads it back with its mod_revision', async () => {
    const key = `${uniquePrefix()}default/a`;
    const created = await store.create(key, pod('default', 'a'));
    expect(Number(created.metadata.resourceVersion)).toBe(await store.currentRevision());
    const got = await store.get(key);
    expect(got).toEqual(created);
    expect(await store.get(`${key}-missing`)).toBeUndefined();
    // resourceVersion is not stored in the value: it always comes from etcd.
    expect(JSON.parse((await f.client.get(key).string()) ?? '{}').metadata.resourceVersion).toBeUndefined();
  });

  test('creating the same key twice fails with KeyExists', async () => {
    const key = `${uniquePrefix()}default/twice`;
    await store.create(key, pod('default', 'twice'));
    expect((await storageError(store.create(key, pod('default', 'twice')))).code).toBe('KeyExists');
  });

  test('update with a stale revision fails with Conflict; a missing key with NotFound', async () => {
    const key = `${uniquePrefix()}default/u`;
    const v1 = await store.create(key, pod('default', 'u'));
    const v2 = await store.update(key, { ...v1, spec: { replicas: 2 } }, Number(v1.metadata.resourceVersion));
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    const err = await storageError(store.update(key, { ...v1, spec: { replicas: 3 } }, Number(v1.metadata.resourceVersion)));
    expect(err.code).toBe('Conflict');
    expect(err.currentRevision).toBe(Number(v2.metadata.resourceVersion));
    expect((await storageError(store.update(`${key}-gone`, v1))).code).toBe('NotFound');
    expect((await storageError(store.update(`${key}-gone`, v1, 5))).code).toBe('NotFound');
  });

  test('two concurrent updates at the same resourceVersion: exactly one wins', async () => {
    const key = `${uniquePrefix()}default/race`;
    const v1 = await store.create(key, pod('default', 'race'));
    const rv = Number(v1.metadata.resourceVersion);
    const results = await Promise.allSettled([1, 2].map((n) => store.update(key, { ...v1, spec: { n } }, rv)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((lost?.reason as StorageError).code).toBe('Conflict');
  });

  test('guaranteedUpdate retries on concurrent changes so no increment is lost', async () => {
    const key = `${uniquePrefix()}default/counter`;
    await store.create(key, pod('default', 'counter', { spec: { n: 0 } }));
    const bump = (o: KubeObject): KubeObject => ({ ...o, spec: { n: Number(o.spec?.n) + 1 } });
    await Promise.all(Array.from({ length: 10 }, () => store.guaranteedUpdate(key, bump)));
    expect((await store.get(key))?.spec).toEqual({ n: 10 });
  });

  test('guaranteedUpdate writes nothing for an unchanged object and honours expectedRevision', async () => {
    const key = `${uniquePrefix()}default/noop`;
    const v1 = await store.create(key, pod('default', 'noop'));
    const same = await store.guaranteedUpdate(key, (o) => ({ ...o }));
    expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    const err = await storageError(store.guaranteedUpdate(key, (o) => ({ ...o, spec: {} }), { expectedRevision: 1 }));
    expect(err.code).toBe('Conflict');
    expect((await storageError(store.guaranteedUpdate(`${key}-x`, (o) => o))).code).toBe('NotFound');
  });

  test('delete returns the last state at the delete revision; precondition mismatches are Conflict', async () => {
    const key = `${uniquePrefix()}default/d`;
    const v1 = await store.create(key, pod('default', 'd'));
    expect((await storageError(store.delete(key, { uid: 'someone-else' }))).code).toBe('Conflict');
    expect((await storageError(store.delete(key, { resourceVersion: '1' }))).code).toBe('Conflict');
    const gone = await store.delete(key, { uid: v1.metadata.uid, resourceVersion: v1.metadata.resourceVersion });
    expect(gone.metadata.name).toBe('d');
    expect(Number(gone.metadata.resourceVersion)).toBe(await store.currentRevision());
    expect(await store.get(key)).toBeUndefined();
    expect((await storageError(store.delete(key))).code).toBe('NotFound');
  });

  test('a paginated list is one snapshot even when objects are created between pages', async () => {
    const prefix = uniquePrefix();
    for (let i = 0; i < 25; i++) await store.create(`${prefix}ns/p${String(i).padStart(2, '0')}`, pod('ns', `p${i}`));
    const page1 = await store.list(prefix, { limit: 10 });
    expect(page1.items).toHaveLength(10);
    expect(page1.remainingItemCount).toBe(15);
    await store.create(`${prefix}ns/p05a`, pod('ns', 'late-in-range'));
    await store.create(`${prefix}ns/p99`, pod('ns', 'late-at-end'));
    const page2 = await store.list(prefix, { limit: 10, continue: page1.continue });
    const page3 = await store.list(prefix, { limit: 10, continue: page2.continue });
    expect(page2.revision).toBe(page1.revision);
    expect(page3.revision).toBe(page1.revision);
    expect(page3.continue).toBeUndefined();
    const names = [...page1.items, ...page2.items, ...page3.items].map((o) => o.metadata.name);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `p${i}`));
    expect((await store.list(prefix)).items).toHaveLength(27);
  });

  test('a filtered list reads on until limit items match', async () => {
    const prefix = uniquePrefix();
    for (let i = 0; i < 30; i++) await store.create(`${prefix}ns/p${String(i).padStart(2, '0')}`, pod('ns', `p${i}`, { spec: { even: i % 2 === 0 } }));
    const filter = (o: KubeObject): boolean => o.spec?.even === true;
    const page1 = await store.list(prefix, { limit: 4, filter });
    expect(page1.items.map((o) => o.metadata.name)).toEqual(['p0', 'p2', 'p4', 'p6']);
    expect(page1.remainingItemCount).toBeUndefined();
    const rest = await store.list(prefix, { limit: 100, filter, continue: page1.continue });
    expect(rest.items).toHaveLength(11);
    expect(rest.continue).toBeUndefined();
  });

  test('reading at an exact revision sees the past; a compacted continue token is Expired; a bad token is InvalidContinue', async () => {
    const prefix = uniquePrefix();
    for (let i = 0; i < 5; i++) await store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`));
    const page1 = await store.list(prefix, { limit: 2 });
    await store.create(`${prefix}ns/p9`, pod('ns', 'p9'));
    expect((await store.list(prefix, { revision: page1.revision })).items).toHaveLength(5);
    expect((await storageError(store.list(prefix, { continue: 'garbage!' }))).code).toBe('InvalidContinue');
    await store.compact(await store.currentRevision());
    const err = await storageError(store.list(prefix, { limit: 2, continue: page1.continue }));
    expect(err.code).toBe('Expired');
    expect(err.message).toMatch(/continue parameter is too old/);
    expect((await storageError(store.list(prefix, { revision: page1.revision }))).code).toBe('Expired');
    await store.compact(page1.revision); // compacting again below the compacted revision is harmless
  });
});
