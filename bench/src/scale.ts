// `npm run bench -- scale` (issue 14 item 5): one cluster as the other benches start it (real
// etcd and NATS, the gateway with its relay, node-lifecycle-controller, scheduler,
// replicaset- and deployment-controller, one simulated kubelet hosting every node), brought to
// 1,000 simulated nodes and then 10,000 pods as Deployments of 1,000 replicas each.
//
// Timed: kubelet spawn → all Nodes Ready; first Deployment create → all pods created (the
// gateway's count of pod creates answered 201), scheduled (the scheduler's successful bindings), Running (the
// ReplicaSets' status.readyReplicas, checked at the end with a full LIST of the pods); total.
// Sampled throughout, every second: VmRSS of every process from /proc/<pid>/status (peak, and
// the kernel's own high-water mark VmHWM, which no sampling gap can miss). Probed throughout,
// open loop every 100 ms: GET of a pod, a small create (ConfigMap) and a delete of an earlier
// one; every second a LIST of nodes (limit=500, 430 KB). (At 10 a second too, those LISTs were
// the heaviest load of the run: 4 MB/s of JSON read from etcd, decoded and encoded again, and
// with them the pods ran in 322 s instead of 191 s.) p50/p99/max per verb while nodes
// register, pods roll out and the controllers' Event backlog is written (waited for, up to KEELSON_BENCH_DRAIN_MAX_SECONDS),
// and in a steady window afterwards (KEELSON_BENCH_STEADY_SECONDS, 30), where the heartbeat
// traffic per node is counted (Lease renewals, NodeStatus writes) from the gateway's
// apiserver_request_total. To tell where slow answers came from: the gateway's own latency
// histograms (API and etcd calls over 1 s) and its longest event-loop delay during the rollout,
// and the slowest probe requests with the time they were sent.
//
// Why Deployments of 1,000: the unit the deploy bench measures, so the figures compare; several
// ReplicaSets let the replicaset-controller's workers run side by side as in a real cluster,
// where no single controller owns 10,000 pods (clusterloader2's load test also spreads pods
// over many controllers). KEELSON_BENCH_REPLICAS_PER_DEPLOYMENT changes it.
//
// Floor in the same run, on the idle cluster before the nodes come: raw API pod creates and raw
// etcd puts of the pod JSON the gateway stored, 16 in flight.
//
// Growth check: KEELSON_BENCH_SCALE_STEPS=1 runs a tenth of the size first (100 nodes / 1,000
// pods by default), then the full size, each on a fresh cluster, and prints each process's RSS
// growth per 1,000 pods at both sizes: a ratio well above 1 is memory growing faster than the
// load. `KEELSON_BENCH_SCALE_STEPS=100:1000,1000:10000` names the steps (nodes:pods) instead.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { parsePrometheusText, sampleSum, startControlPlane, type ControlPlane, type ServiceProcess } from '@keelson/testing';
import { apiRequestCounts, requestRows, type RequestCounts } from './api-calls';
import { LEASE, profileNodeArgs, startLongWithPort } from './long-start';
import { measure, percentile, printTable, round, writeResult, type RunStats } from './stats';

const NODES = Number(process.env.KEELSON_BENCH_NODES ?? 1000);
const PODS = Number(process.env.KEELSON_BENCH_PODS ?? 10000);
const PER_DEPLOYMENT = Number(process.env.KEELSON_BENCH_REPLICAS_PER_DEPLOYMENT ?? 1000);
const BASELINE_OPS = Number(process.env.KEELSON_BENCH_BASELINE_OPS ?? 2000);
const STEADY_S = Number(process.env.KEELSON_BENCH_STEADY_SECONDS ?? 30);
const TIMEOUT_MS = Number(process.env.KEELSON_BENCH_TIMEOUT_MS ?? 1_800_000);
/** After all pods run, how long to wait at most for the controllers' Event backlog to be written before the steady window. */
const DRAIN_MAX_S = Number(process.env.KEELSON_BENCH_DRAIN_MAX_SECONDS ?? 600);
const PROBE_MS = 100;
/** The LIST of nodes goes out every this many ticks (once a second). */
const LIST_EVERY_TICKS = 10;
const RSS_SAMPLE_MS = 1000;
const CONCURRENCY = 16;
const GOAL_GATEWAY_RSS_MIB = 1024;
const GOAL_API_P99_MS = 1000;
/**
 * Kubernetes' API call latency SLO as written (sig-scalability's api_call_latency.md): p99 ≤ 1 s
 * for mutating calls and single-object reads, ≤ 30 s for cluster-scoped LISTs. The goal above
 * holds every verb to 1 s; both are printed.
 */
const SLO_P99_MS: Record<string, number> = { 'list nodes (limit=500)': 30_000 };

const PODS_RES = { group: '', version: 'v1', resource: 'pods' };
const NODES_RES = { group: '', version: 'v1', resource: 'nodes' };
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' };
const REPLICASETS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const CONTROLLERS = ['node-lifecycle-controller', 'scheduler', 'replicaset-controller', 'deployment-controller'];
const SERVICES = [...CONTROLLERS, 'kubelet'];
const SERVICE_ENV: Record<string, string> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  // Node IPAM hands each Node a /24: the default /16 holds 256 of them, fewer than the nodes here.
  KEELSON_CLUSTER_CIDR: '10.0.0.0/8',
};

interface Step { nodes: number; pods: number }

/** The sizes to run: the full one, or (KEELSON_BENCH_SCALE_STEPS) a smaller one first. */
function steps(): Step[] {
  const spec = process.env.KEELSON_BENCH_SCALE_STEPS;
  if (!spec) return [{ nodes: NODES, pods: PODS }];
  if (!spec.includes(':')) return [{ nodes: Math.max(1, Math.round(NODES / 10)), pods: Math.max(1, Math.round(PODS / 10)) }, { nodes: NODES, pods: PODS }];
  return spec.split(',').map((s) => {
    const [n, p] = s.split(':').map(Number);
    if (!(n > 0 && p > 0)) throw new Error(`KEELSON_BENCH_SCALE_STEPS: "${s}" is not nodes:pods`);
    return { nodes: n, pods: p };
  });
}

// ---------------------------------------------------------------------------------------------
// Processes and their memory

/** A service as startLong runs it, with its health port and this bench's SERVICE_ENV. */
function startService(cp: ControlPlane, name: string, env: Record<string, string>): Promise<{ proc: ServiceProcess; port: number }> {
  return startLongWithPort(cp, name, { ...SERVICE_ENV, ...env });
}

/** VmRSS and VmHWM (the peak the kernel saw) of a process, in MiB; undefined once it is gone. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** etcd and nats-server when the harness runs them as binaries: children of this process. */
function storePids(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && (comm === 'etcd' || comm === 'nats-server')) out[comm] = Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

interface ProcessMemory {
  /** RSS at the phase marks (idle: before the kubelet started; for the kubelet, once its nodes were registered). */
  marks: Record<string, number>;
  /** Highest sampled RSS since the nodes started coming (resetPeaks), so the baseline's load is left out. */
  peak: number;
  hwm: number;
  samples: number;
  /** pids seen: more than one means it restarted. */
  pids: Set<number>;
}

/** Samples every tracked process's memory every second until stopped. */
class MemorySampler {
  readonly procs = new Map<string, ProcessMemory>();
  private readonly pids = new Map<string, () => number | undefined>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
  }

  track(name: string, pid: () => number | undefined): void {
    this.pids.set(name, pid);
    this.sample(name);
  }

  /** Records every process's RSS now under `mark` (processes tracked later get their first sample as it). */
  mark(mark: string): void {
    for (const name of this.pids.keys()) {
      const m = this.sample(name);
      const p = this.procs.get(name);
      if (m && p) p.marks[mark] = m.rss;
    }
  }

  /** From now on `peak` counts: the floor measured before must not show as the cluster's peak. */
  resetPeaks(): void {
    for (const p of this.procs.values()) p.peak = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(only?: string): { rss: number; hwm: number } | undefined {
    let last: { rss: number; hwm: number } | undefined;
    for (const [name, pidOf] of this.pids) {
      if (only && name !== only) continue;
      const pid = pidOf();
      const m = pid === undefined ? undefined : memoryOf(pid);
      if (!m || pid === undefined) continue;
      let p = this.procs.get(name);
      if (!p) this.procs.set(name, (p = { marks: {}, peak: 0, hwm: 0, samples: 0, pids: new Set() }));
      p.peak = Math.max(p.peak, m.rss);
      p.hwm = Math.max(p.hwm, m.hwm);
      p.samples++;
      p.pids.add(pid);
      last = m;
    }
    return last;
  }
}

// ---------------------------------------------------------------------------------------------
// The API latency probe

type Phase = 'nodes' | 'pods' | 'drain' | 'steady';
type Verb = 'get pod' | 'list nodes (limit=500)' | 'create configmap' | 'delete configmap';
const VERBS: Verb[] = ['get pod', 'list nodes (limit=500)', 'create configmap', 'delete configmap'];
/** Requests of one verb still in flight beyond which a tick is skipped (counted): bounds the pile-up on a stalled gateway. */
const MAX_IN_FLIGHT = 20;

interface ProbeSample { phase: Phase; /** Seconds since the probe started, when the request was sent. */ at: number; ms: number; ok: boolean }

/**
 * Open loop: every 100 ms each verb is sent whether or not the previous one answered, so a slow
 * gateway shows as latency, not as fewer samples. Its own client without retries: a failure is
 * counted, not hidden behind a retry.
 */
class ApiProbe {
  phase: Phase = 'nodes';
  readonly samples = new Map<Verb, ProbeSample[]>(VERBS.map((v) => [v, []]));
  readonly skipped = new Map<Verb, number>(VERBS.map((v) => [v, 0]));
  private readonly inFlight = new Map<Verb, number>(VERBS.map((v) => [v, 0]));
  private readonly client: KeelsonClient;
  private readonly created: string[] = [];
  private seq = 0;
  private ticks = 0;
  private timer?: NodeJS.Timeout;
  private started = 0;

  constructor(cp: ControlPlane, private readonly podName: string) {
    this.client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem, retry: { maxRetries: 0 }, timeoutMs: 60_000, userAgent: 'keelson-bench-scale-probe' });
  }

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), PROBE_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while ([...this.inFlight.values()].some((n) => n > 0)) await new Promise((r) => setTimeout(r, 50));
    this.client.close();
  }

  private tick(): void {
    const c = this.client;
    this.send('get pod', () => c.get(PODS_RES, 'default', this.podName));
    if (this.ticks++ % LIST_EVERY_TICKS === 0) this.send('list nodes (limit=500)', () => c.listPage(NODES_RES, undefined, { limit: 500 }));
    const name = `scale-probe-${this.seq++}`;
    this.send('create configmap', async () => {
      await c.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { bench: 'probe' } }, data: { probe: name } });
      this.created.push(name);
    });
    // Deletes one created earlier, so the probe's ConfigMaps do not pile up over a long run.
    const old = this.created.length > 10 ? this.created.shift() : undefined;
    if (old) this.send('delete configmap', () => c.delete(CONFIGMAPS, 'default', old));
  }

  private send(verb: Verb, call: () => Promise<unknown>): void {
    const n = this.inFlight.get(verb)!;
    if (n >= MAX_IN_FLIGHT) {
      this.skipped.set(verb, this.skipped.get(verb)! + 1);
      return;
    }
    this.inFlight.set(verb, n + 1);
    const phase = this.phase;
    const t0 = performance.now();
    const done = (ok: boolean): void => {
      this.samples.get(verb)!.push({ phase, at: (t0 - this.started) / 1000, ms: performance.now() - t0, ok });
      this.inFlight.set(verb, this.inFlight.get(verb)! - 1);
    };
    call().then(() => done(true), () => done(false));
  }

  /** Per verb over the given phases: samples, errors, p50/p99/max of every answer (errors included: they waited too). */
  stats(phases: Phase[]): Record<string, { samples: number; errors: number; skipped: number; p50_ms: number; p99_ms: number; max_ms: number }> {
    const out: Record<string, { samples: number; errors: number; skipped: number; p50_ms: number; p99_ms: number; max_ms: number }> = {};
    for (const verb of VERBS) {
      const s = this.samples.get(verb)!.filter((x) => phases.includes(x.phase));
      const sorted = s.map((x) => x.ms).sort((a, b) => a - b);
      out[verb] = {
        samples: s.length,
        errors: s.filter((x) => !x.ok).length,
        skipped: this.skipped.get(verb)!,
        p50_ms: round(percentile(sorted, 50)),
        p99_ms: round(percentile(sorted, 99)),
        max_ms: round(sorted[sorted.length - 1] ?? NaN),
      };
    }
    return out;
  }

  /** The slowest requests of each verb, with when they were sent: a stall shows as several at about the same time. */
  slowest(n: number): { verb: Verb; phase: Phase; sent_at_s: number; ms: number; ok: boolean }[] {
    const all = VERBS.flatMap((verb) => [...this.samples.get(verb)!].sort((a, b) => b.ms - a.ms).slice(0, n).map((x) => ({ verb, phase: x.phase, sent_at_s: round(x.at, 1), ms: round(x.ms), ok: x.ok })));
    return all.sort((a, b) => b.ms - a.ms);
  }
}

// ---------------------------------------------------------------------------------------------
// Progress of the rollout

interface NodeJson extends KubeObject { status?: { conditions?: { type: string; status: string }[] } }
interface PodJson extends KubeObject { spec?: { nodeName?: string }; status?: { phase?: string } }
interface RsJson extends KubeObject { status?: { replicas?: number; readyReplicas?: number } }
interface EventJson extends KubeObject { reason?: string; source?: { component?: string }; reportingComponent?: string; involvedObject?: { kind?: string } }
const EVENTS = { group: '', version: 'v1', resource: 'events' };

/** Events created since `sinceMs` (wall clock), by component, reason and object kind: who keeps writing them. */
async function eventsSince(client: KeelsonClient, sinceMs: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of (await client.list<EventJson>(EVENTS, undefined)).items) {
    if (Date.parse(String(e.metadata.creationTimestamp ?? '')) < sinceMs - 1000) continue;
    const key = `${e.source?.component || e.reportingComponent || '?'} ${e.reason ?? '?'} (${e.involvedObject?.kind ?? '?'})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

const readyNode = (n: NodeJson): boolean => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

async function metricOf(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return sampleSum(parsePrometheusText(text), name, labels) ?? 0;
}

function deployment(i: number, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: `scale-${i}`, namespace: 'default', labels: { bench: 'scale' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: `scale-${i}` } },
      template: {
        metadata: { labels: { app: `scale-${i}`, bench: 'scale' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  } as KubeObject;
}

function rawPod(i: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `raw-${i}`, namespace: 'default', labels: { app: 'raw' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } as KubeObject;
}

/** count, sum (s) and answers slower than 1 s so far, per series of the gateway's latency histograms. */
type Slow = Map<string, { count: number; sum: number; over1s: number }>;

/**
 * apiserver_request_duration_seconds (`VERB resource[/sub]`) and etcd_request_duration_seconds
 * (`etcd operation type`) from the gateway's /metrics, and its event loop's longest delay since
 * the previous scrape (prom-client resets it on each): slow etcd calls in a gateway whose loop
 * stalled as long were the gateway's own stall (or its CPU starving), not etcd.
 */
export async function gatewayLatency(cp: Pick<ControlPlane, 'request'>): Promise<{ series: Slow; eventLoopLagMaxS: number; podCreates: number }> {
  const out: Slow = new Map();
  const res = await cp.request('GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const families = parsePrometheusText(res.body);
  const add = (family: string, keyOf: (l: Record<string, string>) => string): void => {
    for (const smp of families.get(family)?.samples ?? []) {
      const key = keyOf(smp.labels);
      let e = out.get(key);
      if (!e) out.set(key, (e = { count: 0, sum: 0, over1s: 0 }));
      if (smp.name.endsWith('_count')) {
        e.count += smp.value;
        e.over1s += smp.value;
      } else if (smp.name.endsWith('_sum')) e.sum += smp.value;
      else if (smp.name.endsWith('_bucket') && smp.labels.le === '1') e.over1s -= smp.value;
    }
  };
  add('apiserver_request_duration_seconds', (l) => `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`);
  add('etcd_request_duration_seconds', (l) => `etcd ${l.operation} ${l.type}`);
  return {
    series: out,
    eventLoopLagMaxS: sampleSum(families, 'nodejs_eventloop_lag_max_seconds') ?? NaN,
    // Pods the API created (201) so far: the rollout's creates are this minus the count before it.
    podCreates: sampleSum(families, 'apiserver_request_total', { verb: 'POST', resource: 'pods', subresource: '', code: '201' }) ?? 0,
  };
}

/** The series that answered anything slower than 1 s between two snapshots, most such answers first. */
export function slowRows(before: Slow, after: Slow): Record<string, { requests: number; mean_ms: number; over_1s: number }> {
  const rows: [string, { requests: number; mean_ms: number; over_1s: number }][] = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, sum: 0, over1s: 0 };
    const n = a.count - b.count;
    const over = Math.round(a.over1s - b.over1s);
    if (n > 0 && over > 0) rows.push([key, { requests: n, mean_ms: round(((a.sum - b.sum) / n) * 1000), over_1s: over }]);
  }
  return Object.fromEntries(rows.sort((x, y) => y[1].over_1s - x[1].over_1s));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const secondsSince = (t: number): number => (performance.now() - t) / 1000;

// ---------------------------------------------------------------------------------------------
// One size, on its own cluster

interface StepResult {
  nodes: number;
  pods: number;
  deployments: number;
  replicas_per_deployment: number;
  kubelet_ready_s: number;
  nodes_ready_s: number;
  pods_created_s: number;
  pods_scheduled_s: number;
  pods_running_s: number;
  total_s: number;
  pods_running_per_s: number;
  raw_api_create_per_s: number;
  raw_api_create_p99_ms: number;
  raw_etcd_put_per_s: number;
  raw_etcd_put_p99_ms: number;
  ratio_pods_running_vs_raw_api_create: number;
  ratio_pods_running_vs_raw_etcd_put: number;
  memory_mib: Record<string, { idle_mib: number; nodes_ready_mib: number; pods_running_mib: number; events_drained_mib: number; steady_end_mib: number; peak_mib: number; hwm_mib: number; growth_per_1k_pods_mib: number; restarts: number }>;
  api_latency_load: ReturnType<ApiProbe['stats']>;
  api_latency_steady: ReturnType<ApiProbe['stats']>;
  api_p99_max_load_ms: number;
  requests_per_pod_rollout: Record<string, number>;
  events_drained: boolean;
  events_drain_s: number;
  /** Gateway histograms between the first Deployment create and all pods Running: series with answers over 1 s. */
  slow_requests_rollout: ReturnType<typeof slowRows>;
  /** The gateway's longest event-loop delay during the rollout (nodejs_eventloop_lag_max_seconds). */
  gateway_event_loop_lag_max_rollout_ms: number;
  steady_window_s: number;
  requests_per_node_per_min_steady: Record<string, number>;
  /** Events created during the steady window, by `component reason (kind)`. */
  events_created_steady: Record<string, number>;
  /** [seconds since the first Deployment create, pods created, bound, ready], about one a second. */
  rollout_timeline: [number, number, number, number][];
  /** Seconds since the probe started (at the kubelet's spawn) when the pods phase and the steady window began. */
  probe_pods_phase_at_s: number;
  probe_steady_at_s: number;
  probe_slowest: ReturnType<ApiProbe['slowest']>;
  gateway_rss_goal_met: boolean;
  api_p99_goal_met: boolean;
  /** Every verb's p99 within Kubernetes' SLO for its kind of call (SLO_P99_MS, else 1 s). */
  api_p99_slo_met: boolean;
}

async function runStep(step: Step): Promise<StepResult> {
  const deployments = Math.ceil(step.pods / PER_DEPLOYMENT);
  process.stdout.write(`\n== scale: ${step.nodes} nodes, ${step.pods} pods (${deployments} Deployment(s) of up to ${PER_DEPLOYMENT}) ==\n`);
  const cp = await startControlPlane({ nats: true, services: SERVICES, env: { OTEL_EXPORTER_OTLP_ENDPOINT: '' }, nodeArgs: profileNodeArgs });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const memory = new MemorySampler();
  const procs: ServiceProcess[] = [];
  let probe: ApiProbe | undefined;
  try {
    memory.track('api-gateway', () => cp.gateway.pid());
    for (const [name, pid] of Object.entries(storePids())) memory.track(name, () => pid);

    // The floor, on the idle cluster: raw API pod creates, then raw etcd puts of the JSON the gateway stored.
    const baselineOps = Math.min(BASELINE_OPS, step.pods);
    const api: RunStats = await measure(baselineOps, CONCURRENCY, async (i) => void (await client.create(PODS_RES, rawPod(i))));
    const stored = JSON.stringify(await client.get(PODS_RES, 'default', 'raw-0'));
    const raw: RunStats = await measure(baselineOps, CONCURRENCY, async (i) => void (await etcd.put(`/bench/raw/${i}`).value(stored.replace('"raw-0"', `"raw-${i}"`))));
    const del = await cp.request('DELETE', '/api/v1/namespaces/default/pods?labelSelector=app%3Draw');
    if (del.status !== 200) throw new Error(`deleting the baseline pods: HTTP ${del.status} ${del.body.slice(0, 300)}`);
    await etcd.delete().prefix('/bench/raw/');
    process.stdout.write(`baseline: ${api.per_s} API creates/s, ${raw.per_s} etcd puts/s (${baselineOps} each, ${CONCURRENCY} in flight)\n`);

    // The probe's target: a pod no scheduler takes, so it stays as it is.
    await client.create(PODS_RES, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'scale-probe', namespace: 'default', labels: { bench: 'probe' } }, spec: { schedulerName: 'keelson-bench-none', containers: [{ name: 'main', image: 'busybox:1.36' }] } } as KubeObject);

    const ports: Record<string, number> = {};
    // One at a time: on a busy machine several starting at once can miss their readiness wait.
    for (const name of CONTROLLERS) {
      const s = await startService(cp, name, {});
      procs.push(s.proc);
      ports[name] = s.port;
      memory.track(name, () => s.proc.pid());
    }
    memory.mark('idle');
    memory.resetPeaks();

    // Nodes: one simulated kubelet hosting them all, pods room to spare on each.
    probe = new ApiProbe(cp, 'scale-probe');
    probe.start();
    const tProbe = performance.now();
    const podsPerNode = Math.max(110, Math.ceil((step.pods / step.nodes) * 2));
    const tKubelet = performance.now();
    const kubeletEnv = { KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: String(step.nodes), KEELSON_NODE_CPU: '64', KEELSON_NODE_MEMORY: '256Gi', KEELSON_NODE_PODS: String(podsPerNode), KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') };
    const kubelet = await startService(cp, 'kubelet', kubeletEnv);
    procs.push(kubelet.proc);
    ports.kubelet = kubelet.port;
    memory.track('kubelet', () => kubelet.proc.pid());
    const kubeletMem = memory.procs.get('kubelet');
    if (kubeletMem) kubeletMem.marks.idle = kubeletMem.peak; // its first sample, taken once it was ready
    const kubeletReadyS = secondsSince(tKubelet);
    const nodesDeadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      // A list the loaded gateway does not answer in time is a poll that saw nothing yet.
      const ready = await client.list<NodeJson>(NODES_RES, undefined).then((l) => l.items.filter(readyNode).length, () => 0);
      if (ready >= step.nodes) break;
      if (Date.now() > nodesDeadline) throw new Error(`only ${ready}/${step.nodes} nodes Ready after ${TIMEOUT_MS / 1000} s`);
      await sleep(1000);
    }
    const nodesReadyS = secondsSince(tKubelet);
    memory.mark('nodes_ready');
    process.stdout.write(`${step.nodes} nodes Ready ${round(nodesReadyS)} s after the kubelet was spawned (kubelet ready at ${round(kubeletReadyS)} s)\n`);

    // Pods.
    probe.phase = 'pods';
    const callsBefore = await apiRequestCounts(cp);
    const gatewayBefore = await gatewayLatency(cp);
    const latencyBefore = gatewayBefore.series;
    // The gateway's event-loop delay is the longest since its previous scrape: the polls below keep the maximum.
    let lagMaxS = 0;
    const tPods = performance.now();
    await Promise.all(Array.from({ length: deployments }, (_, i) => client.create(DEPLOYMENTS, deployment(i, Math.min(PER_DEPLOYMENT, step.pods - i * PER_DEPLOYMENT)))));
    let createdS: number | undefined;
    let scheduledS: number | undefined;
    let runningS: number | undefined;
    let lastReport = 0;
    let lastPoint = -1;
    const timeline: [number, number, number, number][] = [];
    const podsDeadline = Date.now() + TIMEOUT_MS;
    while (runningS === undefined) {
      const [rs, bound, gw] = await Promise.all([
        client.list<RsJson>(REPLICASETS, 'default', { labelSelector: 'bench=scale' }).then((l) => l.items, () => undefined),
        metricOf(ports.scheduler, 'keelson_scheduler_bindings_total', { result: 'success' }).catch(() => undefined),
        gatewayLatency(cp).catch(() => undefined),
      ]);
      // Created: the gateway's count of pod creates answered 201 (the ReplicaSets' status.replicas trails it by seconds).
      const created = gw ? gw.podCreates - gatewayBefore.podCreates : 0;
      if (gw && gw.eventLoopLagMaxS > lagMaxS) lagMaxS = gw.eventLoopLagMaxS;
      const ready = rs?.reduce((n, r) => n + (r.status?.readyReplicas ?? 0), 0) ?? 0;
      if (createdS === undefined && created >= step.pods) createdS = secondsSince(tPods);
      if (scheduledS === undefined && bound !== undefined && bound >= step.pods) scheduledS = secondsSince(tPods);
      if (ready >= step.pods && rs?.length === deployments) runningS = secondsSince(tPods);
      const now = secondsSince(tPods);
      if (Math.floor(now) > lastPoint) {
        lastPoint = Math.floor(now);
        timeline.push([round(now, 1), created, bound ?? -1, ready]);
      }
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now();
        const gw = memory.procs.get('api-gateway');
        process.stdout.write(`  ${round(secondsSince(tPods), 1)} s: ${created} created, ${bound ?? '?'} bound, ${ready} ready; gateway RSS ${round(gw?.peak ?? NaN, 0)} MiB peak\n`);
      }
      if (runningS !== undefined) break;
      if (Date.now() > podsDeadline) throw new Error(`after ${TIMEOUT_MS / 1000} s: ${created}/${step.pods} pods created, ${bound} bound, ${ready} ready`);
      await sleep(500);
    }
    createdS ??= runningS;
    scheduledS ??= runningS; // a pod cannot be ready unbound: the last bindings landed between two polls
    // This scrape first: the gateway's event-loop delay is the longest since the last poll's scrape.
    const latencyAfter = await gatewayLatency(cp).catch(() => undefined);
    if (latencyAfter && latencyAfter.eventLoopLagMaxS > lagMaxS) lagMaxS = latencyAfter.eventLoopLagMaxS;
    const callsAfter = await apiRequestCounts(cp);
    const slowRollout = slowRows(latencyBefore, latencyAfter?.series ?? new Map());
    memory.mark('pods_running');
    probe.phase = 'drain';

    // As the API sees it: every pod of the Deployments bound and Running.
    const pods = (await client.list<PodJson>(PODS_RES, 'default', { labelSelector: 'bench=scale' })).items;
    const running = pods.filter((p) => p.spec?.nodeName && p.status?.phase === 'Running').length;
    if (pods.length !== step.pods || running !== step.pods) throw new Error(`the ReplicaSets report ${step.pods} ready, the API lists ${pods.length} pods of which ${running} bound and Running`);
    process.stdout.write(`${step.pods} pods: created ${round(createdS)} s, scheduled ${round(scheduledS)} s, Running ${round(runningS)} s after the first Deployment create\n`);

    // The controllers' Events (SuccessfulCreate, Scheduled …) are written one at a time and can
    // trail the pods: wait until no Event has been written for 4 s (at most DRAIN_MAX_S), so the
    // steady window measures heartbeats, not a backlog. How long that took is a figure too.
    const tDrain = performance.now();
    const eventWrites = (c: RequestCounts): number => (c.get('POST events') ?? 0) + (c.get('PATCH events') ?? 0);
    let last = eventWrites(await apiRequestCounts(cp));
    let quiet = 0;
    let drained = false;
    while (secondsSince(tDrain) < DRAIN_MAX_S) {
      await sleep(2000);
      const now = eventWrites(await apiRequestCounts(cp));
      quiet = now === last ? quiet + 1 : 0;
      last = now;
      if (quiet >= 2) {
        drained = true;
        break;
      }
    }
    const drainS = Math.max(0, secondsSince(tDrain) - (drained ? 4 : 0));
    memory.mark('events_drained');
    probe.phase = 'steady';
    process.stdout.write(`controllers' Events ${drained ? `all written ${round(drainS)} s` : `still being written ${round(drainS)} s`} after the pods ran\n`);

    // Steady state: what the heartbeats cost once nothing changes.
    const steadyBefore: RequestCounts = await apiRequestCounts(cp);
    const tSteady = performance.now();
    const steadyWall = Date.now();
    await sleep(STEADY_S * 1000);
    const steadyAfter: RequestCounts = await apiRequestCounts(cp);
    const steadyS = secondsSince(tSteady);
    memory.mark('steady_end');
    await probe.stop();
    memory.stop();
    const steadyEvents = await eventsSince(client, steadyWall);

    const podRows = requestRows(callsBefore, callsAfter, step.pods);
    const steadyRows = requestRows(steadyBefore, steadyAfter, (step.nodes * steadyS) / 60);
    const memoryMib: StepResult['memory_mib'] = {};
    for (const [name, p] of memory.procs) {
      const idle = p.marks.idle ?? NaN;
      memoryMib[name] = {
        idle_mib: round(idle, 1),
        nodes_ready_mib: round(p.marks.nodes_ready ?? NaN, 1),
        pods_running_mib: round(p.marks.pods_running ?? NaN, 1),
        events_drained_mib: round(p.marks.events_drained ?? NaN, 1),
        steady_end_mib: round(p.marks.steady_end ?? NaN, 1),
        peak_mib: round(p.peak, 1),
        hwm_mib: round(p.hwm, 1),
        growth_per_1k_pods_mib: round(((p.peak - idle) / step.pods) * 1000, 2),
        restarts: p.pids.size - 1,
      };
    }
    const load = probe.stats(['nodes', 'pods', 'drain']);
    const p99Max = Math.max(...Object.values(load).map((v) => v.p99_ms));
    const totalS = nodesReadyS + runningS;
    return {
      nodes: step.nodes,
      pods: step.pods,
      deployments,
      replicas_per_deployment: Math.min(PER_DEPLOYMENT, step.pods),
      kubelet_ready_s: round(kubeletReadyS),
      nodes_ready_s: round(nodesReadyS),
      pods_created_s: round(createdS),
      pods_scheduled_s: round(scheduledS),
      pods_running_s: round(runningS),
      total_s: round(totalS),
      pods_running_per_s: round(step.pods / runningS),
      raw_api_create_per_s: api.per_s,
      raw_api_create_p99_ms: api.p99_ms,
      raw_etcd_put_per_s: raw.per_s,
      raw_etcd_put_p99_ms: raw.p99_ms,
      ratio_pods_running_vs_raw_api_create: round(step.pods / runningS / api.per_s, 3),
      ratio_pods_running_vs_raw_etcd_put: round(step.pods / runningS / raw.per_s, 3),
      memory_mib: memoryMib,
      api_latency_load: load,
      api_latency_steady: probe.stats(['steady']),
      api_p99_max_load_ms: p99Max,
      requests_per_pod_rollout: Object.fromEntries(podRows.map(([what, , per]) => [what, per])),
      events_drained: drained,
      events_drain_s: round(drainS),
      slow_requests_rollout: slowRollout,
      gateway_event_loop_lag_max_rollout_ms: round(lagMaxS * 1000),
      steady_window_s: round(steadyS, 1),
      requests_per_node_per_min_steady: Object.fromEntries(steadyRows.map(([what, , per]) => [what, per])),
      events_created_steady: steadyEvents,
      rollout_timeline: timeline,
      probe_pods_phase_at_s: round((tPods - tProbe) / 1000, 1),
      probe_steady_at_s: round((tSteady - tProbe) / 1000, 1),
      probe_slowest: probe.slowest(5),
      gateway_rss_goal_met: (memoryMib['api-gateway']?.hwm_mib ?? Infinity) <= GOAL_GATEWAY_RSS_MIB,
      api_p99_goal_met: p99Max <= GOAL_API_P99_MS,
      api_p99_slo_met: Object.entries(load).every(([verb, st]) => st.p99_ms <= (SLO_P99_MS[verb] ?? GOAL_API_P99_MS)),
    };
  } finally {
    memory.stop();
    await probe?.stop().catch(() => undefined);
    for (const p of procs.reverse()) await p.kill('SIGTERM').catch(() => undefined);
    etcd.close();
    client.close();
    await cp.stop();
  }
}

function printStep(r: StepResult): void {
  process.stdout.write(`\n-- ${r.nodes} nodes, ${r.pods} pods (${r.deployments} × ${r.replicas_per_deployment}); shared 2-core machine: read the ratios --\n`);
  printTable(
    ['phase', 'seconds', 'per s'],
    [
      ['kubelet spawn → ready (nodes registered)', r.kubelet_ready_s, round(r.nodes / r.kubelet_ready_s)],
      ['kubelet spawn → all Nodes Ready', r.nodes_ready_s, round(r.nodes / r.nodes_ready_s)],
      ['Deployments created → all pods created', r.pods_created_s, round(r.pods / r.pods_created_s)],
      ['Deployments created → all pods scheduled', r.pods_scheduled_s, round(r.pods / r.pods_scheduled_s)],
      ['Deployments created → all pods Running', r.pods_running_s, r.pods_running_per_s],
      ['total (nodes Ready + pods Running)', r.total_s, '-'],
      [`floor: raw API pod creates (c=${CONCURRENCY}), p99 ${r.raw_api_create_p99_ms} ms`, '-', r.raw_api_create_per_s],
      [`floor: raw etcd puts of the stored pod (c=${CONCURRENCY}), p99 ${r.raw_etcd_put_p99_ms} ms`, '-', r.raw_etcd_put_per_s],
    ],
  );
  process.stdout.write(`pods Running/s ÷ raw API creates/s: ${r.ratio_pods_running_vs_raw_api_create}; ÷ raw etcd puts/s: ${r.ratio_pods_running_vs_raw_etcd_put}\n`);
  printTable(
    ['process RSS MiB', 'idle', 'nodes Ready', 'pods Running', 'Events written', 'steady end', 'peak after idle', 'VmHWM', 'growth/1k pods', 'restarts'],
    Object.entries(r.memory_mib).map(([name, m]) => [name, m.idle_mib, m.nodes_ready_mib, m.pods_running_mib, m.events_drained_mib, m.steady_end_mib, m.peak_mib, m.hwm_mib, m.growth_per_1k_pods_mib, m.restarts]),
  );
  const lat = (title: string, s: StepResult['api_latency_load']): void =>
    printTable([title, 'samples', 'errors', 'skipped', 'p50 ms', 'p99 ms', 'max ms'], Object.entries(s).map(([verb, v]) => [verb, v.samples, v.errors, v.skipped, v.p50_ms, v.p99_ms, v.max_ms]));
  lat('API probe, nodes + pods + Event drain', r.api_latency_load);
  lat(`API probe, steady ${r.steady_window_s} s`, r.api_latency_steady);
  printTable(['requests per pod (rollout)', 'per pod'], Object.entries(r.requests_per_pod_rollout).slice(0, 12));
  printTable(['requests per node per minute (steady)', 'per node/min'], Object.entries(r.requests_per_node_per_min_steady).slice(0, 12));
  process.stdout.write(`(leases include the ${CONTROLLERS.length} controllers' leader-election renewals, a GET and a PUT each every ${Number(LEASE.KEELSON_RETRY_PERIOD_MS) / 1000} s)\n`);
  const slow = Object.entries(r.slow_requests_rollout);
  if (slow.length) printTable(['gateway: series with answers > 1 s during the rollout', 'requests', 'mean ms', '> 1 s'], slow.slice(0, 10).map(([k, v]) => [k, v.requests, v.mean_ms, v.over_1s]));
  process.stdout.write(`gateway event loop: longest delay during the rollout ${r.gateway_event_loop_lag_max_rollout_ms} ms\n`);
  process.stdout.write(`Events after all pods ran: ${r.events_drained ? `written within ${r.events_drain_s} s` : `still being written after ${r.events_drain_s} s (KEELSON_BENCH_DRAIN_MAX_SECONDS)`}\n`);
  const ev = Object.entries(r.events_created_steady);
  if (ev.length) printTable([`events created in the steady ${r.steady_window_s} s`, 'count'], ev.slice(0, 8));
  printTable([`slowest probe requests (pods phase from ${r.probe_pods_phase_at_s} s, steady from ${r.probe_steady_at_s} s)`, 'phase', 'sent at s', 'ms', 'ok'], r.probe_slowest.slice(0, 8).map((x) => [x.verb, x.phase, x.sent_at_s, x.ms, String(x.ok)]));
  const gw = r.memory_mib['api-gateway'];
  process.stdout.write(`goals: gateway RSS ${gw?.hwm_mib} MiB (VmHWM) ≤ ${GOAL_GATEWAY_RSS_MIB}: ${r.gateway_rss_goal_met ? 'met' : 'NOT met'}; API p99 ${r.api_p99_max_load_ms} ms (worst verb) ≤ ${GOAL_API_P99_MS}: ${r.api_p99_goal_met ? 'met' : 'NOT met'}; Kubernetes' SLO (1 s, cluster-scoped LIST 30 s): ${r.api_p99_slo_met ? 'met' : 'NOT met'}\n`);
}

export async function runScaleBench(): Promise<void> {
  const results: StepResult[] = [];
  for (const step of steps()) {
    const r = await runStep(step);
    printStep(r);
    results.push(r);
  }
  // Growth between the sizes: RSS growth per 1,000 pods (peak − idle) at each; a ratio well
  // above 1 means a process grows faster than the cluster (nodes and pods grow together).
  let growth: Record<string, { per_1k_pods_mib: number[]; ratio_last_vs_first: number }> | undefined;
  if (results.length > 1) {
    growth = {};
    const first = results[0];
    const last = results[results.length - 1];
    for (const name of Object.keys(last.memory_mib)) {
      const per = results.map((r) => r.memory_mib[name]?.growth_per_1k_pods_mib ?? NaN);
      growth[name] = { per_1k_pods_mib: per, ratio_last_vs_first: round((last.memory_mib[name]?.growth_per_1k_pods_mib ?? NaN) / (first.memory_mib[name]?.growth_per_1k_pods_mib ?? NaN), 2) };
    }
    process.stdout.write('\n');
    printTable(
      ['RSS growth MiB per 1k pods', ...results.map((r) => `${r.nodes}n/${r.pods}p`), 'ratio'],
      Object.entries(growth).map(([name, g]) => [name, ...g.per_1k_pods_mib, g.ratio_last_vs_first]),
    );
    process.stdout.write('(growth = peak RSS − RSS before the nodes came, per 1,000 pods; the kubelet\'s "before" is once its nodes were registered. ratio > 1: faster than linear)\n');
  }
  const file = writeResult('scale', {
    benchmark: 'scale',
    note: 'shared machine unless stated: compare the ratios with the floor measured in the same run',
    goal_gateway_rss_mib: GOAL_GATEWAY_RSS_MIB,
    goal_api_p99_ms: GOAL_API_P99_MS,
    probe_interval_ms: PROBE_MS,
    probe_list_interval_ms: PROBE_MS * LIST_EVERY_TICKS,
    rss_sample_interval_ms: RSS_SAMPLE_MS,
    steps: results,
    ...(growth ? { growth_per_1k_pods_mib: growth } : {}),
  });
  process.stdout.write(`wrote ${file}\n`);
}
