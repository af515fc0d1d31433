import { ApiError } from '@keelson/api';
import { getAllReplicaSetsAndSyncRevision, HashCollisionError } from '../src/new-replica-set';
import { rolloutRecreate } from '../src/recreate';
import { context, deployment, rs } from './fixtures';

test('Recreate scales old ReplicaSets to 0 first and creates the new one only when their pods are gone', async () => {
  const d = deployment(3, { recreate: true });
  const old = rs('foo-old', 3, { available: 3, revision: 1 });
  const first = context(d);
  await rolloutRecreate(first.ctx, [old]);
  expect(first.io.updates.map((u) => u.spec.replicas)).toEqual([0]);
  expect(first.io.created).toEqual([]);

  // Scaled down but the replicaset controller still reports a pod: wait.
  const draining = { ...old, spec: { ...old.spec, replicas: 0 }, status: { replicas: 1, observedGeneration: 1 } };
  const second = context(d);
  await rolloutRecreate(second.ctx, [draining]);
  expect(second.io.created).toEqual([]);

  const gone = { ...draining, status: { replicas: 0, observedGeneration: 1 } };
  const third = context(d);
  await rolloutRecreate(third.ctx, [gone]);
  expect(third.io.created.map((r) => [r.spec.replicas, r.metadata.annotations?.['deployment.kubernetes.io/revision']])).toEqual([[3, '2']]);
  expect(third.io.events).toContain(`Normal ScalingReplicaSet Scaled up replica set ${third.io.created[0].metadata.name} from 0 to 3`);
});

test('a name taken by another template bumps status.collisionCount and fails the sync', async () => {
  const d = deployment(3);
  const { ctx, io } = context(d);
  io.createReplicaSet = async (r) => {
    throw new ApiError(409, 'AlreadyExists', `replicasets.apps "${r.metadata.name}" already exists`);
  };
  io.getReplicaSet = async () => ({ ...rs('taken', 1), metadata: { ...rs('taken', 1).metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other', uid: 'other', controller: true }] } });
  await expect(getAllReplicaSetsAndSyncRevision(ctx, [], true)).rejects.toBeInstanceOf(HashCollisionError);
  expect(io.statuses.at(-1)?.status?.collisionCount).toBe(1);
  expect(ctx.d.status?.collisionCount).toBe(1);
});

test('the new ReplicaSet carries the hash on its name, labels, selector and template', async () => {
  const { ctx, io } = context(deployment(3, { maxSurge: 1, maxUnavailable: 0 }));
  const { newRS } = await getAllReplicaSetsAndSyncRevision(ctx, [], true);
  const hash = newRS!.metadata.labels!['pod-template-hash'];
  expect(newRS!.metadata.name).toBe(`foo-${hash}`);
  expect(newRS!.spec.selector!.matchLabels).toEqual({ app: 'foo', 'pod-template-hash': hash });
  expect(newRS!.spec.template!.metadata!.labels).toEqual({ app: 'foo', 'pod-template-hash': hash });
  expect(newRS!.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
  expect(io.statuses.at(-1)?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
  expect(io.statuses.at(-1)?.status?.conditions).toEqual([expect.objectContaining({ type: 'Progressing', reason: 'NewReplicaSetCreated', message: `Created new replica set "foo-${hash}"` })]);
});
