// The api bench's HTTP/2 mode: the same pod creates through the same gateway, every request a
// stream on ONE multiplexed HTTP/2 connection (as kubectl, client-go and @keelson/client send
// them), measured right after the HTTP/1.1 keep-alive run (a socket per request in flight) at each
// concurrency level, both against the raw etcd puts of that level.
import { connect, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import type { ControlPlane, GatewayReplica } from '@keelson/testing';
import { measure, printTable, round, type RunStats } from './stats';
import { cpuSeconds } from './proc-cpu';

type Creates = RunStats & { cpu_ms: number };

export interface Http2Row {
  concurrency: number;
  etcd: RunStats;
  http1: Creates;
  http2: Creates;
  /** h2 over two gateway processes of another cluster, and that cluster's raw etcd puts. */
  twoGateways: Creates;
  twoGatewaysEtcd: RunStats;
}

function post(session: ClientHttp2Session, path: string, token: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    let status = 0;
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', () => undefined);
    stream.on('end', () => (status === 201 ? resolve() : reject(new Error(`HTTP ${status}`))));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** `ops` pod creates with `concurrency` streams in flight on one HTTP/2 connection. */
export function createsOverHttp2(cp: ControlPlane, ops: number, concurrency: number, podJson: (name: string) => string, prefix: string): Promise<Creates> {
  return createsAcrossGateways(cp, [cp.gateway], ops, concurrency, podJson, prefix);
}

/**
 * The same creates spread over several gateway processes of one cluster (one HTTP/2 connection
 * to each, request i to gateway i mod n), `concurrency` in flight in all; cpu_ms is all of them.
 */
export async function createsAcrossGateways(cp: ControlPlane, gateways: GatewayReplica[], ops: number, concurrency: number, podJson: (name: string) => string, prefix: string): Promise<Creates> {
  const sessions: ClientHttp2Session[] = [];
  const cpu = () => gateways.reduce((sum, g) => sum + cpuSeconds(g.pid()), 0);
  try {
    for (const g of gateways) {
      const session = connect(g.url, { ca: cp.creds.caPem, servername: '', noDelay: true } as SecureClientSessionOptions); // an IP: no SNI
      session.on('error', () => undefined);
      sessions.push(session);
      await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
      session.setLocalWindowSize(32 << 20);
    }
    const cpu0 = cpu();
    const stats = await measure(ops, concurrency, (i) => post(sessions[i % sessions.length], '/api/v1/namespaces/default/pods', cp.creds.adminToken, podJson(`${prefix}-h2-pod-${i}`)));
    return { ...stats, cpu_ms: round(((cpu() - cpu0) * 1000) / ops, 3) };
  } finally {
    for (const s of sessions) s.close();
  }
}

export function printHttp2Table(rows: Http2Row[]): void {
  printTable(
    ['concurrency', 'http/1.1 creates/s', 'p99 ms', 'cpu ms/create', 'ratio to etcd', 'h2 creates/s', 'p99 ms', 'cpu ms/create', 'ratio to etcd', 'h2 gain'],
    rows.map((r) => [r.concurrency, r.http1.per_s, r.http1.p99_ms, r.http1.cpu_ms, round(r.http1.per_s / r.etcd.per_s, 3), r.http2.per_s, r.http2.p99_ms, r.http2.cpu_ms, round(r.http2.per_s / r.etcd.per_s, 3), round(r.http2.per_s / r.http1.per_s, 3)]),
  );
  process.stdout.write('http/2: the first gateway\'s creates over one multiplexed h2 connection vs HTTP/1.1 keep-alive (a socket per request in flight); ratio = creates/s / raw etcd puts/s of the same level; h2 gain = h2 / http/1.1\n');
  printTable(
    ['concurrency', '1 gateway h2 creates/s', 'p99 ms', 'ratio to etcd', '2 gateways h2 creates/s', 'p99 ms', 'cpu ms/create (both)', 'ratio to etcd', 'gain'],
    rows.map((r) => [r.concurrency, r.http2.per_s, r.http2.p99_ms, round(r.http2.per_s / r.etcd.per_s, 3), r.twoGateways.per_s, r.twoGateways.p99_ms, r.twoGateways.cpu_ms, round(r.twoGateways.per_s / r.twoGatewaysEtcd.per_s, 3), round(r.twoGateways.per_s / r.http2.per_s, 3)]),
  );
  process.stdout.write('two gateway processes (both cores): a second cluster with two gateway replicas, creates alternating between them over h2; ratio against that cluster\'s own raw etcd puts; gain = 2 gateways / 1 gateway creates/s\n');
}

export function http2Results(rows: Http2Row[]): object[] {
  return rows.map((r) => ({
    concurrency: r.concurrency, http1_per_s: r.http1.per_s, http1_p99_ms: r.http1.p99_ms, http2_per_s: r.http2.per_s, http2_p50_ms: r.http2.p50_ms, http2_p99_ms: r.http2.p99_ms,
    http2_gateway_cpu_ms_per_create: r.http2.cpu_ms, http2_ratio: round(r.http2.per_s / r.etcd.per_s, 3), http2_gain: round(r.http2.per_s / r.http1.per_s, 3),
    two_gateways_per_s: r.twoGateways.per_s, two_gateways_p99_ms: r.twoGateways.p99_ms, two_gateways_cpu_ms_per_create: r.twoGateways.cpu_ms,
    two_gateways_etcd_per_s: r.twoGatewaysEtcd.per_s, two_gateways_ratio: round(r.twoGateways.per_s / r.twoGatewaysEtcd.per_s, 3), two_gateways_gain: round(r.twoGateways.per_s / r.http2.per_s, 3),
  }));
}
