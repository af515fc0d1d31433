// `npm run bench -- api`: pod creates through the API gateway against raw etcd puts of
// the same JSON, at concurrency 1, 16 and 64, measured side by side in one run.
import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { startControlPlane } from '@keelson/testing';
import { measure, printTable, round, writeResult, type RunStats } from './stats';

const CONCURRENCY = [1, 16, 64];
const OPS = Number(process.env.KEELSON_BENCH_OPS ?? 2000);

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

export async function runApiBench(): Promise<void> {
  const cp = await startControlPlane();
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const rows: { concurrency: number; api: RunStats; etcd: RunStats; ratio: number }[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      const raw = await measure(OPS, concurrency, async (i) => {
        await etcd.put(`/bench/raw/c${concurrency}/pod-${i}`).value(podJson(`pod-${i}`));
      });
      const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
      const api = await measure(OPS, concurrency, (i) => post(agent, `${cp.url}/api/v1/namespaces/default/pods`, cp.creds.adminToken, cp.creds.caPem, podJson(`c${concurrency}-pod-${i}`)));
      agent.destroy();
      rows.push({ concurrency, api, etcd: raw, ratio: round(api.per_s / raw.per_s, 3) });
    }
  } finally {
    etcd.close();
    await cp.stop();
  }
  printTable(
    ['concurrency', 'api creates/s', 'api p50 ms', 'api p99 ms', 'etcd puts/s', 'etcd p50 ms', 'etcd p99 ms', 'ratio'],
    rows.map((r) => [r.concurrency, r.api.per_s, r.api.p50_ms, r.api.p99_ms, r.etcd.per_s, r.etcd.p50_ms, r.etcd.p99_ms, r.ratio]),
  );
  const file = writeResult('api', { benchmark: 'api', ops_per_run: OPS, goal_ratio: 0.5, runs: rows.map((r) => ({ concurrency: r.concurrency, api_per_s: r.api.per_s, api_p50_ms: r.api.p50_ms, api_p99_ms: r.api.p99_ms, etcd_per_s: r.etcd.per_s, etcd_p50_ms: r.etcd.p50_ms, etcd_p99_ms: r.etcd.p99_ms, ratio: r.ratio })) });
  process.stdout.write(`wrote ${file}\n`);
}
