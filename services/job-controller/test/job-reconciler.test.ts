// The counting protocol of the job reconciler with fake API and caches: a finished pod is written
// to uncountedTerminatedPods before its finalizer goes and counted after, exactly once, even when
// the pod cache still shows the finalizer or the controller stopped between the steps.
import { ObjectCache, type ReconcileContext } from '@keelson/controller-runtime';
import { createLogger } from '@keelson/telemetry';
import { BackoffStore } from '../src/backoff';
import { JobExpectations } from '../src/expectations';
import { JobReconciler } from '../src/job-reconciler';
import { OrphanPods } from '../src/orphan-pods';
import { PodControl } from '../src/pod-control';
import { JOB_TRACKING_FINALIZER, type Job, type JobStatus, type Pod } from '../src/types';

const SELECTOR = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } };

function job(status: JobStatus = {}, spec: Job['spec'] = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'j', namespace: 'ns', uid: 'job-uid', resourceVersion: '1' },
    spec: { completions: 2, parallelism: 2, backoffLimit: 6, selector: SELECTOR, template: { metadata: { labels: SELECTOR.matchLabels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main' }] } }, ...spec },
    status: { startTime: '2026-01-01T00:00:00Z', ...status },
  };
}

function pod(name: string, phase: string, finalizer = true): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', labels: SELECTOR.matchLabels,
      finalizers: finalizer ? [JOB_TRACKING_FINALIZER] : [],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid', controller: true }],
    },
    spec: { nodeName: 'n1' },
    status: { phase, containerStatuses: [{ name: 'main', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: '2026-01-01T00:00:05Z' } } }] },
  };
}

function setup(j: Job, pods: Pod[], opts: { orphans?: OrphanPods } = {}) {
  const jobs = new ObjectCache<Job>();
  const podCache = new ObjectCache<Pod>();
  jobs.set(j);
  for (const p of pods) podCache.set(p);
  const statuses: JobStatus[] = [];
  const patched: string[] = [];
  const created: Pod[] = [];
  let stored = j;
  const client = {
    get: async () => stored,
    patch: async (_r: unknown, ns: string, name: string, body: { metadata?: Partial<Pod['metadata']> }) => {
      patched.push(name);
      // The pod as the API would return it: an adoption's ownerReferences and finalizers applied.
      const cur = podCache.getByName(ns, name);
      const { ownerReferences, finalizers } = body.metadata ?? {};
      return cur ? { ...cur, metadata: { ...cur.metadata, ...(ownerReferences ? { ownerReferences } : {}), ...(finalizers ? { finalizers } : {}) } } : ({} as Pod);
    },
    updateStatus: async (_r: unknown, obj: Job) => {
      statuses.push(structuredClone(obj.status!));
      stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(Number(obj.metadata.resourceVersion) + 1) } };
      return stored;
    },
    create: async (_r: unknown, obj: Pod) => {
      created.push(obj);
      return { ...obj, metadata: { ...obj.metadata, name: `${obj.metadata.generateName}x${created.length}` } };
    },
    delete: async () => ({}),
  };
  const recorder = { event: () => undefined };
  const expectations = new JobExpectations();
  const reconciler = new JobReconciler({
    client: client as never, jobs, pods: podCache, expectations, backoff: new BackoffStore(1000, 4000),
    podControl: new PodControl(client as never, recorder), recorder, now: () => Date.parse('2026-01-01T00:00:10Z'), orphans: opts.orphans,
  });
  const ctx: ReconcileContext = {
    signal: new AbortController().signal, logger: createLogger('test', { write: () => undefined }), requeues: 0,
    enqueue: () => undefined, enqueueAfter: () => undefined,
  };
  return { jobs, podCache, statuses, patched, created, reconciler, ctx, stored: () => stored };
}

test('finished pods are recorded as uncounted, lose the finalizer, then are counted; the Job completes', async () => {
  const t = setup(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded')]);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.statuses[0].uncountedTerminatedPods).toEqual({ succeeded: ['uid-a', 'uid-b'] });
  expect(t.statuses[0].succeeded ?? 0).toBe(0);
  expect(t.patched.sort()).toEqual(['a', 'b']);
  const last = t.statuses[t.statuses.length - 1];
  expect(last).toMatchObject({ succeeded: 2, uncountedTerminatedPods: {}, active: 0 });
  expect(last.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
  expect(last.completionTime).toBeDefined();
});

test('a stale pod cache that still shows the finalizer does not count a pod twice', async () => {
  const t = setup(job({}, { completions: 3 }), [pod('a', 'Succeeded')]);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.stored().status).toMatchObject({ succeeded: 1, uncountedTerminatedPods: {} });
  t.jobs.set(t.stored()); // the Job cache caught up; the pod cache still has the finalizer
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.stored().status?.succeeded).toBe(1);
  expect(t.patched).toEqual(['a']);
});

test('after a restart: an uncounted pod whose finalizer is gone is counted once, one that still has it loses it first', async () => {
  const t = setup(job({ uncountedTerminatedPods: { succeeded: ['uid-a', 'uid-b'] } }, { completions: 3 }), [pod('a', 'Succeeded', false), pod('b', 'Succeeded')]);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.patched).toEqual(['b']);
  expect(t.stored().status).toMatchObject({ succeeded: 2, uncountedTerminatedPods: {} });
});

test('failures beyond backoffLimit set FailureTarget, then Failed with BackoffLimitExceeded', async () => {
  const t = setup(job({}, { completions: 1, parallelism: 1, backoffLimit: 1 }), [pod('a', 'Failed'), pod('b', 'Failed')]);
  await t.reconciler.reconcile('ns/j', t.ctx);
  const last = t.stored().status!;
  expect(last).toMatchObject({ failed: 2, uncountedTerminatedPods: {} });
  expect(last.conditions?.map((c) => [c.type, c.reason])).toEqual([['FailureTarget', 'BackoffLimitExceeded'], ['Failed', 'BackoffLimitExceeded']]);
  expect(t.created).toHaveLength(0);
});

test('an Indexed Job creates the missing indexes with their index annotation, env and hostname', async () => {
  const t = setup(job({}, { completions: 3, parallelism: 2, completionMode: 'Indexed' }), []);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.created.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])).toEqual(['0', '1']);
  expect(t.created[1].spec?.hostname).toBe('j-1');
  expect(t.created[1].metadata.finalizers).toContain(JOB_TRACKING_FINALIZER);
  expect(t.created[1].spec?.containers?.[0].env).toContainEqual({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
});

test('the pod a sync creates counts as active in that sync\'s status; its arrival in the cache writes nothing more', async () => {
  const t = setup(job({}, { completions: 1, parallelism: 1 }), []);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.created).toHaveLength(1);
  expect(t.statuses).toHaveLength(1);
  expect(t.statuses[0]).toMatchObject({ active: 1, ready: 0 });

  // The Job's own status echo arrives before the pod: nothing is written back to active 0.
  t.jobs.set(t.stored());
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.statuses).toHaveLength(1);

  // The informer shows the pod (its add event lowered the expectation): still nothing to write.
  const p = { ...pod('j-x1', 'Pending'), status: { phase: 'Pending' } };
  t.podCache.set(p);
  (t.reconciler as unknown as { o: { expectations: JobExpectations } }).o.expectations.creationObserved('ns/j');
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.created).toHaveLength(1);
  expect(t.statuses).toHaveLength(1);
});

test('a sync that runs before the Job cache shows its last status write starts from that write (no second pod)', async () => {
  const t = setup(job({}, { completions: 1, parallelism: 1 }), [pod('a', 'Succeeded')]);
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.stored().status).toMatchObject({ succeeded: 1 });
  expect(t.stored().status?.conditions?.map((c) => c.type)).toContain('Complete');
  const writes = t.statuses.length;

  // The pod cache shows the finalizer gone; the Job cache still holds the Job as it was before.
  t.podCache.set(pod('a', 'Succeeded', false));
  (t.reconciler as unknown as { o: { expectations: JobExpectations } }).o.expectations.finalizerRemovalObserved('ns/j', 'uid-a');
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.created).toHaveLength(0);
  expect(t.statuses).toHaveLength(writes);

  // Once the cache has caught up, it is what the sync reads again.
  t.jobs.set(t.stored());
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.created).toHaveLength(0);
  expect(t.statuses).toHaveLength(writes);
});

test('with the orphan set, a sync adopts a matching orphan and leaves pods of other controllers alone', async () => {
  const orphan = { ...pod('o', 'Running'), metadata: { ...pod('o', 'Running').metadata, ownerReferences: [] } };
  const foreign = { ...pod('f', 'Running'), metadata: { ...pod('f', 'Running').metadata, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'other', uid: 'other-uid', controller: true }] } };
  const orphans = new OrphanPods();
  for (const p of [orphan, foreign]) orphans.handler().onAdd!(p, { revision: 1 });
  const t = setup(job({}, { completions: 1, parallelism: 1 }), [orphan, foreign], { orphans });
  await t.reconciler.reconcile('ns/j', t.ctx);
  expect(t.patched).toEqual(['o']); // adopted (ownerReference and finalizer)
  expect(t.created).toHaveLength(0); // the adopted pod is the one active pod
  expect(t.statuses[t.statuses.length - 1]).toMatchObject({ active: 1 });
});
