// `npm run bench -- services`: a Service's request throughput through the data plane (kube-proxy's
// nftables DNAT to the pod) against the same requests sent straight to the pod IP. One process
// node with its pod network and kube-proxy; a Node.js HTTP server pod (fast enough that the path,
// not the server, shows); a load pod on the same node that runs for a fixed time and counts
// answers. Two modes: keep-alive connections (after the first packet, conntrack's established
// fast path: what most clients do) and a new connection per request (each one walks the nat
// rules: the data plane's worst case). For reference, the same load through a userspace TCP
// proxy (a Node.js process on the host piping each connection to the pod, what kube-proxy's
// old userspace mode did): the figure behind choosing in-kernel rules. Runs alternate direct /
// VIP / userspace and the median is kept.
// Needs root (pod network namespaces, nftables). `runServiceThroughput` is exported for other
// benches (e.g. `bench -- pods`) to include this block.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, startControlPlane, until, type ControlPlane } from '@keelson/testing';
import { printTable, round, writeResult } from './stats';

const SECONDS = Number(process.env.KEELSON_BENCH_SVC_SECONDS ?? 5);
const ROUNDS = Number(process.env.KEELSON_BENCH_SVC_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.KEELSON_BENCH_SVC_CONCURRENCY ?? 16);
const NODE = 'bench-svc';

type Json = Record<string, any>;

/** The load generator (runs in a pod): requests/s for `seconds`, keep-alive or a new connection each. */
const LOAD_SCRIPT = `
const http = require('http');
const [url, seconds, concurrency, mode] = process.argv.slice(1);
const agent = mode === 'keepalive' ? new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) }) : false;
const end = Date.now() + Number(seconds) * 1000;
let ok = 0, errors = 0;
const one = () => new Promise((resolve) => {
  const req = http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => { ok++; resolve(); }); });
  req.on('error', () => { errors++; resolve(); });
});
const worker = async () => { while (Date.now() < end) await one(); };
const t0 = process.hrtime.bigint();
Promise.all(Array.from({ length: Number(concurrency) }, worker)).then(() => {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ ok, errors, seconds: s, rps: ok / s }));
  process.exit(0);
});
`;
const SERVER_SCRIPT = "require('http').createServer((q, s) => s.end('ok')).listen(8080)";
/** A userspace TCP proxy (host process): each accepted connection piped to the backend. */
const USERSPACE_PROXY_SCRIPT = `
const net = require('net');
const [port, host, backendPort] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(Number(backendPort), host);
  c.pipe(u); u.pipe(c);
  const close = () => { c.destroy(); u.destroy(); };
  c.on('error', close); u.on('error', close); c.on('close', close); u.on('close', close);
}).listen(Number(port), '0.0.0.0', () => console.log('listening'));
`;

export interface ServiceThroughput {
  mode: 'keepalive' | 'new-connection';
  direct_rps: number;
  service_rps: number;
  /** service / direct: 1.0 = the data plane costs nothing measurable. */
  ratio: number;
  /** The userspace TCP proxy, for reference (what the in-kernel rules were chosen over). */
  userspace_rps: number;
  userspace_ratio: number;
}

async function getJson(cp: ControlPlane, ...args: string[]): Promise<Json> {
  return JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
}

async function apply(cp: ControlPlane, obj: Json): Promise<void> {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

async function loadRun(cp: ControlPlane, node: string, name: string, url: string, mode: string): Promise<number> {
  await apply(cp, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { nodeName: node, restartPolicy: 'Never', containers: [{ name: 'load', image: 'node', command: [process.execPath, '-e', LOAD_SCRIPT, url, String(SECONDS), String(CONCURRENCY), mode] }] },
  });
  const out = await until(`${name} finished`, async () => {
    const p = await getJson(cp, 'get', 'pod', name);
    return (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && cp.k('logs', name);
  }, 120_000, 250);
  await cp.k('delete', 'pod', name, '--wait=false');
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ok?: number; errors?: number; rps?: number };
  if (!r.rps || (r.errors ?? 0) > (r.ok ?? 0) / 100) throw new Error(`${name}: ${out}`);
  return r.rps;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Direct vs through the Service, in a running cluster whose process node `node` has a pod network and a kube-proxy. */
export async function runServiceThroughput(cp: ControlPlane, node = NODE): Promise<ServiceThroughput[]> {
  await apply(cp, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-server', labels: { app: 'bench-server' } },
    spec: { nodeName: node, containers: [{ name: 'server', image: 'node', command: [process.execPath, '-e', SERVER_SCRIPT], ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] },
  });
  await apply(cp, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench-server' }, spec: { selector: { app: 'bench-server' }, ports: [{ port: 80, targetPort: 8080 }] } });
  const pod = await until('server Ready', async () => {
    const p = await getJson(cp, 'get', 'pod', 'bench-server');
    return (p.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True') && p;
  }, 120_000);
  const vip = (await getJson(cp, 'get', 'service', 'bench-server')).spec.clusterIP as string;
  const direct = `http://${pod.status.podIP}:8080/`;
  const service = `http://${vip}/`;
  // The pod reaches the host on its bridge's address (the podCIDR's .1).
  const nodeObject = await getJson(cp, 'get', 'node', node);
  const gateway = String(nodeObject.spec.podCIDR).replace(/\.0\/\d+$/, '.1');
  const proxyPort = await freePort();
  const userspace: ChildProcess = spawn(process.execPath, ['-e', USERSPACE_PROXY_SCRIPT, String(proxyPort), pod.status.podIP, '8080'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    userspace.stdout!.once('data', () => resolve());
    userspace.once('exit', (code) => reject(new Error(`userspace proxy exited ${code}`)));
  });
  const viaUserspace = `http://${gateway}:${proxyPort}/`;
  try {
    // The VIP answers once kube-proxy synced (a short load run fails until then).
    await until('the VIP answers', async () => (await loadRun(cp, node, `warm-${Date.now()}`, service, 'keepalive').catch(() => 0)) > 0, 120_000, 1000);
    const out: ServiceThroughput[] = [];
    for (const mode of ['keepalive', 'new-connection'] as const) {
      const d: number[] = [];
      const s: number[] = [];
      const u: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        d.push(await loadRun(cp, node, `load-direct-${mode}-${i}`, direct, mode));
        s.push(await loadRun(cp, node, `load-svc-${mode}-${i}`, service, mode));
        u.push(await loadRun(cp, node, `load-user-${mode}-${i}`, viaUserspace, mode));
      }
      out.push({
        mode, direct_rps: round(median(d), 0), service_rps: round(median(s), 0), ratio: round(median(s) / median(d), 3),
        userspace_rps: round(median(u), 0), userspace_ratio: round(median(u) / median(d), 3),
      });
    }
    return out;
  } finally {
    userspace.kill();
  }
}

export async function runServicesBench(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench services needs root (pod network namespaces and nftables)');
  const cp = await startControlPlane({
    nats: true, nodes: [NODE], env: { KEELSON_SERVICE_CLUSTER_IP_RANGE: '10.180.0.0/16' },
    services: ['node-lifecycle-controller', 'kubelet', 'kube-proxy'],
  });
  try {
    await cp.startService('node-lifecycle-controller', { env: { KEELSON_LEADER_ELECT: 'false', KEELSON_CLUSTER_CIDR: '10.181.0.0/16' } });
    await cp.startService('kubelet', { instance: NODE, env: { NODE_NAME: NODE, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', NODE), KEELSON_LEADER_ELECT: 'false' } });
    await cp.startService('kube-proxy', { instance: NODE, env: { NODE_NAME: NODE } });
    const rows = await runServiceThroughput(cp);
    process.stdout.write(`\nService throughput, ${CONCURRENCY} concurrent clients in a pod, ${SECONDS} s runs, median of ${ROUNDS} (server: a Node.js pod on the same node)\n`);
    printTable(
      ['mode', 'direct to pod IP (req/s)', 'ClusterIP, nftables (req/s)', 'ratio', 'userspace proxy (req/s)', 'ratio'],
      rows.map((r) => [r.mode, r.direct_rps, r.service_rps, r.ratio, r.userspace_rps, r.userspace_ratio]),
    );
    const file = writeResult('services', { benchmark: 'services', seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, data_plane: 'nftables', runs: rows });
    process.stdout.write(`result: ${file}\n`);
  } finally {
    await cp.kubectl(['delete', 'pods,services', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
    await cp.stop();
  }
}
