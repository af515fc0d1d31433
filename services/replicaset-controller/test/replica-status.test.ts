import { availabilityRecheckMs, calculateStatus, ManageReplicasError, statusUnchanged } from '../src/replica-status';
import { pod, replicaSet } from './fixtures';

const NOW = Date.parse('2024-01-01T00:01:00Z');

test('counts replicas, fully labeled, ready and available pods', () => {
  const rs = replicaSet(4);
  const pods = [
    pod({ name: 'a', labels: { app: 'web', tier: 'front' }, ready: true }),
    pod({ name: 'b', labels: { app: 'web', tier: 'front' }, ready: false }),
    pod({ name: 'c', labels: { app: 'web' }, ready: true }),
  ];
  expect(calculateStatus(rs, pods, undefined, NOW)).toEqual({
    replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: undefined,
  });
});

test('minReadySeconds: a pod is available only after being ready that long', () => {
  const rs = replicaSet(2, { minReadySeconds: 30 });
  const pods = [
    pod({ name: 'long', ready: true, readySince: '2024-01-01T00:00:00Z' }), // 60 s
    pod({ name: 'short', ready: true, readySince: '2024-01-01T00:00:45Z' }), // 15 s
  ];
  const s = calculateStatus(rs, pods, undefined, NOW);
  expect(s.readyReplicas).toBe(2);
  expect(s.availableReplicas).toBe(1);
  expect(availabilityRecheckMs(rs, s)).toBe(30_000);
});

test('a failed create sets ReplicaFailure; success clears it', () => {
  const rs = replicaSet(3);
  const err = new ManageReplicasError('FailedCreate', 'Pod "web-x" is invalid: spec.containers[0].image: Required value');
  const failed = calculateStatus(rs, [], err, NOW);
  expect(failed.conditions).toEqual([{
    type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: err.message, lastTransitionTime: '2024-01-01T00:01:00Z',
  }]);
  // The condition is kept (not re-stamped) while failures go on.
  const again = calculateStatus({ ...rs, status: failed }, [], err, NOW + 60_000);
  expect(again.conditions).toEqual(failed.conditions);
  const healed = calculateStatus({ ...rs, status: failed }, [pod({ name: 'a' })], undefined, NOW);
  expect(healed.conditions).toBeUndefined();
});

test('an unchanged status with the current generation is not written again', () => {
  const rs = replicaSet(1, { generation: 3 });
  const s = { ...calculateStatus(rs, [pod({ name: 'a' })], undefined, NOW), observedGeneration: 3 };
  expect(statusUnchanged(rs, s)).toBe(false);
  expect(statusUnchanged({ ...rs, status: s }, s)).toBe(true);
  expect(statusUnchanged({ ...rs, status: { ...s, observedGeneration: 2 } }, s)).toBe(false);
});
