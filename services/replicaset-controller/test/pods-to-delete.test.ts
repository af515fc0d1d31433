import { compareForDeletion, podsToDelete } from '../src/pods-to-delete';
import { pod } from './fixtures';

const names = (ps: { metadata: { name?: string } }[]): (string | undefined)[] => ps.map((p) => p.metadata.name);

test('unassigned pods go before assigned ones', () => {
  expect(names(podsToDelete([pod({ name: 'on-node', node: 'n1' }), pod({ name: 'unassigned' })], 1))).toEqual(['unassigned']);
});

test('Pending < Unknown < Running', () => {
  const ps = [pod({ name: 'running', node: 'n', phase: 'Running' }), pod({ name: 'unknown', node: 'n', phase: 'Unknown' }), pod({ name: 'pending', node: 'n', phase: 'Pending' })];
  expect(names(podsToDelete(ps, 2))).toEqual(['pending', 'unknown']);
});

test('scale down deletes the not-ready pods before ready ones', () => {
  const ps = [pod({ name: 'ready', node: 'n', phase: 'Running', ready: true }), pod({ name: 'not-ready', node: 'n', phase: 'Running', ready: false })];
  expect(names(podsToDelete(ps, 1))).toEqual(['not-ready']);
});

test('a lower pod-deletion-cost goes first', () => {
  const ps = [pod({ name: 'cheap', cost: -5 }), pod({ name: 'dear', cost: 100, created: '2024-06-01T00:00:00Z' })];
  expect(names(podsToDelete(ps, 1))).toEqual(['cheap']);
});

test('pods doubled up on a node go before pods alone on theirs', () => {
  const ps = [pod({ name: 'alone', node: 'a', phase: 'Running' }), pod({ name: 'crowd-1', node: 'b', phase: 'Running' }), pod({ name: 'crowd-2', node: 'b', phase: 'Running' })];
  expect(names(podsToDelete(ps, 2)).sort()).toEqual(['crowd-1', 'crowd-2']);
});

test('ready for less time goes before ready for longer', () => {
  const ps = [
    pod({ name: 'old-ready', node: 'n', phase: 'Running', ready: true, readySince: '2024-01-01T00:00:00Z' }),
    pod({ name: 'new-ready', node: 'n', phase: 'Running', ready: true, readySince: '2024-01-02T00:00:00Z' }),
  ];
  expect(names(podsToDelete(ps, 1))).toEqual(['new-ready']);
});

test('more restarts go before fewer', () => {
  const ps = [pod({ name: 'stable', node: 'n', phase: 'Running', restarts: 0 }), pod({ name: 'flaky', node: 'n', phase: 'Running', restarts: 7 })];
  expect(names(podsToDelete(ps, 1))).toEqual(['flaky']);
});

test('newest go first when all else is equal', () => {
  const ps = [pod({ name: 'old', created: '2024-01-01T00:00:00Z' }), pod({ name: 'newest', created: '2024-01-03T00:00:00Z' }), pod({ name: 'mid', created: '2024-01-02T00:00:00Z' })];
  expect(names(podsToDelete(ps, 2))).toEqual(['newest', 'mid']);
});

test('earlier criteria win over later ones', () => {
  // An unassigned old pod still goes before an assigned new one.
  const a = pod({ name: 'unassigned-old', created: '2020-01-01T00:00:00Z' });
  const b = pod({ name: 'assigned-new', node: 'n', created: '2024-01-01T00:00:00Z' });
  expect(compareForDeletion(a, b)).toBeLessThan(0);
  expect(compareForDeletion(b, a)).toBeGreaterThan(0);
  expect(compareForDeletion(a, a)).toBe(0);
});

test('asking for more than there are returns them all', () => {
  expect(podsToDelete([pod({ name: 'a' })], 3)).toHaveLength(1);
});
