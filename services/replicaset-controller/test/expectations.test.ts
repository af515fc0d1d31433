import { Expectations } from '../src/expectations';

test('a ReplicaSet without expectations may sync', () => {
  expect(new Expectations().satisfied('ns/rs')).toBe(true);
});

test('creations block the sync until each is observed', () => {
  const e = new Expectations();
  e.expectCreations('ns/rs', 2);
  expect(e.satisfied('ns/rs')).toBe(false);
  e.creationObserved('ns/rs');
  expect(e.satisfied('ns/rs')).toBe(false);
  e.creationObserved('ns/rs');
  expect(e.satisfied('ns/rs')).toBe(true);
});

test('a deletion counts once, however often it is reported, and only for expected pods', () => {
  const e = new Expectations();
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a'); // deletionTimestamp, then the delete itself
  e.deletionObserved('ns/rs', 'ns/other');
  expect(e.satisfied('ns/rs')).toBe(false);
  e.deletionObserved('ns/rs', 'ns/b');
  expect(e.satisfied('ns/rs')).toBe(true);
});

test('unfulfilled expectations expire after the timeout', () => {
  let now = 1_000;
  const e = new Expectations(5 * 60_000, () => now);
  e.expectCreations('ns/rs', 3);
  now += 5 * 60_000;
  expect(e.satisfied('ns/rs')).toBe(false);
  expect(e.expiresInMs('ns/rs')).toBe(0);
  now += 1;
  expect(e.satisfied('ns/rs')).toBe(true);
});

test('expiresInMs counts down while pending', () => {
  let now = 0;
  const e = new Expectations(10_000, () => now);
  e.expectCreations('k', 1);
  now = 4_000;
  expect(e.expiresInMs('k')).toBe(6_000);
});

test('deleting the ReplicaSet forgets its expectations', () => {
  const e = new Expectations();
  e.expectCreations('ns/rs', 5);
  e.delete('ns/rs');
  expect(e.satisfied('ns/rs')).toBe(true);
  e.creationObserved('ns/rs'); // late event for a deleted RS: harmless
  expect(e.get('ns/rs')).toBeUndefined();
});

test('a create satisfied by its response is counted once: its later informer event only marks it seen', () => {
  const e = new Expectations();
  e.expectCreations('ns/rs', 2);
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' } };
  e.creationSucceeded('ns/rs', p);
  expect(e.satisfied('ns/rs')).toBe(false);
  expect(e.createdNotObserved('ns/rs')).toEqual([p]);
  e.creationObserved('ns/rs', 'ns/a'); // the informer shows the pod the response already counted
  expect(e.get('ns/rs')).toEqual({ add: 1, deletes: [] });
  expect(e.createdNotObserved('ns/rs')).toEqual([]);
  e.creationObserved('ns/rs', 'ns/b'); // a create whose response did not count it
  expect(e.satisfied('ns/rs')).toBe(true);
});

test('a created pod the informer never shows stops counting after the expectations timeout', () => {
  let now = 0;
  const e = new Expectations(10_000, () => now);
  e.creationSucceeded('ns/rs', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' } });
  now = 9_000;
  expect(e.createdNotObserved('ns/rs')).toHaveLength(1);
  now = 10_001;
  expect(e.createdNotObserved('ns/rs')).toEqual([]);
});
