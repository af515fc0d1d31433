// `npm run bench -- api`: pod creates through the API gateway against raw etcd puts of
// the same JSON, at concurrency 1, 16 and 64, measured side by side in one run; and the
// same creates through a second gateway exporting every span over OTLP/HTTP to a receiver
// (tracing on) against the first (no exporter: tracing off), interleaved per level; and through a
// third gateway with group commit off (KEELSON_ETCD_GROUP_COMMIT=false), every write its own etcd
// txn, against the first (group commit on by default): group commit's gain, in the same run; and
// through a fourth cluster with two gateway processes, the load alternating between them (what
// a second process buys on this machine's cores).
import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { startControlPlane, startOtlpReceiver, type ControlPlane } from '@keelson/testing';
import { measure, printTable, round, writeResult, type RunStats } from './stats';
import { cpuSeconds } from './proc-cpu';
import { createsAcrossGateways, createsOverHttp2, http2Results, printHttp2Table, type Http2Row } from './api-http2';

const CONCURRENCY = [1, 16, 64];
const OPS = Number(process.env.KEELSON_BENCH_OPS ?? 2000);
const WARM_UP_OPS = 500;

function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'bench', tier: 'load' } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'bench' }] }] },
  });
}

function post(agent: Agent, url: string, token: string, ca: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Pod creates through `cp`'s gateway; also the gateway's CPU per create, which on a busy
 * machine says more about tracing's cost than throughput, which other load moves.
 */
async function creates(cp: ControlPlane, concurrency: number, prefix: string, ops = OPS): Promise<RunStats & { cpu_ms: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const cpu0 = cpuSeconds(cp.gateway.pid());
  try {
    const stats = await measure(ops, concurrency, (i) => post(agent, `${cp.url}/api/v1/namespaces/default/pods`, cp.creds.adminToken, cp.creds.caPem, podJson(`${prefix}-pod-${i}`)));
    return { ...stats, cpu_ms: round(((cpuSeconds(cp.gateway.pid()) - cpu0) * 1000) / ops, 3) };
  } finally {
    agent.destroy();
  }
}

export async function runApiBench(): Promise<void> {
  const otlp = await startOtlpReceiver();
  const cp = await startControlPlane(); // tracing off: no exporter configured
  const traced = await startControlPlane({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint } });
  const ungrouped = await startControlPlane({ env: { KEELSON_ETCD_GROUP_COMMIT: 'false' } });
  const dual = await startControlPlane();
  const dualGateways = [dual.gateway, await dual.addGatewayReplica()];
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const dualEtcd = new Etcd3(dual.etcd.clientOptions);
  const h2rows: Http2Row[] = []; // the same creates on one multiplexed HTTP/2 connection (api-http2.ts)
  type Creates = RunStats & { cpu_ms: number };
  const rows: { concurrency: number; api: Creates; etcd: RunStats; ratio: number; traced: Creates; tracedRatio: number; cpuRatio: number; alone: Creates; groupGain: number }[] = [];
  try {
    // Every gateway warmed alike before anything is measured (a cold one spends its first
    // creates compiling), so that the first level does not favour the gateways measured later.
    for (const g of [cp, traced, ungrouped]) await creates(g, 16, 'warm', WARM_UP_OPS);
    await createsAcrossGateways(dual, dualGateways, WARM_UP_OPS, 16, podJson, 'warm');
    for (const concurrency of CONCURRENCY) {
      const raw = await measure(OPS, concurrency, async (i) => {
        await etcd.put(`/bench/raw/c${concurrency}/pod-${i}`).value(podJson(`pod-${i}`));
      });
      const api = await creates(cp, concurrency, `c${concurrency}`);
      const http2 = await createsOverHttp2(cp, OPS, concurrency, podJson, `c${concurrency}`);
      const twoGatewaysEtcd = await measure(OPS, concurrency, async (i) => {
        await dualEtcd.put(`/bench/raw/c${concurrency}/pod-${i}`).value(podJson(`pod-${i}`));
      });
      const twoGateways = await createsAcrossGateways(dual, dualGateways, OPS, concurrency, podJson, `c${concurrency}`);
      h2rows.push({ concurrency, etcd: raw, http1: api, http2, twoGateways, twoGatewaysEtcd });
      const on = await creates(traced, concurrency, `c${concurrency}`);
      const alone = await creates(ungrouped, concurrency, `c${concurrency}`);
      rows.push({
        concurrency, api, etcd: raw, ratio: round(api.per_s / raw.per_s, 3), traced: on, tracedRatio: round(on.per_s / api.per_s, 3), cpuRatio: round(api.cpu_ms / on.cpu_ms, 3),
        alone, groupGain: round(api.per_s / alone.per_s, 3),
      });
    }
  } finally {
    etcd.close();
    dualEtcd.close();
    await cp.stop();
    await dual.stop();
    await traced.stop(); // flushes the gateway's exporter
    await ungrouped.stop();
    await otlp.stop();
  }
  printTable(
    ['concurrency', 'api creates/s', 'api p50 ms', 'api p99 ms', 'etcd puts/s', 'etcd p50 ms', 'etcd p99 ms', 'ratio', 'traced creates/s', 'traced p50 ms', 'traced p99 ms', 'traced ratio', 'cpu ms/create', 'traced cpu ms/create', 'cpu ratio'],
    rows.map((r) => [r.concurrency, r.api.per_s, r.api.p50_ms, r.api.p99_ms, r.etcd.per_s, r.etcd.p50_ms, r.etcd.p99_ms, r.ratio, r.traced.per_s, r.traced.p50_ms, r.traced.p99_ms, r.tracedRatio, r.api.cpu_ms, r.traced.cpu_ms, r.cpuRatio]),
  );
  printTable(
    ['concurrency', 'group commit creates/s', 'p99 ms', 'cpu ms/create', 'writes alone creates/s', 'p99 ms', 'cpu ms/create', 'gain', 'ratio to etcd (alone)'],
    rows.map((r) => [r.concurrency, r.api.per_s, r.api.p99_ms, r.api.cpu_ms, r.alone.per_s, r.alone.p99_ms, r.alone.cpu_ms, r.groupGain, round(r.alone.per_s / r.etcd.per_s, 3)]),
  );
  process.stdout.write('group commit: gain = creates/s with group commit (the first gateway) / with every write its own txn (KEELSON_ETCD_GROUP_COMMIT=false)\n');
  printHttp2Table(h2rows);
  process.stdout.write(`tracing on: ${otlp.spans.length} spans received over OTLP/HTTP for ${OPS * CONCURRENCY.length} creates (traced ratio = traced / untraced creates per second, cpu ratio = untraced / traced gateway CPU per create; goal >= 0.9)\n`);
  const file = writeResult('api', {
    benchmark: 'api', ops_per_run: OPS, goal_ratio: 0.5, goal_traced_ratio: 0.9, spans_received: otlp.spans.length, http2: http2Results(h2rows),
    runs: rows.map((r) => ({
      concurrency: r.concurrency, api_per_s: r.api.per_s, api_p50_ms: r.api.p50_ms, api_p99_ms: r.api.p99_ms, etcd_per_s: r.etcd.per_s, etcd_p50_ms: r.etcd.p50_ms, etcd_p99_ms: r.etcd.p99_ms, ratio: r.ratio,
      traced_per_s: r.traced.per_s, traced_p50_ms: r.traced.p50_ms, traced_p99_ms: r.traced.p99_ms, traced_ratio: r.tracedRatio,
      gateway_cpu_ms_per_create: r.api.cpu_ms, traced_gateway_cpu_ms_per_create: r.traced.cpu_ms, cpu_ratio: r.cpuRatio,
      ungrouped_per_s: r.alone.per_s, ungrouped_p99_ms: r.alone.p99_ms, ungrouped_gateway_cpu_ms_per_create: r.alone.cpu_ms, ungrouped_ratio: round(r.alone.per_s / r.etcd.per_s, 3), group_commit_gain: r.groupGain,
    })),
  });
  process.stdout.write(`wrote ${file}\n`);
}
