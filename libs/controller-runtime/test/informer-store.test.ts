// The bookkeeping both informers share (controller-runtime's NATS-fed Informer and the operator
// SDK's WatchInformer): lists converge the cache, per-key revisions and tombstones drop late or
// replayed events, a handler that throws does not stop the others, late handlers get a replay.
import type { KubeObject } from '@keelson/api';
import { createLogger } from '@keelson/telemetry';
import { InformerStore } from '../src/informer-store';

const cm = (name: string, rv: number, v = ''): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd', resourceVersion: String(rv) }, data: { v } });

function recorded() {
  const s = new InformerStore<KubeObject>(createLogger('test'));
  const seen: string[] = [];
  s.addEventHandler({
    onAdd: (o, i) => seen.push(`add ${o.metadata.name}@${i.revision}`),
    onUpdate: (_, o, i) => seen.push(`${i.resync ? 'resync' : 'update'} ${o.metadata.name}@${i.revision}`),
    onDelete: (o, i) => seen.push(`delete ${o.metadata.name}@${i.revision}`),
  });
  return { s, seen };
}

test('a list converges the cache; events at or below its revision, duplicates and older ones are dropped', async () => {
  const { s, seen } = recorded();
  let synced = false;
  void s.waitForSync().then(() => (synced = true));
  s.replace([cm('a', 5), cm('b', 7)], 10);
  s.markSynced();
  await Promise.resolve();
  expect(synced).toBe(true);
  expect(s.floor).toBe(10);
  expect(s.apply('MODIFIED', 'd/a', cm('a', 9), 9, { revision: 9 })).toBe(false); // already in the list
  expect(s.apply('MODIFIED', 'd/a', cm('a', 12, 'x'), 12, { revision: 12 })).toBe(true);
  expect(s.apply('MODIFIED', 'd/a', cm('a', 12, 'x'), 12, { revision: 12 })).toBe(false); // replayed
  expect(s.apply('DELETED', 'd/b', cm('b', 13), 13, { revision: 13 })).toBe(true);
  expect(s.apply('ADDED', 'd/b', cm('b', 11), 11, { revision: 11 })).toBe(false); // older than its deletion
  expect(s.cache.get('d/a')?.data).toEqual({ v: 'x' });
  expect(s.cache.get('d/b')).toBeUndefined();
  // A relist at 14: a is unchanged (not re-delivered), c is new, b stays gone.
  s.replace([cm('a', 12, 'x'), cm('c', 14)], 14);
  expect(seen).toEqual(['add a@5', 'add b@7', 'update a@12', 'delete b@13', 'add c@14']);
});

test('a relist deletes what is gone unless an event newer than the list brought it', () => {
  const { s, seen } = recorded();
  s.replace([cm('a', 1), cm('b', 2)], 2);
  s.apply('ADDED', 'd/c', cm('c', 6), 6, { revision: 6 });
  s.replace([cm('a', 1)], 5); // taken before c was created
  expect(s.cache.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'c']);
  expect(seen).toEqual(['add a@1', 'add b@2', 'add c@6', 'delete b@5']);
});

test('a throwing handler does not stop the others; late handlers get the cache as adds; resync re-delivers', () => {
  const { s, seen } = recorded();
  s.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
  s.replace([cm('a', 1)], 1);
  s.markSynced();
  const late: string[] = [];
  s.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  expect(late).toEqual(['a']);
  s.resync();
  expect(seen).toEqual(['add a@1', 'resync a@1']);
  expect(s.revisionOf('d/a')).toBe(1);
});

test('a list taken before a deletion does not bring the object back', () => {
  const { s, seen } = recorded();
  s.replace([cm('a', 3)], 3);
  s.apply('DELETED', 'd/a', cm('a', 8), 8, { revision: 8 });
  s.replace([cm('a', 3)], 7); // a list read at 7, answered after the deletion at 8 arrived
  expect(s.cache.get('d/a')).toBeUndefined();
  s.replace([cm('a', 9)], 9); // created again
  expect(s.cache.get('d/a')?.metadata.resourceVersion).toBe('9');
  expect(seen).toEqual(['add a@3', 'delete a@8', 'add a@9']);
});
