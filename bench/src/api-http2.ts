// The api bench's HTTP/2 mode: the same pod creates through the same gateway, every request a
// stream on ONE multiplexed HTTP/2 connection (as kubectl, client-go and @keelson/client send
// them), measured right after the HTTP/1.1 keep-alive run (a socket per request in flight) at each
// concurrency level, both against the raw etcd puts of that level.
import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import type { ControlPlane } from '@keelson/testing';
import { measure, printTable, round, type RunStats } from './stats';

type Creates = RunStats & { cpu_ms: number };

export interface Http2Row {
  concurrency: number;
  etcd: RunStats;
  http1: Creates;
  http2: Creates;
}

function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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
export async function createsOverHttp2(cp: ControlPlane, ops: number, concurrency: number, podJson: (name: string) => string, prefix: string): Promise<Creates> {
  const session = connect(cp.url, { ca: cp.creds.caPem, servername: '', noDelay: true } as SecureClientSessionOptions); // an IP: no SNI
  session.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  session.setLocalWindowSize(32 << 20);
  const cpu0 = cpuSeconds(cp.gateway.pid());
  try {
    const stats = await measure(ops, concurrency, (i) => post(session, '/api/v1/namespaces/default/pods', cp.creds.adminToken, podJson(`${prefix}-h2-pod-${i}`)));
    return { ...stats, cpu_ms: round(((cpuSeconds(cp.gateway.pid()) - cpu0) * 1000) / ops, 3) };
  } finally {
    session.close();
  }
}

export function printHttp2Table(rows: Http2Row[]): void {
  printTable(
    ['concurrency', 'http/1.1 creates/s', 'p99 ms', 'cpu ms/create', 'ratio to etcd', 'h2 creates/s', 'p99 ms', 'cpu ms/create', 'ratio to etcd', 'h2 gain'],
    rows.map((r) => [r.concurrency, r.http1.per_s, r.http1.p99_ms, r.http1.cpu_ms, round(r.http1.per_s / r.etcd.per_s, 3), r.http2.per_s, r.http2.p99_ms, r.http2.cpu_ms, round(r.http2.per_s / r.etcd.per_s, 3), round(r.http2.per_s / r.http1.per_s, 3)]),
  );
  process.stdout.write('http/2: the first gateway\'s creates over one multiplexed h2 connection vs HTTP/1.1 keep-alive (a socket per request in flight); ratio = creates/s / raw etcd puts/s of the same level; h2 gain = h2 / http/1.1\n');
}

export function http2Results(rows: Http2Row[]): object[] {
  return rows.map((r) => ({
    concurrency: r.concurrency, http1_per_s: r.http1.per_s, http1_p99_ms: r.http1.p99_ms, http2_per_s: r.http2.per_s, http2_p50_ms: r.http2.p50_ms, http2_p99_ms: r.http2.p99_ms,
    http2_gateway_cpu_ms_per_create: r.http2.cpu_ms, http2_ratio: round(r.http2.per_s / r.etcd.per_s, 3), http2_gain: round(r.http2.per_s / r.http1.per_s, 3),
  }));
}
