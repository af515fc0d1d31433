// When the job-controller's informer handlers queue a Job (job_controller.go's
// enqueueSyncJobImmediately / enqueueSyncJobBatched): at once for a Job's creation, deletion and
// spec change; after the batch period for its pods' events and its status-only updates, so a
// pod's short life and the echo of a status write cost one sync. Orphans are queued at once.
import { ObjectCache, type ControllerQueue } from '@keelson/controller-runtime';
import { jobHandler, podHandler } from '../src/event-handlers';
import { JobExpectations } from '../src/expectations';
import { JOB_TRACKING_FINALIZER, type Job, type Pod } from '../src/types';

const BATCH_MS = 1000;

function fixture() {
  const queued: { key: string; delayMs: number }[] = [];
  const queue: ControllerQueue = {
    enqueue: (key) => queued.push({ key, delayMs: 0 }),
    enqueueAfter: (key, delayMs) => queued.push({ key, delayMs }),
  };
  const jobs = new ObjectCache<Job>();
  const pods = new ObjectCache<Pod>();
  const expectations = new JobExpectations();
  const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns', uid: 'job-uid', generation: 1 }, spec: { selector: { matchLabels: { app: 'j' } } } };
  jobs.set(job);
  const deps = { queue, jobs, pods, expectations, batchMs: BATCH_MS };
  return { queued, job, expectations, jobs: jobHandler(deps), pods: podHandler(deps) };
}

function pod(phase: string, owner: { name: string; uid: string } | undefined = { name: 'j', uid: 'job-uid' }): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'j-abc', namespace: 'ns', uid: 'pod-uid', labels: { app: 'j' }, finalizers: [JOB_TRACKING_FINALIZER],
      ownerReferences: owner ? [{ apiVersion: 'batch/v1', kind: 'Job', name: owner.name, uid: owner.uid, controller: true }] : [],
    },
    spec: {},
    status: { phase },
  };
}

const info = { revision: 1 };

test('a Job\'s creation, deletion and spec change queue it at once; a status-only update after the batch period', () => {
  const f = fixture();
  f.jobs.onAdd!(f.job, info);
  f.jobs.onUpdate!(f.job, { ...f.job, status: { active: 1 } }, info);
  f.jobs.onUpdate!(f.job, { ...f.job, metadata: { ...f.job.metadata, generation: 2 } }, info);
  f.jobs.onDelete!(f.job, info);
  expect(f.queued).toEqual([
    { key: 'ns/j', delayMs: 0 },
    { key: 'ns/j', delayMs: BATCH_MS },
    { key: 'ns/j', delayMs: 0 },
    { key: 'ns/j', delayMs: 0 },
  ]);
});

test('pod events queue their Job after the batch period, having lowered its expectations at once', () => {
  const f = fixture();
  f.expectations.expect('ns/j', 1, []);
  f.pods.onAdd!(pod('Pending'), info);
  expect(f.expectations.satisfied('ns/j')).toBe(true);
  f.pods.onUpdate!(pod('Pending'), pod('Running'), info);
  f.pods.onUpdate!(pod('Running'), pod('Succeeded'), info);
  expect(f.queued).toEqual([1, 2, 3].map(() => ({ key: 'ns/j', delayMs: BATCH_MS })));
});

test('a pod with the tracking finalizer whose Job is gone is queued as an orphan at once', () => {
  const f = fixture();
  f.pods.onAdd!(pod('Succeeded', { name: 'gone', uid: 'gone-uid' }), info);
  expect(f.queued).toEqual([{ key: 'orphan:ns/j-abc', delayMs: 0 }]);
});
