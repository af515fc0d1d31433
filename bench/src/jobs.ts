// `npm run bench -- jobs`: 1,000 single-pod Jobs on 100 simulated nodes, through the whole chain
// (job-controller → scheduler → simulated kubelet, where a Job's pod completes after 100 ms like
// KWOK's pod-complete stage). Seconds from the first create to every Job Complete, jobs and pods
// per second, the share of Jobs that completed; side by side in the same run with the floor:
// the same number of raw pod creates through the API (16 in flight) on the idle cluster.
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, type ServiceProcess } from '@keelson/testing';
import { apiRequestCounts, requestRows } from './api-calls';
import { jobStageTimes, stageRows, type StageJob, type StagePod } from './job-stages';
import { profileNodeArgs, startLong } from './long-start';
import { measure, printTable, round, writeResult } from './stats';

const JOBS_TOTAL = Number(process.env.KEELSON_BENCH_JOBS ?? 1000);
const NODES = Number(process.env.KEELSON_BENCH_NODES ?? 100);
const TIMEOUT_MS = Number(process.env.KEELSON_BENCH_TIMEOUT_MS ?? 900_000);
const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

function jobJson(i: number): string {
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: `bench-${i}`, namespace: 'default', labels: { bench: 'jobs' } },
    spec: {
      template: {
        metadata: { labels: { bench: 'jobs' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });
}

function podJson(i: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `raw-${i}`, namespace: 'default', labels: { app: 'raw' } }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } });
}

function post(url: string, path: string, body: string, agent: Agent, ca: string, token: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', agent, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`POST ${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** DELETE on the collection (kubectl deletes 1,000 pods one request at a time, past the harness's timeout). */
function deleteCollection(url: string, path: string, agent: Agent, ca: string, token: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'DELETE', agent, ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`DELETE ${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

type JobObj = { status?: { succeeded?: number; conditions?: { type: string; status: string }[] } };
const complete = (j: JobObj): boolean => (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');

export async function runJobsBench(): Promise<void> {
  const services = ['job-controller', 'scheduler', 'kubelet'];
  const cp = await startControlPlane({ nats: true, services, nodeArgs: profileNodeArgs });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const procs: ServiceProcess[] = [];
  try {
    // The floor, measured first on the idle cluster.
    const api = await measure(JOBS_TOTAL, 16, (i) => post(cp.url, '/api/v1/namespaces/default/pods', podJson(i), agent, cp.creds.caPem, cp.creds.adminToken));
    await deleteCollection(cp.url, '/api/v1/namespaces/default/pods?labelSelector=app%3Draw', agent, cp.creds.caPem, cp.creds.adminToken);

    procs.push(await startLong(cp, 'kubelet', { KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: String(NODES), KEELSON_NODE_CPU: '64', KEELSON_NODE_MEMORY: '256Gi', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') }));
    for (const s of ['scheduler', 'job-controller']) procs.push(await startLong(cp, s));

    const callsBefore = await apiRequestCounts(cp);
    const t0 = Date.now();
    const created = await measure(JOBS_TOTAL, 16, (i) => post(cp.url, '/apis/batch/v1/namespaces/default/jobs', jobJson(i), agent, cp.creds.caPem, cp.creds.adminToken));
    let done = 0;
    let succeededPods = 0;
    for (;;) {
      // A loaded gateway may miss the client's 30 s deadline: poll again rather than give up.
      const list = await client.list(JOBS, 'default', { labelSelector: 'bench=jobs' }).catch(() => undefined);
      if (list) {
        const items = list.items as JobObj[];
        done = items.filter(complete).length;
        succeededPods = items.reduce((n, j) => n + (j.status?.succeeded ?? 0), 0);
      }
      if (done >= JOBS_TOTAL || Date.now() - t0 > TIMEOUT_MS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (Date.now() - t0) / 1000;
    // Every request the chain made meanwhile (controller, scheduler, kubelet, this poll), per Job.
    const calls = requestRows(callsBefore, await apiRequestCounts(cp), JOBS_TOTAL);
    printTable(['API requests while the Jobs ran', 'count', 'per Job'], calls);
    // Which stage kept the Jobs waiting (object timestamps: seconds, the kubelet's in ms).
    const [finalJobs, finalPods] = await Promise.all([
      client.list<StageJob & KubeObject>(JOBS, 'default', { labelSelector: 'bench=jobs' }).then((l) => l.items, () => []),
      client.list<StagePod & KubeObject>(PODS, 'default', { labelSelector: 'bench=jobs' }).then((l) => l.items, () => []),
    ]);
    const stages = stageRows(jobStageTimes(finalJobs, finalPods, t0));
    printTable(['stage', 'jobs', '50% by s', 'all by s', 'gap p50 s', 'gap p90 s'], stages);
    const rows = [
      ['raw API pod creates (16 in flight)', JOBS_TOTAL, round(JOBS_TOTAL / api.per_s), api.per_s],
      ['Job creates (16 in flight)', JOBS_TOTAL, round(JOBS_TOTAL / created.per_s), created.per_s],
      ['jobs: first create → all Complete', done, round(seconds), round(done / seconds)],
      ['pods succeeded (counted in Job status)', succeededPods, round(seconds), round(succeededPods / seconds)],
    ];
    printTable(['what', 'count', 'seconds', 'per s'], rows);
    const file = writeResult('jobs', {
      benchmark: 'jobs',
      jobs: JOBS_TOTAL,
      nodes: NODES,
      completed: done,
      completion_ratio: round(done / JOBS_TOTAL, 4),
      all_complete_s: round(seconds),
      jobs_completed_per_s: round(done / seconds),
      pods_succeeded: succeededPods,
      pods_per_s: round(succeededPods / seconds),
      job_create_per_s: created.per_s,
      job_create_p99_ms: created.p99_ms,
      raw_api_pod_create_per_s: api.per_s,
      ratio_pods_vs_raw_api: round(succeededPods / seconds / api.per_s, 3),
      api_requests_per_job: Object.fromEntries(calls.map(([what, , perJob]) => [what, perJob])),
      stages: stages.map(([stage, jobs, p50, all, gapP50, gapP90]) => ({ stage, jobs, reached_50pct_s: p50, reached_all_s: all, gap_p50_s: gapP50, gap_p90_s: gapP90 })),
    });
    process.stdout.write(`wrote ${file}\n`);
    if (done < JOBS_TOTAL) throw new Error(`only ${done} of ${JOBS_TOTAL} Jobs completed within ${TIMEOUT_MS} ms`);
  } finally {
    for (const p of procs.reverse()) await p.kill('SIGTERM').catch(() => undefined);
    agent.destroy();
    client.close();
    await cp.stop();
  }
}
