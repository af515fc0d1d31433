// The reconciler over fake API calls and hand-fed caches: what a stale cache or a
// replayed event would make a controller without expectations do twice.
import { ApiError, type KubeObject } from '@keelson/api';
import { ObjectCache, type ReconcileContext } from '@keelson/controller-runtime';
import { createLogger } from '@keelson/telemetry';
import { podHandler } from '../src/event-handlers';
import { Expectations } from '../src/expectations';
import { PodControl } from '../src/pod-control';
import { ReplicaSetReconciler } from '../src/replicaset-reconciler';
import type { Pod, ReplicaSet } from '../src/types';
import { pod, replicaSet } from './fixtures';

function setup(opts: { failCreate?: boolean; burstReplicas?: number } = {}) {
  const rsCache = new ObjectCache<ReplicaSet>();
  const podCache = new ObjectCache<Pod>();
  const created: Pod[] = [];
  const deleted: string[] = [];
  const statuses: ReplicaSet[] = [];
  const events: string[] = [];
  let n = 0;
  const client = {
    create: async <T extends KubeObject>(_r: unknown, obj: T): Promise<T> => {
      if (opts.failCreate) throw new ApiError(422, 'Invalid', 'Pod "web-" is invalid: spec.containers[0].image: Required value');
      const p = { ...obj, metadata: { ...obj.metadata, name: `web-${n}`, uid: `p${n++}`, creationTimestamp: new Date().toISOString() } };
      created.push(p as unknown as Pod);
      return p;
    },
    delete: async (_r: unknown, _ns: string | undefined, name: string) => {
      deleted.push(name);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } as never;
    },
    get: async <T extends KubeObject>(): Promise<T> => rsCache.list()[0] as unknown as T,
    patch: async <T extends KubeObject>(): Promise<T> => ({}) as T,
    updateStatus: async <T extends KubeObject>(_r: unknown, obj: T): Promise<T> => {
      statuses.push(obj as unknown as ReplicaSet);
      return obj;
    },
  };
  const recorder = { event: (_o: KubeObject, _t: string, reason: string) => void events.push(reason) };
  const expectations = new Expectations();
  const reconciler = new ReplicaSetReconciler({
    client, replicaSets: rsCache, pods: podCache, expectations, podControl: new PodControl(client, recorder), burstReplicas: opts.burstReplicas,
  });
  const ctx: ReconcileContext = { signal: new AbortController().signal, logger: createLogger('test', { write: () => undefined }), requeues: 0 };
  const queued: string[] = [];
  const handler = podHandler({ queue: { enqueue: (k) => void queued.push(k) }, replicaSets: rsCache, expectations });
  return { rsCache, podCache, created, deleted, statuses, events, expectations, reconciler, ctx, handler, queued };
}

test('creates the missing pods with a controller ownerReference and generateName', async () => {
  const t = setup();
  t.rsCache.set(replicaSet(3));
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(3);
  expect(t.created[0].metadata.generateName).toBe('web-');
  expect(t.created[0].metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  expect(t.created[0].metadata.labels).toEqual({ app: 'web', tier: 'front' });
  expect(t.events).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
});

test('a sync before the creates are observed (stale cache, replayed event) creates nothing more', async () => {
  const t = setup();
  t.rsCache.set(replicaSet(3));
  await t.reconciler.reconcile('ns/web', t.ctx);
  // The creates' responses satisfied the expectations, and the pods they returned count
  // although the cache does not show them yet: the second sync creates nothing.
  expect(t.expectations.satisfied('ns/web')).toBe(true);
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(3);
  expect(t.statuses.at(-1)?.status?.replicas).toBe(3);
  // The informer delivers the pods: they are not counted twice and the next sync is a no-op.
  for (const p of t.created) {
    t.podCache.set(p);
    t.handler.onAdd!(p, { revision: 1 });
  }
  expect(t.expectations.createdNotObserved('ns/web')).toEqual([]);
  expect(t.expectations.satisfied('ns/web')).toBe(true);
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(3);
  expect(t.deleted).toHaveLength(0);
});

test('a burst short of spec.replicas is followed at once by the next, before any pod is observed (no stall between bursts)', async () => {
  const t = setup({ burstReplicas: 4 });
  t.rsCache.set(replicaSet(10));
  const first = await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(4);
  expect(first?.requeueAfter).toBe(0);
  const second = await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(8);
  expect(second?.requeueAfter).toBe(0);
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(10); // exactly spec.replicas, though the cache still shows none
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(10);
  expect(new Set(t.created.map((p) => p.metadata.name)).size).toBe(10);
});

test('a created pod deleted before the informer showed its create is no longer counted', async () => {
  const t = setup();
  t.rsCache.set(replicaSet(2));
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(2);
  const gone = t.created[0];
  t.handler.onDelete!(gone, { revision: 2 });
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(3);
});

test('scale down deletes the surplus once, newest unassigned first', async () => {
  const t = setup();
  t.rsCache.set(replicaSet(1));
  const ps = [
    pod({ name: 'old', owner: 'rs-uid', node: 'n', created: '2024-01-01T00:00:00Z' }),
    pod({ name: 'new', owner: 'rs-uid', node: 'n', created: '2024-01-03T00:00:00Z' }),
    pod({ name: 'unassigned', owner: 'rs-uid', created: '2024-01-01T00:00:00Z' }),
  ];
  for (const p of ps) t.podCache.set(p);
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.deleted).toEqual(['unassigned', 'new']);
  await t.reconciler.reconcile('ns/web', t.ctx); // cache still shows 3 pods
  expect(t.deleted).toHaveLength(2);
});

test('a failing create stops after one attempt and writes ReplicaFailure', async () => {
  const t = setup({ failCreate: true });
  t.rsCache.set(replicaSet(5));
  await expect(t.reconciler.reconcile('ns/web', t.ctx)).rejects.toThrow(/invalid/);
  expect(t.events).toEqual(['FailedCreate']);
  const cond = t.statuses.at(-1)?.status?.conditions?.[0];
  expect(cond).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' });
  expect(t.expectations.satisfied('ns/web')).toBe(true); // the retry may try again
});

test('pods being deleted or finished do not count', async () => {
  const t = setup();
  t.rsCache.set(replicaSet(2));
  t.podCache.set(pod({ name: 'going', owner: 'rs-uid', deleting: true }));
  t.podCache.set(pod({ name: 'done', owner: 'rs-uid', phase: 'Succeeded' }));
  t.podCache.set(pod({ name: 'live', owner: 'rs-uid' }));
  await t.reconciler.reconcile('ns/web', t.ctx);
  expect(t.created).toHaveLength(1);
});
