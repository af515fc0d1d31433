// batch/v1 Jobs end to end on a process node (pods really run as processes), driven by the real
// kubectl: parallelism and completions, backoffLimit with back-off, an Indexed Job's indexes,
// podFailurePolicy, the job-tracking finalizer across a controller SIGKILL, and TTL after finished.
// The pod-failure back-off is shortened with KEELSON_JOB_BACKOFF_BASE_MS (a test hook of the
// job-controller process, not API); everything else runs as a user would see it.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(120_000);

const KUBELET_SECRET = 'jobs-kubelet-secret';
const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
// One replica without leader election: on a loaded machine 2 s renew deadlines flap leadership,
// and the SIGKILL test restarts the controller at once instead of waiting out a lease.
const JOB_CONTROLLER_ENV = { KEELSON_LEADER_ELECT: 'false', KEELSON_JOB_BACKOFF_BASE_MS: '200', KEELSON_JOB_BACKOFF_MAX_MS: '1000' };
let cp: ControlPlane;
let jobController: ServiceProcess;

type Json = Record<string, any>;

function job(name: string, spec: Json, command: string, podSpec: Json = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, ...podSpec, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }] } },
    },
  });
}
const apply = async (manifest: string): Promise<void> => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(r.stderr);
};
const getJob = async (name: string): Promise<Json> => JSON.parse(await cp.k('get', 'job', name, '-o', 'json')) as Json;
const podsOf = async (name: string): Promise<Json[]> =>
  (JSON.parse(await cp.k('get', 'pods', '-l', `batch.kubernetes.io/job-name=${name}`, '-o', 'json')) as { items: Json[] }).items;
const condition = (j: Json, type: string): Json | undefined => (j.status?.conditions ?? []).find((c: Json) => c.type === type && c.status === 'True');
const finished = (name: string, type: 'Complete' | 'Failed', timeoutMs = 60_000): Promise<Json> =>
  until(`job ${name} ${type}`, async () => {
    const j = await getJob(name);
    return condition(j, type) && j;
  }, timeoutMs, 200, () => jobController.log().slice(-3000));

beforeAll(async () => {
  const names = ['job-controller', 'scheduler', 'kubelet', 'garbage-collector'];
  cp = await startControlPlane({ nats: true, services: names, nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  const kubelet = {
    ...FAST, NODE_NAME: 'node-1', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'), KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET,
    KEELSON_NODE_CPU: '8', KEELSON_NODE_MEMORY: '8Gi', KEELSON_NODE_LEASE_RENEW_MS: '1000', KEELSON_NODE_STATUS_UPDATE_MS: '2000',
  };
  // One at a time: several services dialling NATS at once on a loaded machine time out.
  jobController = await cp.startService('job-controller', { env: JOB_CONTROLLER_ENV });
  await cp.startService('scheduler', { env: FAST });
  await cp.startService('kubelet', { env: kubelet, instance: 'node-1' });
  await cp.startService('garbage-collector', { env: FAST });
  await until('node-1 Ready', async () => /node-1\s+Ready/.test(await cp.k('get', 'nodes')), 60_000);
  // Every Job starts at once; each test then follows its own.
  await apply(job('para', { completions: 5, parallelism: 2 }, 'sleep 1'));
  await apply(job('fails', { backoffLimit: 2 }, 'echo failing; exit 3'));
  await apply(job('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, 'echo "index=$JOB_COMPLETION_INDEX host=$HOSTNAME"'));
  await apply(job('policy', {
    backoffLimit: 6,
    podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
  }, 'exit 42'));
  await apply(job('ttl', { ttlSecondsAfterFinished: 2 }, 'true'));
}, 240_000);
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=20s']).catch(() => undefined);
  await cp?.stop();
});

test('completions 5 / parallelism 2: five pods succeed, never more than two at once, and the Job is Complete', async () => {
  let maxActive = 0;
  const watched = until('para complete', async () => {
    const j = await getJob('para');
    maxActive = Math.max(maxActive, j.status?.active ?? 0);
    const live = (await podsOf('para')).filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata.deletionTimestamp).length;
    maxActive = Math.max(maxActive, live);
    return condition(j, 'Complete') && j;
  }, 90_000, 200, () => jobController.log().slice(-3000));
  const j = await watched;
  expect(maxActive).toBeGreaterThan(0);
  expect(maxActive).toBeLessThanOrEqual(2);
  expect(j.status).toMatchObject({ succeeded: 5, active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
  expect(j.status.failed ?? 0).toBe(0);
  expect(j.status.startTime).toBeDefined();
  expect(j.status.completionTime).toBeDefined();
  expect(condition(j, 'SuccessCriteriaMet')).toMatchObject({ reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
  expect(condition(j, 'Complete')).toMatchObject({ reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
  const pods = await podsOf('para');
  expect(pods).toHaveLength(5);
  for (const p of pods) {
    expect(p.status.phase).toBe('Succeeded');
    expect(p.metadata.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
    expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'para', controller: true });
  }
  expect(await cp.k('get', 'job', 'para')).toMatch(/^para\s+Complete\s+5\/5\s+/m);
  const events = await cp.k('get', 'events', '--field-selector', 'involvedObject.name=para', '-o', 'json');
  const reasons = (JSON.parse(events) as { items: Json[] }).items.map((e) => e.reason);
  expect(reasons).toContain('SuccessfulCreate');
  expect(reasons).toContain('Completed');
});

test('an always-failing Job stops at backoffLimit 2 with BackoffLimitExceeded', async () => {
  const j = await finished('fails', 'Failed');
  expect(condition(j, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  expect(condition(j, 'FailureTarget')).toMatchObject({ reason: 'BackoffLimitExceeded' });
  expect(j.status).toMatchObject({ failed: 3, active: 0, uncountedTerminatedPods: {} });
  expect(j.status.succeeded ?? 0).toBe(0);
  expect(j.status.completionTime).toBeUndefined();
  // backoffLimit 2: the first pod and two retries, each run for real (exit code 3).
  const pods = await podsOf('fails');
  expect(pods).toHaveLength(3);
  for (const p of pods) expect(p.status.containerStatuses[0].state.terminated.exitCode).toBe(3);
  expect(await cp.k('get', 'job', 'fails')).toMatch(/^fails\s+Failed\s+0\/1\s+/m);
  expect(await cp.k('describe', 'job', 'fails')).toMatch(/Warning\s+BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
});

test('an Indexed Job gives each pod its index: annotation, label, JOB_COMPLETION_INDEX and hostname', async () => {
  const j = await finished('indexed', 'Complete');
  expect(j.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
  const pods = await podsOf('indexed');
  expect(pods).toHaveLength(3);
  const seen: string[] = [];
  for (const p of pods) {
    const ix = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
    expect(p.metadata.labels['batch.kubernetes.io/job-completion-index']).toBe(ix);
    expect(p.metadata.name).toMatch(new RegExp(`^indexed-${ix}-[a-z0-9]{5}$`));
    expect(p.spec.hostname).toBe(`indexed-${ix}`);
    // What the process itself printed, read back through kubectl logs.
    const out = await cp.k('logs', p.metadata.name);
    expect(out.trim()).toBe(`index=${ix} host=indexed-${ix}`);
    seen.push(ix);
  }
  expect(seen.sort()).toEqual(['0', '1', '2']);
});

test('podFailurePolicy FailJob on exit code 42 fails the Job at once', async () => {
  const j = await finished('policy', 'Failed');
  expect(condition(j, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy' });
  expect(condition(j, 'Failed')?.message).toMatch(/^Container main for pod default\/policy-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);
  expect(await podsOf('policy')).toHaveLength(1);
});

test('ttlSecondsAfterFinished removes the finished Job and its pods', async () => {
  await until('ttl Job deleted', async () => (await cp.request('GET', '/apis/batch/v1/namespaces/default/jobs/ttl')).status === 404, 60_000, 200);
  await until('ttl pods gone', async () => (await podsOf('ttl')).length === 0, 30_000, 200);
});

test('a SIGKILLed job-controller neither loses nor double-counts pods (tracking finalizers)', async () => {
  await apply(job('restart', { completions: 4, parallelism: 2 }, 'sleep 1'));
  await until('a pod of restart succeeded', async () => (await podsOf('restart')).some((p) => p.status?.phase === 'Succeeded'), 60_000, 100);
  await jobController.kill('SIGKILL');
  // While it is down, pods finish and keep their finalizer: nothing has counted them yet.
  await until('pods finished while the controller is down', async () =>
    (await podsOf('restart')).some((p) => p.status?.phase === 'Succeeded' && (p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')), 30_000, 200);
  await jobController.start();
  const j = await finished('restart', 'Complete');
  expect(j.status.succeeded).toBe(4);
  expect(j.status.failed ?? 0).toBe(0);
  const pods = await podsOf('restart');
  expect(pods).toHaveLength(4);
  for (const p of pods) expect(p.metadata.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
});
