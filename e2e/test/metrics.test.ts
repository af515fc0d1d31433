// Every service's /metrics, scraped before and after a Deployment rolls out on a process
// kubelet, parsed with a strict Prometheus text parser: the Kubernetes-named series are there
// and move (gateway requests, etcd latency, watches, relay lag and publish latency; work
// queues and reconciles of the controllers; scheduling attempts; pod starts, running pods and
// probes). The gateway's /metrics is a non-resource URL: kubectl get --raw works as the admin,
// a service account gets 403 until bound to kube's system:monitoring role.
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parsePrometheusText, sampleSum, startControlPlane, until, type ControlPlane, type MetricFamily } from '@keelson/testing';

jest.setTimeout(120_000);

type Families = Map<string, MetricFamily>;
const CONTROLLERS = ['deployment-controller', 'replicaset-controller', 'garbage-collector', 'namespace-controller', 'node-lifecycle-controller', 'scheduler'];
const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;
const ports = new Map<string, number>();

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: [...CONTROLLERS, 'kubelet'], nodes: ['node-1'] });
  // One at a time: eight Node processes starting at once on two cores can miss the readiness deadline.
  for (const name of CONTROLLERS) ports.set(name, (await cp.startService(name, { env: FAST })).healthPort);
  const kubelet = await cp.startService('kubelet', {
    instance: 'node-1',
    env: { NODE_NAME: 'node-1', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'), KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_LEASE_RENEW_MS: '1000' },
  });
  ports.set('kubelet', kubelet.healthPort);
});
afterAll(async () => {
  // Pods' processes outlive the kubelet by design: delete them first.
  await cp?.kubectl(['delete', 'deployment', 'metered', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

async function scrapeService(name: string): Promise<Families> {
  const res = await fetch(`http://127.0.0.1:${ports.get(name)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}
const scrapeGateway = async (): Promise<Families> => parsePrometheusText(await cp.k('get', '--raw', '/metrics'));
const scrapeAll = async (): Promise<Map<string, Families>> =>
  new Map(await Promise.all([...ports.keys()].map(async (n) => [n, await scrapeService(n)] as const).concat([scrapeGateway().then((f) => ['api-gateway', f] as const)])));

function typeOf(f: Families, name: string): string | undefined {
  return f.get(name)?.type;
}
const sum = (f: Families, name: string, labels: Record<string, string> = {}): number => sampleSum(f, name, labels) ?? 0;

/** Holds a watch on pods open (a long-running request) until the returned function is called. */
function holdWatch(): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(`${cp.url}/api/v1/namespaces/default/pods?watch=true`), { ca: cp.creds.caPem, headers: { authorization: `Bearer ${cp.creds.adminToken}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch: ${res.statusCode}`));
      res.resume();
      resolve(() => req.destroy());
    });
    req.on('error', () => undefined);
    req.end();
  });
}

test('every service exposes Kubernetes-named metrics that move while a Deployment rolls out', async () => {
  const before = await scrapeAll();
  // Declared with kube's types from the start.
  const gw0 = before.get('api-gateway')!;
  expect(typeOf(gw0, 'apiserver_request_total')).toBe('counter');
  expect(typeOf(gw0, 'apiserver_request_duration_seconds')).toBe('histogram');
  expect(typeOf(gw0, 'apiserver_longrunning_requests')).toBe('gauge');
  expect(typeOf(gw0, 'apiserver_registered_watchers')).toBe('gauge');
  expect(typeOf(gw0, 'etcd_request_duration_seconds')).toBe('histogram');
  expect(typeOf(gw0, 'keelson_relay_lag_revisions')).toBe('gauge');
  expect(typeOf(gw0, 'keelson_relay_publish_duration_seconds')).toBe('histogram');
  expect(typeOf(gw0, 'apiserver_flowcontrol_current_executing_seats')).toBe('gauge');
  expect(typeOf(gw0, 'apiserver_flowcontrol_current_inqueue_requests')).toBe('gauge');
  expect(typeOf(gw0, 'process_cpu_seconds_total')).toBe('counter');
  for (const name of CONTROLLERS) {
    const f = before.get(name)!;
    expect([name, typeOf(f, 'workqueue_depth'), typeOf(f, 'workqueue_adds_total'), typeOf(f, 'workqueue_retries_total')]).toEqual([name, 'gauge', 'counter', 'counter']);
    expect([name, typeOf(f, 'workqueue_queue_duration_seconds'), typeOf(f, 'workqueue_work_duration_seconds'), typeOf(f, 'controller_runtime_reconcile_time_seconds')]).toEqual([name, 'histogram', 'histogram', 'histogram']);
    expect([name, typeOf(f, 'controller_runtime_reconcile_total'), typeOf(f, 'controller_runtime_reconcile_errors_total')]).toEqual([name, 'counter', 'counter']);
    expect([name, typeOf(f, 'workqueue_unfinished_work_seconds'), typeOf(f, 'workqueue_longest_running_processor_seconds')]).toEqual([name, 'gauge', 'gauge']);
    expect(sampleSum(f, 'controller_runtime_reconcile_errors_total')).toBeDefined();
  }
  expect(sampleSum(before.get('scheduler')!, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' })).toBe(0);
  expect(typeOf(before.get('kubelet')!, 'kubelet_pod_start_duration_seconds')).toBe('histogram');
  expect(typeOf(before.get('kubelet')!, 'kubelet_running_pods')).toBe('gauge');

  const stopWatch = await holdWatch();
  const manifest = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'metered' },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'metered' } },
      template: {
        metadata: { labels: { app: 'metered' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }] },
      },
    },
  };
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) }).then((r) => expect(r.stderr).toBe(''));
  await cp.k('rollout', 'status', 'deployment/metered', '--timeout=60s');
  // Probes keep running: wait for a few successful readiness probes before the second scrape.
  await until('readiness probes counted', async () => sum(await scrapeService('kubelet'), 'prober_probe_total', { probe_type: 'Readiness', result: 'successful' }) >= 2);

  const gw = await scrapeGateway();
  // kubectl apply of a new object: GET (404), then POST; the controllers PUT/PATCH status.
  expect(sum(gw, 'apiserver_request_total', { verb: 'POST', group: 'apps', resource: 'deployments', scope: 'resource', code: '201' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_request_total', { verb: 'GET', group: 'apps', resource: 'deployments', scope: 'resource', code: '404' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_request_total', { group: 'apps', resource: 'replicasets', verb: 'POST', code: '201' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_request_total', { resource: 'pods', verb: 'POST', code: '201' })).toBeGreaterThanOrEqual(2);
  expect(sum(gw, 'apiserver_request_total', { resource: 'pods', subresource: 'binding', code: '201' })).toBeGreaterThanOrEqual(2);
  expect(sum(gw, 'apiserver_request_total', { resource: 'pods', subresource: 'status' })).toBeGreaterThan(sum(gw0, 'apiserver_request_total', { resource: 'pods', subresource: 'status' }));
  expect(sum(gw, 'apiserver_request_duration_seconds_count', { verb: 'POST', group: 'apps', resource: 'deployments' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_request_duration_seconds_count')).toBeGreaterThan(sum(gw0, 'apiserver_request_duration_seconds_count'));
  // Our watch is open: a long-running request and a registered watcher on pods.
  expect(sum(gw, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods', scope: 'namespace' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_registered_watchers', { group: '', resource: 'pods' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'apiserver_storage_objects', { resource: 'deployments.apps' })).toBe(1);
  expect(sum(gw, 'apiserver_storage_objects', { resource: 'pods' })).toBe(2);
  expect(sum(gw, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'deployments.apps' })).toBeGreaterThanOrEqual(1);
  expect(sum(gw, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'pods' })).toBeGreaterThanOrEqual(2);
  expect(sum(gw, 'etcd_request_duration_seconds_count', { operation: 'update', type: 'pods' })).toBeGreaterThan(sum(gw0, 'etcd_request_duration_seconds_count', { operation: 'update', type: 'pods' }));
  expect(sum(gw, 'keelson_relay_publish_duration_seconds_count', { result: 'success' })).toBeGreaterThan(sum(gw0, 'keelson_relay_publish_duration_seconds_count', { result: 'success' }));
  expect(sum(gw, 'keelson_relay_published_revision')).toBeGreaterThan(sum(gw0, 'keelson_relay_published_revision'));
  expect(sampleSum(gw, 'keelson_relay_lag_revisions')).toBeGreaterThanOrEqual(0);
  // Flow control's levels, each with its seats taken (the controllers' leases go through leader-election).
  for (const level of ['system', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'catch-all']) {
    expect(sampleSum(gw, 'apiserver_flowcontrol_current_executing_seats', { priority_level: level })).toBeGreaterThanOrEqual(0);
  }
  stopWatch();
  await until('the watch is no longer counted', async () => sum(await scrapeGateway(), 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods' }) === 0);

  const after = await scrapeAll();
  for (const name of ['deployment-controller', 'replicaset-controller', 'scheduler']) {
    const [b, a] = [before.get(name)!, after.get(name)!];
    for (const series of ['workqueue_adds_total', 'workqueue_queue_duration_seconds_count', 'workqueue_work_duration_seconds_count', 'controller_runtime_reconcile_time_seconds_count']) {
      expect([name, series, sum(a, series) > sum(b, series)]).toEqual([name, series, true]);
    }
    expect([name, sum(a, 'controller_runtime_reconcile_total', { result: 'success' }) > sum(b, 'controller_runtime_reconcile_total', { result: 'success' })]).toEqual([name, true]);
  }
  const sched = after.get('scheduler')!;
  expect(sum(sched, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' })).toBeGreaterThanOrEqual(2);
  expect(sum(sched, 'scheduler_scheduling_attempt_duration_seconds_count', { result: 'scheduled' })).toBeGreaterThanOrEqual(2);
  const kubelet = after.get('kubelet')!;
  expect(sum(kubelet, 'kubelet_pod_start_duration_seconds_count')).toBeGreaterThanOrEqual(2);
  expect(sum(kubelet, 'kubelet_running_pods')).toBe(2);
  expect(sum(kubelet, 'prober_probe_total', { probe_type: 'Readiness', result: 'successful' })).toBeGreaterThanOrEqual(2);
  // The kubelet is a Manager too: the process metrics every service has.
  expect(typeOf(kubelet, 'process_resident_memory_bytes')).toBe('gauge');
});

test('/metrics is authorized like kube-apiserver: 403 for a service account until bound to system:monitoring', async () => {
  await cp.k('create', 'serviceaccount', 'metrics-reader');
  const token = (await cp.k('create', 'token', 'metrics-reader')).trim();
  const denied = await cp.request('GET', '/metrics', { token });
  expect(denied.status).toBe(403);
  expect(JSON.parse(denied.body)).toMatchObject({
    kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403,
    message: 'forbidden: User "system:serviceaccount:default:metrics-reader" cannot get path "/metrics"',
  });
  // kube's bootstrap role for scrapers; bound to the account, the same token reads the metrics.
  expect(await cp.k('get', 'clusterrole', 'system:monitoring', '-o', 'jsonpath={.rules[0].nonResourceURLs}')).toContain('/metrics');
  await cp.k('create', 'clusterrolebinding', 'metrics-reader', '--clusterrole=system:monitoring', '--serviceaccount=default:metrics-reader');
  const allowed = await until('the binding is in force', async () => {
    const r = await cp.request('GET', '/metrics', { token });
    return r.status === 200 && r.body;
  });
  expect(sampleSum(parsePrometheusText(allowed), 'apiserver_request_total', { code: '403' })).toBeGreaterThanOrEqual(1);
  // Still only what the role names: the API itself stays closed.
  expect((await cp.request('GET', '/api/v1/namespaces/default/secrets', { token })).status).toBe(403);
});
