// Proportional scaling (sync_test.go TestScale cases), revision annotations, clean-up and conditions.
import { replicaSetsToClean } from '../src/cleanup';
import { rolloutStatus, stuckRequeueAfterMs } from '../src/progress';
import { proportionalSizes } from '../src/proportional-scaling';
import { setNewReplicaSetAnnotations } from '../src/revision';
import { deployment, rs } from './fixtures';

const NEW = '2016-05-20T02:00:00Z';
const OLD = '2016-05-20T01:00:00Z';
const OLDER = '2016-05-20T00:00:00Z';

test.each([
  // name, from → to, [new, old, older] sizes, expected
  ['5 -> 10', 5, 10, [2, 3], [4, 6]],
  ['5 -> 3', 5, 3, [2, 3], [1, 2]],
  ['9 -> 4', 9, 4, [8, 1], [4, 0]],
  ['7 -> 10', 7, 10, [2, 3, 2], [3, 4, 3]],
  ['13 -> 8', 13, 8, [2, 8, 3], [1, 5, 2]],
  ['leftover distribution: 3 -> 4', 3, 4, [1, 1, 1], [2, 1, 1]],
] as const)('proportional scaling %s', (_n, from, to, sizes, want) => {
  const d = deployment(to, { maxSurge: 0, maxUnavailable: 0 });
  const created = [NEW, OLD, OLDER];
  const rss = sizes.map((n, i) => rs(['new', 'old', 'older'][i], n, { created: created[i], maxReplicas: from }));
  const out = proportionalSizes(d, rss);
  expect(rss.map((r) => out.get(r.metadata.name!))).toEqual(want);
});

test('a returning template bumps its revision and records the old one in revision-history', () => {
  const d = deployment(3);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const r = rs('foo-a', 0, { revision: 1 });
  expect(setNewReplicaSetAnnotations(d, r, 3, true, 0)).toBe(true);
  expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'v1' });
  expect(r.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
  setNewReplicaSetAnnotations(d, r, 5, true, 0);
  expect(r.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1,3');
  const fresh = rs('foo-b', 0);
  setNewReplicaSetAnnotations(d, fresh, 1, false, 1);
  expect(fresh.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
});

test('revisionHistoryLimit deletes the oldest revisions, only once scaled to 0 and observed', () => {
  const old = [1, 2, 3, 4].map((n) => rs(`r${n}`, 0, { revision: n }));
  old[0].status = { replicas: 1, observedGeneration: 1 }; // still has a pod
  expect(replicaSetsToClean(old, 1).map((r) => r.metadata.name)).toEqual(['r2', 'r3']);
  expect(replicaSetsToClean(old, 4)).toEqual([]);
});

describe('conditions', () => {
  const now = new Date('2016-05-20T04:00:00Z');

  test('complete rollout: NewReplicaSetAvailable and MinimumReplicasAvailable, counts from the ReplicaSets', () => {
    const d = deployment(3, { maxUnavailable: 1 });
    const newRS = rs('foo-new', 3, { available: 3 });
    newRS.status!.readyReplicas = 3;
    const s = rolloutStatus([newRS], newRS, d, now);
    expect(s).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(s.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
      expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "foo-new" has successfully progressed.' }),
    ]));
  });

  test('progress refreshes ReplicaSetUpdated; no progress past the deadline is ProgressDeadlineExceeded', () => {
    const d = deployment(3, { maxUnavailable: 0, maxSurge: 1 });
    d.spec.progressDeadlineSeconds = 10;
    const newRS = rs('foo-new', 1, { available: 0 });
    const oldRS = rs('foo-old', 3, { available: 3 });
    const s1 = rolloutStatus([oldRS, newRS], newRS, d, now);
    expect(s1.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Progressing', reason: 'ReplicaSetUpdated', status: 'True' })]));
    expect(s1.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'True' })]));
    const stuck = { ...d, status: s1 };
    expect(stuckRequeueAfterMs(stuck, s1, now)).toBe(11_000);
    const s2 = rolloutStatus([oldRS, newRS], newRS, stuck, new Date(now.getTime() + 11_000));
    expect(s2.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "foo-new" has timed out progressing.' }),
    ]));
  });

  test('too few available replicas is MinimumReplicasUnavailable', () => {
    const d = deployment(4, { maxUnavailable: 1 });
    const newRS = rs('foo-new', 4, { available: 2 });
    const s = rolloutStatus([newRS], newRS, d, now);
    expect(s.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' })]));
    expect(s.unavailableReplicas).toBe(2);
  });
});
