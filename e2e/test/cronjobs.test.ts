// batch/v1 CronJobs end to end with real kubectl: `*/1 * * * *` creates Jobs (run by the
// job-controller on simulated nodes, where a Job's pod completes on its own like KWOK's
// pod-complete stage), history limits delete the oldest finished Jobs, Forbid never runs two at
// once, Replace deletes the running Job for the next, and `kubectl create job --from=cronjob/x` works. KEELSON_CRONJOB_MINUTE_MS=3000 is the
// cronjob-controller's test hook (a schedule minute lasts 3 s); it is not API.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(240_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
let cronController: ServiceProcess;

type Json = Record<string, any>;

function cronJob(name: string, spec: Json, podAnnotations: Json = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, labels: { cron: name } },
    spec: {
      schedule: '*/1 * * * *',
      ...spec,
      jobTemplate: {
        metadata: { labels: { cron: name } },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: { cron: name }, annotations: podAnnotations },
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] },
          },
        },
      },
    },
  });
}
const apply = async (manifest: string): Promise<void> => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(r.stderr);
};
const jobsOf = async (cron: string): Promise<Json[]> =>
  (JSON.parse(await cp.k('get', 'jobs', '-l', `cron=${cron}`, '-o', 'json')) as { items: Json[] }).items;
const isDone = (j: Json, type?: string): boolean => (j.status?.conditions ?? []).some((c: Json) => (type ? c.type === type : c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const eventsOf = async (name: string): Promise<Json[]> =>
  (JSON.parse(await cp.k('get', 'events', '--field-selector', `involvedObject.name=${name},involvedObject.kind=CronJob`, '-o', 'json')) as { items: Json[] }).items;
const countOf = (events: Json[], reason: string): number => events.filter((e) => e.reason === reason).reduce((n, e) => n + (e.count ?? 1), 0);
const log = (): string => cronController.log().slice(-3000);

beforeAll(async () => {
  const names = ['cronjob-controller', 'job-controller', 'scheduler', 'kubelet'];
  cp = await startControlPlane({ nats: true, services: names });
  const env = (n: string): Record<string, string> => {
    if (n === 'kubelet') return { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: '2', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') };
    // Single replicas without leader election: 2 s renew deadlines flap on a loaded machine.
    if (n === 'cronjob-controller') return { KEELSON_LEADER_ELECT: 'false', KEELSON_CRONJOB_MINUTE_MS: '3000' };
    if (n === 'job-controller') return { KEELSON_LEADER_ELECT: 'false', KEELSON_JOB_BACKOFF_BASE_MS: '200' };
    return FAST;
  };
  // One at a time: several services dialling NATS at once on a loaded machine time out.
  for (const n of names) {
    const s = await cp.startService(n, { env: env(n) });
    if (n === 'cronjob-controller') cronController = s;
  }
  await apply(cronJob('history', { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }));
  await apply(cronJob('failing', { failedJobsHistoryLimit: 1 }, { 'keelson.dev/simulated-exit-code': '1' }));
  // Each run lasts 7 s (over two schedule minutes): with Forbid the runs in between are skipped.
  await apply(cronJob('forbid', { concurrencyPolicy: 'Forbid' }, { 'keelson.dev/simulated-run-ms': '7000' }));
  // Each run would last 10 minutes: with Replace every schedule minute deletes it and starts the next.
  await apply(cronJob('replace', { concurrencyPolicy: 'Replace' }, { 'keelson.dev/simulated-run-ms': '600000' }));
  await apply(cronJob('manual', { suspend: true }));
}, 420_000);
afterAll(async () => {
  await cp?.stop();
});

test('*/1 * * * * creates a Job each schedule minute and keeps successfulJobsHistoryLimit 2', async () => {
  await until('four Jobs of history created', async () => countOf(await eventsOf('history'), 'SuccessfulCreate') >= 4, 120_000, 300, log);
  // Once older finished Jobs have been deleted, at most the newest two are left.
  await until('an old Job deleted by the history limit', async () => countOf(await eventsOf('history'), 'SuccessfulDelete') >= 1, 90_000, 300, log);
  const kept = await until('history limited to 2 finished Jobs', async () => {
    const done = (await jobsOf('history')).filter((j) => isDone(j, 'Complete') && !j.metadata.deletionTimestamp);
    return done.length === 2 && done;
  }, 90_000, 300, log);
  for (const j of kept) {
    expect(j.metadata.name).toMatch(/^history-\d+$/);
    expect(j.metadata.ownerReferences[0]).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'history', controller: true });
    expect(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  const events = await eventsOf('history');
  const seen = events.map((e) => `${e.reason} x${e.count ?? 1}: ${e.message}`).join('\n');
  if (countOf(events, 'SawCompletedJob') < 2) throw new Error(`events of history:\n${seen}\n--- cronjob-controller log ---\n${log()}`);
  const cj = JSON.parse(await cp.k('get', 'cronjob', 'history', '-o', 'json')) as Json;
  expect(cj.status.lastScheduleTime).toBeDefined();
  expect(cj.status.lastSuccessfulTime).toBeDefined();
  expect(await cp.k('get', 'cronjob', 'history')).toMatch(/^history\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+\d+\s+\d+s\s+/m);
});

test('failedJobsHistoryLimit 1 keeps only the newest failed Job', async () => {
  await until('three failing Jobs created', async () => countOf(await eventsOf('failing'), 'SuccessfulCreate') >= 3, 120_000, 300, log);
  await until('one failed Job kept', async () => {
    const failed = (await jobsOf('failing')).filter((j) => isDone(j, 'Failed') && !j.metadata.deletionTimestamp);
    return failed.length === 1;
  }, 180_000, 300, log);
  const cj = JSON.parse(await cp.k('get', 'cronjob', 'failing', '-o', 'json')) as Json;
  expect(cj.status.lastSuccessfulTime).toBeUndefined();
});

test('concurrencyPolicy Forbid never runs two Jobs at once and says why it skips', async () => {
  let maxRunning = 0;
  const done = await until('two Forbid Jobs Complete', async () => {
    const jobs = await jobsOf('forbid');
    maxRunning = Math.max(maxRunning, jobs.filter((j) => !isDone(j)).length);
    const complete = jobs.filter((j) => isDone(j, 'Complete'));
    return complete.length >= 2 && complete;
  }, 180_000, 200, log);
  expect(maxRunning).toBeLessThanOrEqual(1);
  // Each run started only after the one before it had completed.
  const runs = done.map((j) => ({ start: Date.parse(j.status.startTime), end: Date.parse(j.status.completionTime) })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
  const events = await eventsOf('forbid');
  expect(events.find((e) => e.reason === 'JobAlreadyActive')?.message).toBe('Not starting job because prior execution is running and concurrency policy is Forbid');
});

test('concurrencyPolicy Replace deletes the running Job and starts the next in its place', async () => {
  const events = await until('two running Jobs replaced', async () => {
    const ev = await eventsOf('replace');
    return countOf(ev, 'SuccessfulDelete') >= 2 && ev;
  }, 120_000, 300, log);
  const deleted = events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => /^Deleted job (replace-\d+)$/.exec(e.message)?.[1]);
  expect(deleted.every((n) => n !== undefined)).toBe(true);
  // A replaced Job is gone from the API.
  await until(`${deleted[0]} deleted`, async () => {
    const r = await cp.kubectl(['get', 'job', deleted[0]!]);
    return r.code !== 0 && /NotFound|not found/.test(r.stderr);
  }, 60_000, 300, log);
  // The CronJob's one active Job is a live Job of its own.
  // (One kubectl call reads both, moments apart: the controller replaces the Job every 3 s.)
  const items = await until('status.active names the one live Job', async () => {
    const got = (JSON.parse(await cp.k('get', 'cronjobs,jobs', '-l', 'cron=replace', '-o', 'json')) as { items: Json[] }).items;
    const cj = got.find((o) => o.kind === 'CronJob');
    const live = got.filter((o) => o.kind === 'Job' && !o.metadata.deletionTimestamp).map((j) => j.metadata.name);
    return cj?.status?.active?.length === 1 && live.includes(cj.status.active[0].name) && got;
  }, 60_000, 300, log);
  // None ran to completion (a run lasts 10 minutes): each was replaced first.
  expect(items.filter((o) => o.kind === 'Job' && isDone(o))).toHaveLength(0);
});

test('kubectl create job --from=cronjob/manual runs the template now (the CronJob itself is suspended)', async () => {
  await cp.k('create', 'job', 'manual-now', '--from=cronjob/manual');
  const j = await until('manual-now Complete', async () => {
    const job = JSON.parse(await cp.k('get', 'job', 'manual-now', '-o', 'json')) as Json;
    return isDone(job, 'Complete') && job;
  }, 180_000, 200);
  expect(j.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'manual' });
  expect(j.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
  // Suspended: the schedule started nothing of its own.
  expect(countOf(await eventsOf('manual'), 'SuccessfulCreate')).toBe(0);
});
