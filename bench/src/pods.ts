// `npm run bench -- pods`: pod start latency on one process node, from the moment a pod is bound
// to the node (created with spec.nodeName: the scheduler's part is done) to the first watch event
// that shows it Running — for pods in their own network namespace (veth, bridge, IP from the
// node's podCIDR: runtime/network/) against hostNetwork pods, which skip that step. KEELSON_BENCH_PODS
// (200) pods per kind, created KEELSON_BENCH_PODS_CONCURRENCY (8) at a time, so the node sees a burst
// as it would from a Deployment scale-up. Kinds alternate over KEELSON_BENCH_PODS_ROUNDS (1) rounds,
// after a small warm-up. Then a Service's throughput through kube-proxy's ClusterIP rules against
// direct to the pod IP (bench/src/services.ts), on the same node. Needs root (network namespaces,
// nftables); writes .keelson/bench/pods.json.
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { percentile, printTable, round, writeResult } from './stats';
import { runServiceThroughput } from './services';

const PODS = Number(process.env.KEELSON_BENCH_PODS ?? 200);
const CONCURRENCY = Number(process.env.KEELSON_BENCH_PODS_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.KEELSON_BENCH_PODS_ROUNDS ?? 1);
const NODE = 'bench-pods';
const SLEEP = '/bin/sleep';

type Kind = 'sandboxed' | 'host-network';
type Json = Record<string, any>;

export interface StartLatency {
  kind: Kind;
  pods: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
  /** All pods Running, from the first create to the last Running event. */
  burst_seconds: number;
}

/** Watches pods in `default` and calls `running(name)` the first time each one is seen Running. */
function watchRunning(cp: ControlPlane, running: (name: string, podIP: string) => void): () => void {
  const req = request(`${cp.url}/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=false`, { ca: cp.creds.caPem, headers: { authorization: `Bearer ${cp.creds.adminToken}` } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as { type: string; object: Json };
        if (ev.type !== 'DELETED' && ev.object.status?.phase === 'Running') running(ev.object.metadata.name, ev.object.status.podIP ?? '');
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return () => req.destroy();
}

function pod(name: string, kind: Kind): Json {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'pods' } },
    spec: {
      nodeName: NODE, terminationGracePeriodSeconds: 0, automountServiceAccountToken: false,
      ...(kind === 'host-network' ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', image: 'sleep', command: [SLEEP, '3600'] }],
    },
  };
}

async function create(cp: ControlPlane, agent: Agent, obj: Json): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = request(`${cp.url}/api/v1/namespaces/default/pods`, { method: 'POST', agent, ca: cp.creds.caPem, headers: { authorization: `Bearer ${cp.creds.adminToken}`, 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`create ${String(obj.metadata.name)}: HTTP ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(obj));
  });
}

/** Creates `count` pods of `kind`, returns each one's bound → Running latency; deletes them after. */
async function burst(cp: ControlPlane, kind: Kind, count: number, prefix: string): Promise<StartLatency> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const boundAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const ips = new Set<string>();
  let allRunning: () => void = () => undefined;
  const done = new Promise<void>((r) => (allRunning = r));
  const stop = watchRunning(cp, (name, ip) => {
    if (!name.startsWith(prefix) || runningAt.has(name)) return;
    runningAt.set(name, Date.now());
    if (ip) ips.add(ip);
    if (runningAt.size === count) allRunning();
  });
  await new Promise((r) => setTimeout(r, 500)); // the watch is established
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const t0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < names.length) {
      const name = names[next++];
      await create(cp, agent, pod(name, kind));
      // Created with nodeName: bound from the moment the API accepted it.
      boundAt.set(name, Date.now());
    }
  }));
  const timeout = setTimeout(() => allRunning(), 20 * 60_000);
  await done;
  clearTimeout(timeout);
  stop();
  agent.destroy();
  if (runningAt.size < count) throw new Error(`${kind}: only ${runningAt.size} of ${count} pods Running after 20 minutes`);
  if (kind === 'sandboxed' && ips.size !== count) throw new Error(`sandboxed pods should have ${count} distinct IPs, saw ${ips.size}`);
  const lat = names.map((n) => Math.max(0, runningAt.get(n)! - (boundAt.get(n) ?? t0))).sort((a, b) => a - b);
  const last = Math.max(...runningAt.values());
  const result: StartLatency = {
    kind, pods: count,
    p50_ms: round(percentile(lat, 50), 0), p99_ms: round(percentile(lat, 99), 0),
    mean_ms: round(lat.reduce((a, b) => a + b, 0) / lat.length, 0), max_ms: lat[lat.length - 1],
    burst_seconds: round((last - t0) / 1000, 2),
  };
  process.stderr.write(`${JSON.stringify(result)}\n`);
  // Gone before the next burst (a busy node stops 200 pods slowly: poll, not kubectl's wait).
  // kubectl may be cut off by the harness's timeout while a busy gateway deletes 200 pods: re-issued every 30 s.
  for (let i = 0; (await cp.k('get', 'pods', '-l', 'bench=pods', '-o', 'name')).trim(); i++) {
    if (i > 1200) throw new Error('pods still there 20 minutes after their deletion');
    if (i % 30 === 0) await cp.kubectl(['delete', 'pods', '-l', 'bench=pods', '--wait=false']);
    await new Promise((res) => setTimeout(res, 1000));
  }
  return result;
}

export async function runPodsBench(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench pods needs root (pod network namespaces)');
  // kube-proxy too: the Service throughput block (bench/src/services.ts) runs on this node after the bursts.
  const cp = await startControlPlane({ nats: true, nodes: [NODE], env: { KEELSON_SERVICE_CLUSTER_IP_RANGE: '10.183.0.0/16' }, services: ['node-lifecycle-controller', 'kubelet', 'kube-proxy'] });
  try {
    await cp.startService('node-lifecycle-controller', { env: { KEELSON_LEADER_ELECT: 'false', KEELSON_CLUSTER_CIDR: '10.182.0.0/16' } });
    await cp.startService('kubelet', {
      instance: NODE,
      env: { NODE_NAME: NODE, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', NODE), KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_PODS: String(Math.max(110, PODS + 20)), KEELSON_NODE_CPU: '64', KEELSON_NODE_MEMORY: '256Gi' },
    });
    await cp.startService('kube-proxy', { instance: NODE, env: { NODE_NAME: NODE } });
    // The node has its podCIDR before the first measured pod (the first pod would wait for it).
    for (let i = 0; ; i++) {
      const node = JSON.parse(await cp.k('get', 'node', NODE, '-o', 'json').catch(() => '{}')) as Json;
      if (node.spec?.podCIDR) break;
      if (i > 600) throw new Error(`node ${NODE} got no podCIDR`);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stderr.write('warm-up…\n');
    await burst(cp, 'sandboxed', 5, 'warm-s');
    await burst(cp, 'host-network', 5, 'warm-h');
    const results: StartLatency[] = [];
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const kind of ['sandboxed', 'host-network'] as const) {
        process.stderr.write(`round ${round_ + 1}: ${PODS} ${kind} pods…\n`);
        results.push(await burst(cp, kind, PODS, `${kind === 'sandboxed' ? 's' : 'h'}${round_}`));
      }
    }
    const pick = (k: Kind): StartLatency => {
      const rs = results.filter((r) => r.kind === k).sort((a, b) => a.p50_ms - b.p50_ms);
      return rs[Math.floor(rs.length / 2)];
    };
    const sandboxed = pick('sandboxed');
    const host = pick('host-network');
    printTable(['kind', 'pods', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'all Running s'], [sandboxed, host].map((r) => [r.kind, r.pods, r.p50_ms, r.p99_ms, r.mean_ms, r.max_ms, r.burst_seconds]));
    process.stderr.write('Service throughput (ClusterIP through kube-proxy vs direct to the pod IP)…\n');
    const throughput = await runServiceThroughput(cp, NODE);
    printTable(
      ['mode', 'direct to pod IP (req/s)', 'ClusterIP (req/s)', 'ratio', 'userspace proxy (req/s)', 'ratio'],
      throughput.map((r) => [r.mode, r.direct_rps, r.service_rps, r.ratio, r.userspace_rps, r.userspace_ratio]),
    );
    const result = {
      benchmark: 'pods',
      node: NODE,
      pods_per_kind: PODS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      what: 'bound (created with spec.nodeName) -> first watch event with phase Running, one process node',
      sandboxed,
      host_network: host,
      sandbox_overhead_p50_ms: sandboxed.p50_ms - host.p50_ms,
      sandbox_overhead_p99_ms: sandboxed.p99_ms - host.p99_ms,
      runs: results,
      // A Service's request throughput through the data plane (ClusterIP, kube-proxy's nftables) vs direct to the pod IP.
      service_throughput: throughput,
    };
    process.stdout.write(`wrote ${writeResult('pods', result)}\n`);
  } finally {
    await cp.kubectl(['delete', 'service', 'bench-server', '--ignore-not-found']).catch(() => undefined);
    await cp.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=300s']).catch(() => undefined);
    await cp.stop();
  }
}
