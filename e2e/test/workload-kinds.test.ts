// batch/v1 Job and CronJob, apps/v1 StatefulSet, DaemonSet and ControllerRevision, policy/v1
// PodDisruptionBudget and pods/eviction through the real kubectl (no controllers run): the
// typed `kubectl create job|cronjob` (protobuf bodies), the documentation's manifests,
// kube's defaults, columns and validation messages, `kubectl explain`, `kubectl get all`,
// and evictions that a budget allows or refuses (raw HTTP and `kubectl drain`).
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { header, kubectlReaders, row } from './support/kubectl-output';

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, 'fixtures/workloads');
let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const { json, fail } = kubectlReaders(() => c);
const send = (method: string, path: string, body: unknown) =>
  c.request(method, path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('Job', () => {
  test('kubectl create job (protobuf) is defaulted and gets a generated selector on its uid', async () => {
    await c.k('create', 'job', 'hi', '--image=busybox', '--', 'echo', 'hi');
    const job = await json('get', 'job', 'hi');
    const uid = job.metadata.uid as string;
    expect(job.spec).toMatchObject({
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'hi', 'controller-uid': uid, 'job-name': 'hi' };
    expect(job.spec.template.metadata.labels).toEqual(generated);
    expect(job.metadata.labels).toEqual(generated);
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(job.spec.template.spec.containers[0]).toMatchObject({ name: 'hi', image: 'busybox', command: ['echo', 'hi'] });
    expect(job.metadata.generation).toBe(1);

    const out = await c.k('get', 'jobs');
    expect(header(out)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(row(out, 'hi').slice(0, 3)).toEqual(['hi', 'Running', '0/1']);
    const wide = await c.k('get', 'job', 'hi', '-o', 'wide');
    expect(header(wide)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(row(wide, 'hi').slice(-3)).toEqual(['hi', 'busybox', `batch.kubernetes.io/controller-uid=${uid}`]);
  });

  test('the pi Job of the documentation applies, and its template is immutable', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'job-pi.yaml'));
    const pi = await json('get', 'job', 'pi');
    expect(pi.spec.backoffLimit).toBe(4);
    expect(pi.spec.template.spec.containers[0].command).toEqual(['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)']);
    const err = await fail('set', 'image', 'job/pi', 'pi=perl:5.36');
    expect(err).toContain('spec.template: Invalid value');
    expect(err).toContain('field is immutable');
    // Labels of the Job itself may change, and generation only follows the spec.
    await c.k('label', 'job', 'pi', 'team=math');
    expect((await json('get', 'job', 'pi')).metadata.generation).toBe(1);
  });

  test('status is written only through /status, and watchers see the change', async () => {
    const listed = await c.request('GET', '/apis/batch/v1/namespaces/default/jobs');
    const rv = JSON.parse(listed.body).metadata.resourceVersion as string;
    const job = await json('get', 'job', 'hi');
    job.status = { active: 1, startTime: '2026-01-01T00:00:00Z' };
    const main = await send('PUT', '/apis/batch/v1/namespaces/default/jobs/hi', job);
    expect(main.status).toBe(200);
    expect(JSON.parse(main.body).status).toEqual({});
    const viaStatus = await send('PUT', '/apis/batch/v1/namespaces/default/jobs/hi/status', job);
    expect(viaStatus.status).toBe(200);
    expect(JSON.parse(viaStatus.body).status).toEqual({ active: 1, startTime: '2026-01-01T00:00:00Z' });
    const watched = await c.request('GET', `/apis/batch/v1/namespaces/default/jobs?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    const events = watched.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ type: 'MODIFIED', object: expect.objectContaining({ status: { active: 1, startTime: '2026-01-01T00:00:00Z' } }) }));
  });

  test('invalid jobs get 422 with kube field paths', async () => {
    const base = (spec: Record<string, unknown>) => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bad' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } }, ...spec },
    });
    const always = base({});
    (always.spec.template.spec as Record<string, unknown>).restartPolicy = 'Always';
    let res = await send('POST', '/apis/batch/v1/namespaces/default/jobs', always);
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).message).toBe('Job.batch "bad" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
    res = await send('POST', '/apis/batch/v1/namespaces/default/jobs', base({ completionMode: 'Indexed', completions: null, parallelism: 2 }));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).details.causes).toContainEqual({ reason: 'FieldValueRequired', field: 'spec.completions', message: 'Required value: when completion mode is Indexed' });
    res = await send('POST', '/apis/batch/v1/namespaces/default/jobs', base({ podFailurePolicy: { rules: [{ action: 'FailJob' }] } }));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).details.causes).toContainEqual(expect.objectContaining({ field: 'spec.podFailurePolicy.rules[0]', message: expect.stringContaining('specifying one of OnExitCodes and OnPodConditions is required') }));
    res = await send('POST', '/apis/batch/v1/namespaces/default/jobs', base({ manualSelector: true }));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).details.causes).toContainEqual({ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' });
  });

  test('a DELETE naming no propagation policy orphans the pods (batch/v1 default); kubectl delete cascades', async () => {
    await c.k('create', 'job', 'orphaning', '--image=busybox', '--', 'true');
    const res = await c.request('DELETE', '/apis/batch/v1/namespaces/default/jobs/orphaning');
    expect(res.status).toBe(200);
    const job = JSON.parse(res.body);
    expect(job.metadata.finalizers).toEqual(['orphan']);
    expect(job.metadata.deletionTimestamp).toBeDefined();
    await c.k('create', 'job', 'cascading', '--image=busybox', '--', 'true');
    await c.k('delete', 'job', 'cascading');
    expect((await c.request('GET', '/apis/batch/v1/namespaces/default/jobs/cascading')).status).toBe(404);
  });

  test('kubectl explain job.spec.completions serves the schema', async () => {
    const out = await c.k('explain', 'job.spec.completions');
    expect(out).toContain('GROUP:      batch');
    expect(out).toContain('FIELD: completions <integer>');
    expect(out).toContain('Specifies the desired number of successfully finished pods');
  });
});

describe('CronJob', () => {
  test('kubectl create cronjob is defaulted and printed with kube columns', async () => {
    await c.k('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date');
    const cj = await json('get', 'cronjob', 'tick');
    expect(cj.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    // Only the pod template inside jobTemplate is defaulted, as in Kubernetes.
    expect(cj.spec.jobTemplate.spec.completions).toBeUndefined();
    expect(cj.spec.jobTemplate.spec.template.spec).toMatchObject({ restartPolicy: 'OnFailure', schedulerName: 'default-scheduler' });
    const out = await c.k('get', 'cronjobs');
    expect(header(out)).toEqual(['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    expect(row(out, 'tick').slice(0, 6)).toEqual(['tick', '*/5 * * * *', '<none>', 'False', '0', '<none>']);
  });

  test('kubectl create job --from=cronjob builds a Job owned by the CronJob', async () => {
    await c.k('create', 'job', 'tick-manual', '--from=cronjob/tick');
    const job = await json('get', 'job', 'tick-manual');
    const cj = await json('get', 'cronjob', 'tick');
    expect(job.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', uid: cj.metadata.uid, controller: true })]);
    expect(job.spec.template.spec.containers[0].command).toEqual(['date']);
    expect(job.spec.backoffLimit).toBe(6);
  });

  test('the hello CronJob of the documentation applies with a time zone', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'cronjob-hello.yaml'));
    await c.k('patch', 'cronjob', 'hello', '--type=merge', '-p', '{"spec":{"timeZone":"Europe/Paris"}}');
    expect(row(await c.k('get', 'cronjob', 'hello'), 'hello').slice(0, 4)).toEqual(['hello', '* * * * *', 'Europe/Paris', 'False']);
  });

  test('a bad schedule, TZ= in the schedule or an unknown time zone is 422', async () => {
    const bad = await fail('create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *');
    expect(bad).toContain('CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
    const fields = await fail('create', 'cronjob', 'bad', '--image=busybox', '--schedule=* * *');
    expect(fields).toContain('spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]');
    const tz = await fail('create', 'cronjob', 'bad', '--image=busybox', '--schedule=TZ=UTC 0 * * * *');
    expect(tz).toContain('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    const res = await send('POST', '/apis/batch/v1/namespaces/default/cronjobs', {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' },
      spec: { schedule: '@hourly', timeZone: 'Mars/Olympus', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } } },
    });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).message).toBe('CronJob.batch "bad" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus');
  });
});

describe('StatefulSet and DaemonSet', () => {
  test('the web StatefulSet of the documentation is defaulted, scalable and printed', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'statefulset-web.yaml'));
    const sts = await json('get', 'statefulset', 'web');
    expect(sts.spec).toMatchObject({
      replicas: 3, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ metadata: { name: 'www' }, spec: { volumeMode: 'Filesystem', storageClassName: 'my-storage-class' }, status: { phase: 'Pending' } });
    const out = await c.k('get', 'sts', '-o', 'wide');
    expect(header(out)).toEqual(['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    expect(row(out, 'web')).toEqual(['web', '0/3', expect.any(String), 'nginx', 'registry.k8s.io/nginx-slim:0.24']);

    await c.k('scale', 'statefulset', 'web', '--replicas=5');
    const scaled = await json('get', 'statefulset', 'web');
    expect(scaled.spec.replicas).toBe(5);
    expect(scaled.metadata.generation).toBe(2);
    const err = await fail('patch', 'statefulset', 'web', '--type=merge', '-p', '{"spec":{"serviceName":"other"}}');
    expect(err).toContain("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  });

  test('a StatefulSet whose selector misses its template labels is 422', async () => {
    const res = await send('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).message).toBe('StatefulSet.apps "db" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
  });

  test('probes are validated and defaulted as kube does: a probe without a handler is 422, zeros are defaults', async () => {
    const deploy = (probe: Record<string, unknown>) => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'probed' },
      spec: { selector: { matchLabels: { app: 'probed' } }, template: { metadata: { labels: { app: 'probed' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }], livenessProbe: probe }] } } },
    });
    const bad = await c.kubectl(['apply', '-f', '-'], { input: deploy({ periodSeconds: 5 }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The Deployment "probed" is invalid: spec.template.spec.containers[0].livenessProbe: Required value: must specify a handler type');
    const two = await c.kubectl(['apply', '-f', '-'], { input: deploy({ httpGet: { port: 'http' }, tcpSocket: { port: 80 }, successThreshold: 2 }) });
    expect(two.stderr).toContain('spec.template.spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type');
    expect(two.stderr).toContain('spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1');
    const ok = await c.kubectl(['apply', '-f', '-'], { input: deploy({ httpGet: { port: 'http' }, periodSeconds: 0, failureThreshold: 0 }) });
    expect(ok.stderr).toBe('');
    const probe = (await json('get', 'deployment', 'probed')).spec.template.spec.containers[0].livenessProbe;
    expect(probe).toEqual({ httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    await c.k('delete', 'deployment', 'probed');
  });

  test('the fluentd DaemonSet of the documentation is defaulted and printed', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'daemonset-fluentd.yaml'));
    const ds = await json('get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.metadata.annotations['deprecated.daemonset.template.generation']).toBe('1');
    const out = await c.k('get', 'daemonsets', '-n', 'kube-system');
    expect(header(out)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(row(out, 'fluentd-elasticsearch').slice(0, 7)).toEqual(['fluentd-elasticsearch', '0', '0', '0', '0', '0', '<none>']);
    // A template change moves the template generation on.
    await c.k('set', 'image', 'ds/fluentd-elasticsearch', '-n', 'kube-system', 'fluentd-elasticsearch=quay.io/fluentd_elasticsearch/fluentd:v2.6.0');
    const updated = await json('get', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system');
    expect(updated.metadata.annotations['deprecated.daemonset.template.generation']).toBe('2');
    const err = await fail('patch', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":1}}}}');
    expect(err).toContain('spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero');
  });

  test('ControllerRevisions print their controller and refuse a data change', async () => {
    const sts = await json('get', 'statefulset', 'web');
    const body = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { spec: { template: {} } },
      metadata: { name: 'web-6d7f8', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: sts.metadata.uid, controller: true }] },
    };
    expect((await send('POST', '/apis/apps/v1/namespaces/default/controllerrevisions', body)).status).toBe(201);
    const out = await c.k('get', 'controllerrevisions');
    expect(header(out)).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(row(out, 'web-6d7f8').slice(0, 3)).toEqual(['web-6d7f8', 'statefulset.apps/web', '1']);
    const err = await fail('patch', 'controllerrevision', 'web-6d7f8', '--type=merge', '-p', '{"data":{"spec":{"replicas":2}}}');
    expect(err).toContain('data: Invalid value');
  });

  test('kubectl get all lists the new kinds', async () => {
    const out = await c.k('get', 'all', '-A');
    for (const name of ['job.batch/pi', 'cronjob.batch/hello', 'statefulset.apps/web', 'daemonset.apps/fluentd-elasticsearch']) expect(out).toContain(name);
  });
});

describe('PodDisruptionBudget and pods/eviction', () => {
  /** A pod bound to `node`, Running and Ready as a kubelet would report it. */
  async function readyPod(name: string, node: string, labels: Record<string, string>): Promise<void> {
    const created = await send('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
      spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox' }] },
    });
    expect(created.status).toBe(201);
    const pod = JSON.parse(created.body);
    pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    expect((await send('PUT', `/api/v1/namespaces/default/pods/${name}/status`, pod)).status).toBe(200);
  }
  const evict = (name: string) =>
    send('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
  const exists = async (name: string) => (await c.request('GET', `/api/v1/namespaces/default/pods/${name}`)).status === 200;

  beforeAll(async () => {
    for (const node of ['node-a', 'node-b']) await send('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
  });

  test('the documentation budgets apply, validate and print', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'pdb-zookeeper.yaml'));
    const out = await c.k('get', 'pdb');
    expect(header(out)).toEqual(['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    expect(row(out, 'zk-pdb').slice(0, 4)).toEqual(['zk-pdb', '2', 'N/A', '0']);
    expect(row(out, 'zk-pdb-max').slice(0, 4)).toEqual(['zk-pdb-max', 'N/A', '1', '0']);
    const both = await fail('patch', 'pdb', 'zk-pdb', '--type=merge', '-p', '{"spec":{"maxUnavailable":1}}');
    expect(both).toContain('minAvailable and maxUnavailable cannot be both set');
    const pct = await fail('patch', 'pdb', 'zk-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":"150%"}}');
    expect(pct).toContain('spec.minAvailable: Invalid value: 150%: must not be greater than 100%');
  });

  test('an eviction the budget allows deletes the pod; the next one is 429 with the DisruptionBudget cause', async () => {
    for (const n of ['guard-0', 'guard-1', 'guard-2']) await readyPod(n, 'node-a', { app: 'guarded' });
    await send('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } },
    });
    const ok = await evict('guard-0');
    expect(ok.status).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(await exists('guard-0')).toBe(false);

    const refused = await evict('guard-1');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({
      reason: 'TooManyRequests', code: 429, message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 2 healthy pods and has 2 currently' }] },
    });
    expect(await exists('guard-1')).toBe(true);
    const pdb = await json('get', 'pdb', 'guard');
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 });
    expect(Object.keys(pdb.status.disruptedPods)).toEqual(['guard-0']);
  });

  test('two concurrent evictions cannot both spend the last disruption', async () => {
    for (const n of ['race-0', 'race-1', 'race-2']) await readyPod(n, 'node-a', { app: 'racing' });
    await send('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'racing' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'racing' } } },
    });
    const codes = (await Promise.all([evict('race-0'), evict('race-1')])).map((r) => r.status).sort();
    expect(codes).toEqual([201, 429]);
    const left = await Promise.all(['race-0', 'race-1', 'race-2'].map(exists));
    expect(left.filter(Boolean)).toHaveLength(2);
  });

  test('two budgets selecting one pod make its eviction a 500, as in Kubernetes', async () => {
    await send('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard-too' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'guarded' } } },
    });
    const res = await evict('guard-2');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).message).toBe('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    await c.k('delete', 'pdb', 'guard-too');
  });

  test('kubectl drain evicts the pods the budget allows (its 429s are the raw-HTTP cases above)', async () => {
    // Two pods on node-b and one on node-a, at least one available: node-b drains.
    for (const [n, node] of [['drain-0', 'node-b'], ['drain-1', 'node-b'], ['drain-2', 'node-a']]) await readyPod(n, node, { app: 'drainable' });
    await c.k('create', 'pdb', 'drainable', '--selector=app=drainable', '--min-available=1');
    const drained = await c.kubectl(['drain', 'node-b', '--force', '--timeout=20s']);
    expect(drained.stderr + drained.stdout).toContain('node/node-b drained');
    expect(drained.stderr + drained.stdout).toContain('pod/drain-0 evicted');
    expect(await exists('drain-1')).toBe(false);
    expect((await json('get', 'node', 'node-b')).spec.unschedulable).toBe(true);
    // Drain went through pods/eviction: the budget recorded what it let through.
    const pdb = await json('get', 'pdb', 'drainable');
    expect(Object.keys(pdb.status.disruptedPods).length).toBeGreaterThan(0);
    expect(pdb.status.desiredHealthy).toBe(1);
  });
});
