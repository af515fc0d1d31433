// Step maths from Kubernetes' rolling_test.go tables.
import { cleanupUnhealthyReplicas, newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, scaleDownOldReplicaSetsForRollingUpdate } from '../src/rolling-update';
import { context, deployment, rs } from './fixtures';

test.each([
  // deploymentReplicas, maxSurge, oldReplicas, newReplicas, scaleExpected, expectedNewReplicas
  [10, 0, 10, 0, false, 0],
  [10, 2, 10, 0, true, 2],
  [10, 2, 5, 0, true, 7],
  [10, 2, 10, 2, false, 0],
  [10, 2, 2, 11, true, 10], // scales the new RS down to spec.replicas
])('reconcileNewReplicaSet: %p replicas, surge %p, old %p, new %p → scaled %p to %p', async (replicas, surge, oldN, newN, scaled, want) => {
  const newRS = rs('foo-new', newN);
  const { ctx, io } = context(deployment(replicas, { maxSurge: surge, maxUnavailable: 0 }));
  const r = await reconcileNewReplicaSet(ctx, [newRS, rs('foo-old', oldN)], newRS);
  expect(r.scaled).toBe(scaled);
  expect(io.updates.map((u) => u.spec.replicas)).toEqual(scaled ? [want] : []);
});

test.each([
  // deploymentReplicas, maxUnavailable, oldReplicas, newReplicas, availableOld, availableNew, scaleExpected, expectedOldReplicas
  [10, 0, 10, 0, 10, 0, true, 9],
  [10, 2, 10, 0, 10, 0, true, 8],
  [10, 2, 10, 0, 8, 0, true, 8], // unhealthy old replicas cleaned up first
  [10, 2, 10, 0, 9, 0, true, 8], // one unhealthy cleaned up, one ready scaled down
  [10, 2, 8, 2, 8, 0, false, 8], // the new RS's unavailable pods block further scale-down
])('reconcileOldReplicaSets: %p replicas, maxUnavailable %p, old %p, new %p, available %p/%p → %p to %p', async (replicas, unavailable, oldN, newN, availOld, availNew, scaled, want) => {
  const newRS = rs('foo-new', newN, { available: availNew, created: '2016-05-20T02:00:00Z' });
  const oldRS = rs('foo-old', oldN, { available: availOld });
  const { ctx, io } = context(deployment(replicas, { maxSurge: 0, maxUnavailable: unavailable }));
  expect(await reconcileOldReplicaSets(ctx, [oldRS, newRS], [oldRS], newRS)).toBe(scaled);
  expect(io.updates.at(-1)?.spec.replicas ?? oldN).toBe(want);
});

test.each([
  // oldReplicas, available, maxCleanupCount, cleanupCountExpected
  [10, 8, 1, 1],
  [10, 8, 3, 2],
  [10, 8, 0, 0],
  [10, 10, 3, 0],
])('cleanupUnhealthyReplicas: %p old with %p available, at most %p → %p', async (oldN, avail, max, want) => {
  const { ctx } = context(deployment(10, { maxSurge: 2, maxUnavailable: 2 }));
  expect((await cleanupUnhealthyReplicas(ctx, [rs('foo-v2', oldN, { available: avail })], max)).count).toBe(want);
});

test.each([
  // deploymentReplicas, maxUnavailable, available, oldReplicas, scaleExpected, expectedOldReplicas
  [10, 0, 10, 10, true, 9],
  [10, 2, 10, 10, true, 8],
  [10, 2, 8, 10, false, 10],
  [10, 2, 10, 0, false, 0],
  [10, 2, 1, 10, false, 10],
])('scaleDownOldReplicaSetsForRollingUpdate: %p replicas, maxUnavailable %p, %p available of %p old', async (replicas, unavailable, avail, oldN, scaled, want) => {
  const oldRS = rs('foo-v2', oldN, { available: avail });
  const { ctx, io } = context(deployment(replicas, { maxSurge: 0, maxUnavailable: unavailable }));
  const n = await scaleDownOldReplicaSetsForRollingUpdate(ctx, [oldRS], [oldRS]);
  expect(n > 0).toBe(scaled);
  expect(io.updates.at(-1)?.spec.replicas ?? oldN).toBe(want);
});

test.each([
  // NewRSNewReplicas (deployment_util_test): strategy, replicas, newRS replicas, maxSurge; one old RS of 5
  ['can not scale up past maxSurge', false, 1, 5, 1, 5],
  ['scale up to spec.replicas', false, 6, 2, 10, 6],
  ['recreate goes straight to spec.replicas', true, 3, 1, 1, 3],
] as const)('newRSNewReplicas: %s', (_name, recreate, replicas, newN, surge, want) => {
  const d = deployment(replicas, { recreate, maxSurge: surge, maxUnavailable: 1 });
  const newRS = rs('foo-new', newN);
  expect(newRSNewReplicas(d, [rs('foo-old', 5)], newRS)).toBe(want);
});

test('a whole rollout never exceeds replicas + maxSurge nor drops below replicas - maxUnavailable', async () => {
  // 10 replicas, 25%/25%: surge 3, unavailable 2. Pods become available at once between steps.
  const d = deployment(10, { maxSurge: '25%', maxUnavailable: '25%' });
  let oldRS = rs('foo-old', 10, { available: 10 });
  let newRS = rs('foo-new', 0, { created: '2016-05-20T02:00:00Z' });
  for (let step = 0; step < 20 && !(newRS.spec.replicas === 10 && oldRS.spec.replicas === 0); step++) {
    const { ctx } = context(d);
    const up = await reconcileNewReplicaSet(ctx, [oldRS, newRS], newRS);
    newRS = up.newRS;
    if (!up.scaled) {
      const { ctx: c2, io } = context(d);
      await reconcileOldReplicaSets(c2, [oldRS, newRS], [oldRS], newRS);
      if (io.updates.length) oldRS = io.updates.at(-1)!;
    }
    expect(newRS.spec.replicas! + oldRS.spec.replicas!).toBeLessThanOrEqual(13);
    // Available lags spec until the "kubelet" runs: check before it catches up.
    expect(Math.min(oldRS.spec.replicas!, oldRS.status!.availableReplicas!) + newRS.status!.availableReplicas!).toBeGreaterThanOrEqual(8);
    oldRS = { ...oldRS, status: { ...oldRS.status, replicas: oldRS.spec.replicas, availableReplicas: oldRS.spec.replicas } };
    newRS = { ...newRS, status: { ...newRS.status, replicas: newRS.spec.replicas, availableReplicas: newRS.spec.replicas } };
  }
  expect([newRS.spec.replicas, oldRS.spec.replicas]).toEqual([10, 0]);
});
