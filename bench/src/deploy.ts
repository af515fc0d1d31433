// `npm run bench -- deploy`: a 1,000-replica Deployment over 100 simulated nodes, through the
// whole chain (deployment-controller → replicaset-controller → scheduler → kubelet). Seconds
// from `kubectl apply` to all pods Running and Ready, and for a full rolling update; side by
// side in the same run with the floor: the same number of raw pod creates through the API
// and raw etcd puts of the same JSON. All of it twice in one run: with tracing off (no
// exporter) and with every service exporting its spans over OTLP/HTTP to a receiver.
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, startOtlpReceiver } from '@keelson/testing';
import { measure, printTable, round, writeResult, type RunStats } from './stats';
import { apiRequestCounts, requestRows, writesIn } from './api-calls';
import { cpuBetween, treeCpuSeconds } from './proc-cpu';
import { PodTimeline, TIMELINE_HEADER } from './timeline';


const REPLICAS = Number(process.env.KEELSON_BENCH_REPLICAS ?? 1000);
const NODES = Number(process.env.KEELSON_BENCH_NODES ?? 100);
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' };

function manifest(image: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'bench' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: { containers: [{ name: 'main', image, command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });
}

interface RolloutStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

async function waitComplete(client: KeelsonClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.get(DEPLOY, 'default', 'bench');
    const s = (d.status ?? {}) as RolloutStatus;
    if (s.observedGeneration === d.metadata.generation && s.replicas === REPLICAS && s.updatedReplicas === REPLICAS && s.readyReplicas === REPLICAS && s.availableReplicas === REPLICAS) return;
    if (Date.now() > deadline) throw new Error(`rollout not complete after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function podJson(i: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `raw-${i}`, namespace: 'default', labels: { app: 'raw' } }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } });
}

/** One run's figures, the same fields with tracing off and on. */
function runFigures(r: DeployRun): Record<string, number> {
  return {
    apply_to_ready_s: round(r.createSeconds),
    apply_to_ready_per_s: round(REPLICAS / r.createSeconds),
    apply_writes_per_pod_ratio: round(r.applyWrites / REPLICAS),
    rolling_update_s: round(r.rolloutSeconds),
    rolling_update_per_s: round(REPLICAS / r.rolloutSeconds),
    raw_api_create_per_s: r.api.per_s,
    raw_etcd_put_per_s: r.raw.per_s,
  };
}

interface DeployRun {
  createSeconds: number;
  /** API requests the apply → all Ready phase cost: [verb resource, count, per pod], largest first. */
  applyRequests: [string, number, number][];
  applyWrites: number;
  /** CPU seconds each process used in that phase, largest first. */
  applyCpu: [string, number][];
  rolloutSeconds: number;
  /** Stage rows of apply → all Ready, and the machine's busy % per half second, with KEELSON_BENCH_TIMELINE=1. */
  timeline?: Array<Array<string | number>>;
  busy?: Array<[string, number]>;
  api: RunStats;
  raw: RunStats;
}

/** One whole cluster (gateway, controllers, scheduler, simulated kubelet) with `env` for every process. */
async function deployOnce(env: Record<string, string>): Promise<DeployRun> {
  const services = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet'];
  // KEELSON_BENCH_GATEWAY_NODE_ARGS: node flags for the gateway, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = process.env.KEELSON_BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean);
  // KEELSON_BENCH_SERVICE_NODE_ARGS: the same for the controllers, the scheduler and the kubelet.
  const serviceNodeArgs = process.env.KEELSON_BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean);
  const cp = await startControlPlane({ nats: true, services, env, nodeArgs });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const etcd = new Etcd3(cp.etcd.clientOptions);
  try {
    // The floor, measured first on the idle cluster.
    const raw = await measure(REPLICAS, 16, async (i) => {
      await etcd.put(`/bench/raw/${i}`).value(podJson(i));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const api = await measure(REPLICAS, 16, (i) =>
      new Promise<void>((resolve, reject) => {
        const body = podJson(i);
        const req = request(`${cp.url}/api/v1/namespaces/default/pods`, { method: 'POST', agent, ca: cp.creds.caPem, headers: { authorization: `Bearer ${cp.creds.adminToken}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      }),
    );
    agent.destroy();
    await cp.k('delete', 'pods', '-l', 'app=raw', '--wait=false');

    await cp.startService('kubelet', { env: { ...env, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: String(NODES), KEELSON_NODE_CPU: '64', KEELSON_NODE_MEMORY: '256Gi', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') }, nodeArgs: serviceNodeArgs });
    // One at a time: on a busy machine three starting at once can miss the harness's readiness wait.
    for (const s of ['deployment-controller', 'replicaset-controller', 'scheduler']) await cp.startService(s, { env, nodeArgs: serviceNodeArgs });

    const timeline = process.env.KEELSON_BENCH_TIMELINE === '1' ? await PodTimeline.start(cp.nats!.connectOptions('kubelet'), 'keelson.events.core.pods.default', 'bench') : undefined;
    const before = await apiRequestCounts(cp);
    const cpuBefore = treeCpuSeconds();
    timeline?.begin();
    let t0 = Date.now();
    const monoFrom = process.hrtime.bigint() / 1000n;
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: manifest('busybox:1.36') });
    if (applied.code !== 0) throw new Error(applied.stderr);
    await waitComplete(client, 600_000);
    const createSeconds = (Date.now() - t0) / 1000;
    // The apply's window on the monotonic clock (µs), as CPU profiles (--cpu-prof) time their samples.
    process.stderr.write(`apply window (monotonic µs): ${monoFrom} ${process.hrtime.bigint() / 1000n}\n`);
    const applyCpu = cpuBetween(cpuBefore, treeCpuSeconds());
    const applyRequests = requestRows(before, await apiRequestCounts(cp), REPLICAS);
    const stages = timeline?.rows(REPLICAS);
    const busy = timeline?.busy();
    await timeline?.close();

    t0 = Date.now();
    await cp.k('set', 'image', 'deployment/bench', 'main=busybox:1.37');
    await waitComplete(client, 600_000);
    const rolloutSeconds = (Date.now() - t0) / 1000;
    return { createSeconds, applyRequests, applyWrites: writesIn(applyRequests), applyCpu, rolloutSeconds, api, raw, ...(stages ? { timeline: stages, busy } : {}) };
  } finally {
    etcd.close();
    client.close();
    await cp.stop(); // SIGTERM: every service flushes its exporter
  }
}

export async function runDeployBench(): Promise<void> {
  const otlp = await startOtlpReceiver();
  const off = await deployOnce({});
  const on = await deployOnce({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint });
  await otlp.stop();
  const ratio = (a: number, b: number): number => round(a / b, 3);
  const rows = [
    ['deployment: apply → all Ready', REPLICAS, round(off.createSeconds), round(REPLICAS / off.createSeconds), round(on.createSeconds), round(REPLICAS / on.createSeconds), ratio(off.createSeconds, on.createSeconds)],
    ['deployment: rolling update', REPLICAS, round(off.rolloutSeconds), round(REPLICAS / off.rolloutSeconds), round(on.rolloutSeconds), round(REPLICAS / on.rolloutSeconds), ratio(off.rolloutSeconds, on.rolloutSeconds)],
    ['raw API pod creates (16 in flight)', REPLICAS, round(REPLICAS / off.api.per_s), off.api.per_s, round(REPLICAS / on.api.per_s), on.api.per_s, ratio(on.api.per_s, off.api.per_s)],
    ['raw etcd puts (16 in flight)', REPLICAS, round(REPLICAS / off.raw.per_s), off.raw.per_s, round(REPLICAS / on.raw.per_s), on.raw.per_s, ratio(on.raw.per_s, off.raw.per_s)],
  ];
  printTable(['what', 'pods', 'seconds', 'pods/s', 'traced seconds', 'traced pods/s', 'ratio'], rows);
  process.stdout.write(`\nAPI requests during apply → all Ready (untraced run): ${off.applyWrites} writes = ${round(off.applyWrites / REPLICAS)} per pod\n`);
  printTable(['request', 'count', 'per pod'], off.applyRequests.slice(0, 15));
  process.stdout.write(`\nCPU during apply → all Ready (untraced run, ${round(off.createSeconds)} s wall):\n`);
  printTable(['process', 'cpu seconds', 'ms per pod', 'cores'], off.applyCpu.map(([k, s]) => [k, round(s), round((s * 1000) / REPLICAS), round(s / off.createSeconds)]));
  if (off.timeline) {
    process.stdout.write('\nPods through each stage, apply → all Ready (untraced run, from the relay\'s events):\n');
    printTable(TIMELINE_HEADER, off.timeline);
    process.stdout.write(`machine busy (both cores), per half second: ${(off.busy ?? []).map(([t, b]) => `${t} ${b} %`).join(', ')}\n`);
  }
  const services = [...new Set(otlp.spans.map((s) => s.service))].sort();
  process.stdout.write(`tracing on: ${otlp.spans.length} spans in ${new Set(otlp.spans.map((s) => s.traceId)).size} traces from ${services.join(', ')} (ratio = traced / untraced pods per second; goal >= 0.9)\n`);
  const file = writeResult('deploy', {
    benchmark: 'deploy',
    replicas: REPLICAS,
    nodes: NODES,
    goal_all_ready_s: 5,
    goal_rolling_update_s: 8,
    ...runFigures(off),
    ratio_apply_vs_raw_api: round(REPLICAS / off.createSeconds / off.api.per_s, 3),
    goal_traced_ratio: 0.9,
    apply_requests: Object.fromEntries(off.applyRequests.map(([k, n]) => [k, n])),
    apply_cpu_s: Object.fromEntries(off.applyCpu.map(([k, s]) => [k, round(s)])),
    traced: {
      ...runFigures(on),
      spans_received: otlp.spans.length,
    },
    traced_ratio_apply: ratio(off.createSeconds, on.createSeconds),
    traced_ratio_rolling_update: ratio(off.rolloutSeconds, on.rolloutSeconds),
    traced_ratio_raw_api: ratio(on.api.per_s, off.api.per_s),
  });
  process.stdout.write(`wrote ${file}\n`);
}
