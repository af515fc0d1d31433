// An operator run as a service: the Operator's health server (/healthz, /readyz, /metrics),
// its runnables (started after the caches, stopped first), Event recorder queues, and
// runOperator's settings (a bad variable is one fatal line; good ones reach the operator).
import { request } from 'node:http';
import { Operator, runOperator, type ConfigReader } from '../src';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

// No informers: nothing talks to this (unreachable) API.
const config = { url: 'http://127.0.0.1:9', token: 't' };

test('health endpoints, runnables in order, one recorder per queue', async () => {
  const op = new Operator({ name: 'health-test', config, health: { port: 0, host: '127.0.0.1' } });
  const order: string[] = [];
  op.add({ start: () => void order.push(`start a (leader: ${op.isLeader()})`), stop: () => void order.push('stop a') });
  op.add({ start: () => void order.push('start b'), stop: () => void order.push('stop b') });
  expect(op.healthPort).toBe(0);
  await op.start();
  const port = op.healthPort;
  expect(port).toBeGreaterThan(0);
  expect(await get(port, '/healthz')).toEqual({ status: 200, body: 'ok' });
  expect(await get(port, '/readyz')).toEqual({ status: 200, body: 'ok: leading' }); // no leader election: it leads
  const metrics = await get(port, '/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.body).toContain('process_cpu_user_seconds_total');
  expect(metrics.body).toContain('workqueue_depth');
  expect((await get(port, '/nope')).status).toBe(404);
  expect(order).toEqual(['start a (leader: true)', 'start b']);

  expect(op.recorder()).toBe(op.recorder('health-test'));
  expect(op.recorder('health-test', 'pods')).not.toBe(op.recorder());

  await op.stop();
  expect(order).toEqual(['start a (leader: true)', 'start b', 'stop b', 'stop a']);
  await expect(get(port, '/healthz')).rejects.toThrow(); // closed
});

interface Settings { intervalMs: number }
const settings: ConfigReader<Settings> = (env) => ({ intervalMs: env.integer('MY_INTERVAL_MS', 10_000, { min: 50 }) });

test('runOperator: every bad setting, its own and the service\'s, in one fatal line', async () => {
  const lines: string[] = [];
  const exits: number[] = [];
  let setupRan = false;
  await runOperator('bad-operator', settings, () => void (setupRan = true), {
    env: { MY_INTERVAL_MS: '5', KEELSON_HEALTH_PORT: 'x', KEELSON_API_URL: config.url, KEELSON_TOKEN: 't' },
    handleProcessEvents: false, writeFatal: (l) => lines.push(l), exit: (c) => exits.push(c),
  });
  await new Promise((r) => setTimeout(r, 50));
  expect(setupRan).toBe(false);
  expect(lines).toHaveLength(1);
  const fatal = JSON.parse(lines[0]) as { msg: string; problems: Array<{ variable: string }> };
  expect(fatal.msg).toBe('invalid configuration');
  expect(fatal.problems.map((p) => p.variable).sort()).toEqual(['KEELSON_HEALTH_PORT', 'MY_INTERVAL_MS']);
});

test('runOperator: settings, health and leader election settings reach the operator; shutdown stops it', async () => {
  let seen: { config?: Settings; op?: Operator; started?: boolean } = {};
  const running = await runOperator('good-operator', settings, (op, c) => {
    seen = { config: c, op };
    op.add({ start: () => void (seen.started = true) });
  }, {
    env: { MY_INTERVAL_MS: '250', KEELSON_HEALTH_PORT: '0', KEELSON_HEALTH_HOST: '127.0.0.1', KEELSON_LEADER_ELECT: 'false', KEELSON_API_URL: config.url, KEELSON_TOKEN: 't' },
    handleProcessEvents: false, writeFatal: (l) => { throw new Error(l); }, exit: () => undefined,
  });
  expect(running).toBeDefined();
  expect(seen.config).toEqual({ intervalMs: 250 });
  expect(seen.started).toBe(true);
  expect(seen.op!.client.config.url).toBe(config.url);
  expect(await get(seen.op!.healthPort, '/readyz')).toEqual({ status: 200, body: 'ok: leading' });
  await running!.shutdown();
  expect(seen.op!.isReady()).toBe(false);
});
