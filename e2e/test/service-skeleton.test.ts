// Every service starts through the same skeleton (runService/runManager in
// libs/controller-runtime): run each built main exactly as `npm start` does, with bad settings,
// and it must refuse to start with one JSON line on stderr naming every bad variable, exit 1,
// before connecting anywhere (no etcd, NATS or gateway is running here).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../..');

// One variable of the service's own and, for controllers, one of the Manager's.
const CASES: Record<string, Record<string, string>> = {
  'api-gateway': { KEELSON_API_PORT: 'https', KEELSON_WATCH_CACHE_CAPACITY: '0' },
  'deployment-controller': { KEELSON_DEPLOYMENT_WORKERS: 'five', KEELSON_HEALTH_PORT: '99999' },
  'replicaset-controller': { KEELSON_RS_BURST_REPLICAS: '0', KEELSON_LEADER_ELECT: 'perhaps' },
  'scheduler': { KEELSON_SCHEDULER_BIND_CONCURRENCY: '1.5', KEELSON_RESYNC_PERIOD_MS: '-1' },
  'garbage-collector': { KEELSON_GC_WORKERS: 'many', KEELSON_RETRY_PERIOD_MS: 'x' },
  'namespace-controller': { KEELSON_CONCURRENT_NAMESPACE_SYNCS: '0', KEELSON_HEALTH_PORT: 'eighty' },
  'node-lifecycle-controller': { KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS: 'forty', KEELSON_LEASE_DURATION_MS: '1000', KEELSON_RENEW_DEADLINE_MS: '2000' },
  'kubelet': { KEELSON_KUBELET_RUNTIME: 'docker', KEELSON_NODE_TAINTS: 'gpu=yes', KEELSON_SHUTDOWN_TIMEOUT_MS: '0' },
};

function run(main: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // Nothing to connect to: a service that got past its configuration would fail otherwise.
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      env: { PATH: process.env.PATH ?? '', KEELSON_API_URL: 'https://127.0.0.1:1', KEELSON_NATS_URL: 'nats://127.0.0.1:1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test.concurrent.each(Object.entries(CASES))('%s refuses bad settings with one JSON line naming each of them', async (service, env) => {
  const main = join(ROOT, 'services', service, 'dist/main.js');
  expect(existsSync(main)).toBe(true);
  const r = await run(main, env);
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const fatal = JSON.parse(lines[0]) as { level: string; service: string; msg: string; problems: { variable: string; expected: string; value?: string }[] };
  expect(fatal).toMatchObject({ level: 'fatal', service, msg: 'invalid configuration' });
  expect(fatal.problems.map((p) => p.variable).sort()).toEqual(expect.arrayContaining(Object.keys(env).filter((k) => k !== 'KEELSON_LEASE_DURATION_MS').sort()));
  for (const p of fatal.problems) expect(p.expected).toMatch(/\S/);
  expect(r.stdout).not.toMatch(/connect|ECONNREFUSED/i);
});
