import { completionIndexOf, formatIndexes, indexesToCreate, parseIndexes, podsWithBadIndex } from '../src/indexed';
import type { Pod } from '../src/types';

const pod = (name: string, ix?: string, ready = false, created = '2026-01-01T00:00:00Z'): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, creationTimestamp: created, annotations: ix === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': ix } },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('completedIndexes round-trips as kube compresses it', () => {
  expect(formatIndexes([7, 1, 3, 4, 5])).toBe('1,3-5,7');
  expect(formatIndexes([0, 1])).toBe('0-1');
  expect(formatIndexes([])).toBe('');
  expect([...parseIndexes('1,3-5,7', 10)].sort()).toEqual([1, 3, 4, 5, 7]);
  expect([...parseIndexes('0-9', 3)].sort()).toEqual([0, 1, 2]);
});

test('a pod index must be a plain non-negative integer', () => {
  expect(completionIndexOf(pod('a', '3'))).toBe(3);
  expect(completionIndexOf(pod('a', '03'))).toBeUndefined();
  expect(completionIndexOf(pod('a', '-1'))).toBeUndefined();
  expect(completionIndexOf(pod('a'))).toBeUndefined();
});

test('the lowest free indexes are created first', () => {
  expect(indexesToCreate(2, 5, new Set([0]), new Set([1]))).toEqual([2, 3]);
  expect(indexesToCreate(5, 3, new Set([0, 1, 2]), new Set())).toEqual([]);
});

test('duplicates, finished and invalid indexes are deleted; the ready pod of an index stays', () => {
  const keep = pod('keep', '1', true, '2026-01-01T00:00:05Z');
  const dup = pod('dup', '1', false, '2026-01-01T00:00:01Z');
  const done = pod('done', '0');
  const bad = pod('bad', 'x');
  const out = podsWithBadIndex([keep, dup, done, bad], 3, new Set([0])).map((p) => p.metadata.name).sort();
  expect(out).toEqual(['bad', 'done', 'dup']);
});
