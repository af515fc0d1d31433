import type { KubeObject } from '@keelson/api';
import { EventRing, type CacheEvent } from '../src/event-ring';
import { toWatchEvent } from '../src/watch-filter';

const obj = (name: string, rv: number, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, resourceVersion: String(rv), labels },
});
const ev = (revision: number, type: CacheEvent['type'] = 'ADDED'): CacheEvent => ({ type, key: `k${revision}`, object: obj(`p${revision}`, revision), revision });

describe('event window', () => {
  test('returns events strictly after a revision, oldest first', () => {
    const ring = new EventRing(10, 4);
    [5, 6, 6, 8].forEach((r) => ring.push(ev(r)));
    expect(ring.since(4).map((e) => e.revision)).toEqual([5, 6, 6, 8]);
    expect(ring.since(6).map((e) => e.revision)).toEqual([8]);
    expect(ring.since(8)).toEqual([]);
  });

  test('overflow drops the oldest events and moves the window start', () => {
    const ring = new EventRing(3, 0);
    [1, 2, 3, 4, 5].forEach((r) => ring.push(ev(r)));
    expect(ring.windowStart).toBe(2);
    expect(ring.since(2).map((e) => e.revision)).toEqual([3, 4, 5]);
    ring.reset(9);
    expect(ring.length).toBe(0);
    expect(ring.windowStart).toBe(9);
  });
});

describe('filtered watch transitions', () => {
  const web = (o: KubeObject): boolean => o.metadata.labels?.app === 'web';

  test('an object that starts matching is ADDED, one that stops matching is DELETED with its last matching state', () => {
    const before = obj('a', 5, { app: 'db' });
    const after = obj('a', 6, { app: 'web' });
    expect(toWatchEvent({ type: 'MODIFIED', key: 'a', object: after, prevObject: before, revision: 6 }, web)?.type).toBe('ADDED');
    const left = toWatchEvent({ type: 'MODIFIED', key: 'a', object: obj('a', 7, { app: 'db' }), prevObject: after, revision: 7 }, web);
    expect(left?.type).toBe('DELETED');
    expect(left?.object.metadata.labels).toEqual({ app: 'web' });
    expect(left?.object.metadata.resourceVersion).toBe('7');
  });

  test('non-matching changes are not delivered; matching ones stay MODIFIED', () => {
    expect(toWatchEvent({ type: 'MODIFIED', key: 'a', object: obj('a', 6), prevObject: obj('a', 5), revision: 6 }, web)).toBeUndefined();
    const both = toWatchEvent({ type: 'MODIFIED', key: 'a', object: obj('a', 6, { app: 'web' }), prevObject: obj('a', 5, { app: 'web' }), revision: 6 }, web);
    expect(both?.type).toBe('MODIFIED');
  });
});
