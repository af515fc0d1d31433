// Group commit against real etcd: writes submitted together go out as one txn at one revision;
// a group with one failing compare falls back so that exactly the failing write gets its error;
// one key is never twice in a txn and its writes apply in order; the watch cache delivers every
// key's event of a shared revision.
import type { KubeObject } from '@keelson/api';
import { EtcdStore, StorageError, WatchCache, type CacheWatchEvent } from '../src';
import { closeFixture, etcdFixture, pod, uniquePrefix, waitFor, type EtcdFixture } from './fixtures';

type Outcome = { ok: true; object: KubeObject } | { ok: false; code: string; currentRevision?: number };

const outcome = (p: Promise<KubeObject>): Promise<Outcome> =>
  p.then(
    (object) => ({ ok: true as const, object }),
    (e: unknown) => {
      if (e instanceof StorageError) return { ok: false as const, code: e.code, currentRevision: e.currentRevision };
      throw e;
    },
  );

const rvOf = (o: KubeObject): number => Number(o.metadata.resourceVersion);

describe('group commit against real etcd', () => {
  jest.setTimeout(30_000);
  let f: EtcdFixture;
  beforeAll(async () => {
    f = await etcdFixture();
  });
  afterAll(() => closeFixture(f));

  test('creates submitted together are one txn: every object gets its revision, all stored', async () => {
    const store = new EtcdStore(f.client, { groupCommit: true });
    const prefix = uniquePrefix();
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`))));
    const revisions = new Set(created.map(rvOf));
    expect(revisions.size).toBe(1);
    expect(store.groupCommitStats()).toMatchObject({ txns: 1, groups: 1, groupedWrites: 10, fallbacks: 0, largestGroup: 10 });
    const listed = await store.list(prefix);
    expect(listed.items.map((o) => o.metadata.name).sort()).toEqual(created.map((o) => o.metadata.name).sort());
    for (const o of listed.items) expect(o.metadata.resourceVersion).toBe(created[0].metadata.resourceVersion);
    expect(listed.revision).toBe(rvOf(created[0]));
  });

  test('one existing name among good creates: exactly that create is AlreadyExists (KeyExists), the rest succeed', async () => {
    const store = new EtcdStore(f.client, { groupCommit: true });
    const prefix = uniquePrefix();
    const existing = await store.create(`${prefix}ns/p3`, pod('ns', 'p3', { spec: { first: true } }));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`)))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true, true, true, true]);
    expect(results[3]).toMatchObject({ ok: false, code: 'KeyExists' });
    // The failed group was sent member by member: 1 create, the group, then 8 alone.
    expect(store.groupCommitStats()).toMatchObject({ groups: 1, groupedWrites: 8, fallbacks: 1 });
    expect((await store.get(`${prefix}ns/p3`))?.spec).toEqual(existing.spec);
    for (const r of results) if (r.ok) expect(await store.get(`${prefix}ns/${r.object.metadata.name}`)).toEqual(r.object);
  });

  test('a stale update and a stale delete in a group of good writes: exactly those two are Conflict', async () => {
    const store = new EtcdStore(f.client, { groupCommit: true });
    const prefix = uniquePrefix();
    const v1 = await Promise.all(Array.from({ length: 6 }, (_, i) => store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`))));
    const p1v2 = await store.update(`${prefix}ns/p1`, { ...v1[1], spec: { moved: true } }, rvOf(v1[1]));
    const p4v2 = await store.update(`${prefix}ns/p4`, { ...v1[4], spec: { moved: true } }, rvOf(v1[4]));
    const before = store.groupCommitStats()!;
    const results = await Promise.all([
      outcome(store.update(`${prefix}ns/p0`, { ...v1[0], spec: { n: 0 } }, rvOf(v1[0]))),
      outcome(store.update(`${prefix}ns/p1`, { ...v1[1], spec: { n: 1 } }, rvOf(v1[1]))), // stale: p1 moved on
      outcome(store.delete(`${prefix}ns/p2`, { resourceVersion: v1[2].metadata.resourceVersion })),
      outcome(store.create(`${prefix}ns/p9`, pod('ns', 'p9'))),
      outcome(store.delete(`${prefix}ns/p4`, { resourceVersion: v1[4].metadata.resourceVersion })), // stale
      outcome(store.update(`${prefix}ns/missing`, { ...v1[0], spec: {} })), // NotFound
      outcome(store.guaranteedUpdate(`${prefix}ns/p5`, (o) => ({ ...o, spec: { bumped: true } }))),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'Conflict', 'ok', 'ok', 'Conflict', 'NotFound', 'ok']);
    expect(results[1]).toMatchObject({ currentRevision: rvOf(p1v2) });
    expect(results[4]).toMatchObject({ currentRevision: rvOf(p4v2) });
    expect(store.groupCommitStats()!.fallbacks).toBeGreaterThan(before.fallbacks);
    // Successes are stored at the revisions they returned; failures changed nothing.
    for (const [i, name] of [[0, 'p0'], [3, 'p9'], [6, 'p5']] as const) {
      const r = results[i];
      if (!r.ok) throw new Error('expected success');
      expect(await store.get(`${prefix}ns/${name}`)).toEqual(r.object);
    }
    expect(await store.get(`${prefix}ns/p2`)).toBeUndefined();
    expect((await store.get(`${prefix}ns/p1`))?.spec).toEqual({ moved: true });
    expect((await store.get(`${prefix}ns/p4`))?.spec).toEqual({ moved: true });
  });

  test('one key twice at once is never in one txn: its writes apply in order (create, then AlreadyExists; update, then Conflict)', async () => {
    const store = new EtcdStore(f.client, { groupCommit: true });
    const prefix = uniquePrefix();
    const results = await Promise.all([
      outcome(store.create(`${prefix}ns/a`, pod('ns', 'a', { spec: { first: 1 } }))),
      outcome(store.create(`${prefix}ns/b`, pod('ns', 'b'))),
      outcome(store.create(`${prefix}ns/a`, pod('ns', 'a', { spec: { second: 2 } }))),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ok', 'KeyExists']);
    expect((await store.get(`${prefix}ns/a`))?.spec).toEqual({ first: 1 });
    const a = (results[0] as { object: KubeObject }).object;
    const updates = await Promise.all([1, 2, 3].map((n) => outcome(store.update(`${prefix}ns/a`, { ...a, spec: { n } }, rvOf(a)))));
    expect(updates.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'Conflict', 'Conflict']);
    expect((await store.get(`${prefix}ns/a`))?.spec).toEqual({ n: 1 });
  });

  test('groups respect maxOps: 10 creates with maxOps 4 go out as 4 + 4 + 2 (largest group 4)', async () => {
    const store = new EtcdStore(f.client, { groupCommit: { maxOps: 4, maxInFlight: 3 } });
    const prefix = uniquePrefix();
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`))));
    expect(store.groupCommitStats()).toMatchObject({ txns: 3, groups: 3, groupedWrites: 10, largestGroup: 4 });
    expect(new Set(created.map(rvOf)).size).toBe(3);
    expect((await store.list(prefix)).items).toHaveLength(10);
  });

  test('the watch cache delivers every key changed at one revision, and a watch from that revision skips them all', async () => {
    const store = new EtcdStore(f.client, { groupCommit: true });
    const prefix = uniquePrefix();
    const cache = new WatchCache(f.client, prefix);
    await cache.start();
    try {
      const seen: CacheWatchEvent[] = [];
      cache.watch({ resourceVersion: String(cache.currentRevision()) }, (e) => seen.push(e));
      const created = await Promise.all(Array.from({ length: 5 }, (_, i) => store.create(`${prefix}ns/p${i}`, pod('ns', `p${i}`))));
      const shared = rvOf(created[0]);
      await Promise.all(created.map((o) => store.delete(`${prefix}ns/${o.metadata.name}`, { resourceVersion: o.metadata.resourceVersion })));
      await waitFor(() => seen.length === 10);
      expect(seen.slice(0, 5).map((e) => [e.type, e.object.metadata.name, e.revision])).toEqual(created.map((o) => ['ADDED', o.metadata.name, shared]));
      const deleted = seen.slice(5);
      expect(deleted.every((e) => e.type === 'DELETED' && e.revision > shared)).toBe(true);
      // Resuming just before the group replays all of it, in the live order; from the group's own
      // revision, none of it.
      const replay: CacheWatchEvent[] = [];
      cache.watch({ resourceVersion: String(shared - 1) }, (e) => replay.push(e));
      expect(replay.map((e) => [e.type, e.object.metadata.name, e.revision])).toEqual(seen.map((e) => [e.type, e.object.metadata.name, e.revision]));
      const after: CacheWatchEvent[] = [];
      cache.watch({ resourceVersion: String(shared) }, (e) => after.push(e));
      expect(after.map((e) => e.type)).toEqual(['DELETED', 'DELETED', 'DELETED', 'DELETED', 'DELETED']);
    } finally {
      await cache.stop();
    }
  });
});
