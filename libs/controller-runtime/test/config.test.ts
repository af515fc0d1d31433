// Configuration from the environment: typed reads, every bad variable named at once, and the
// one-line JSON a service prints when it cannot start.
import { ConfigError, EnvReader, fatalLine, managerConfig, readConfig, runManager, runService } from '@keelson/controller-runtime';

test('typed reads return defaults when unset and parse what is set', () => {
  const cfg = readConfig((r) => ({
    workers: r.integer('W', 5, { min: 1 }),
    ratio: r.number('R', 0.5, { max: 1 }),
    name: r.string('N', 'dflt'),
    token: r.optional('T'),
    on: r.boolean('B', false),
    mode: r.oneOf('M', ['a', 'b'] as const, 'a'),
    list: r.list('L', ['x']),
  }), { W: '7', R: '0.25', B: 'yes', M: 'b', L: ' p, ,q ', T: '' });
  expect(cfg).toEqual({ workers: 7, ratio: 0.25, name: 'dflt', token: undefined, on: true, mode: 'b', list: ['p', 'q'] });
});

test('every bad variable is reported at once, with what it must be', () => {
  let err: unknown;
  try {
    readConfig((r) => ({
      a: r.integer('A', 1, { min: 1 }),
      b: r.number('B', 1),
      c: r.boolean('C', true),
      d: r.oneOf('D', ['process', 'simulated'], 'process'),
      e: r.integer('E', 1, { max: 10 }),
      f: r.parsed('F', 0, 'a hex number', (v) => { if (!/^[0-9a-f]+$/.test(v)) throw new Error('not hex'); return parseInt(v, 16); }),
      ok: r.integer('OK', 1),
    }), { A: '0', B: 'abc', C: 'maybe', D: 'docker', E: '11', F: 'zz', OK: '3' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([
    { variable: 'A', expected: 'an integer >= 1', value: '0' },
    { variable: 'B', expected: 'a number >= 0', value: 'abc' },
    { variable: 'C', expected: 'true or false', value: 'maybe' },
    { variable: 'D', expected: 'one of process, simulated', value: 'docker' },
    { variable: 'E', expected: 'an integer between 0 and 10', value: '11' },
    { variable: 'F', expected: 'a hex number (not hex)', value: 'zz' },
  ]);
  expect((err as ConfigError).message).toContain('A must be an integer >= 1, got "0"; B must be a number >= 0, got "abc"');
});

test('a fractional value is not an integer', () => {
  expect(() => readConfig((r) => r.integer('N', 1), { N: '1.5' })).toThrow('N must be an integer >= 0, got "1.5"');
});

test("the Manager's settings: defaults, and lease timings that would let two replicas lead are refused", () => {
  const r = new EnvReader({ POD_NAME: 'pod-a' });
  expect(managerConfig(r, 'scheduler')).toMatchObject({
    service: 'scheduler', natsServers: ['nats://127.0.0.1:4222'], healthPort: 8081, leaderElection: true,
    leaseNamespace: 'kube-system', leaseName: 'scheduler', identity: 'pod-a', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000,
  });
  expect(r.problems).toEqual([]);
  expect(() => readConfig((x) => managerConfig(x, 's'), { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '3000', KEELSON_HEALTH_PORT: '70000', KEELSON_LEADER_ELECT: 'nope' }))
    .toThrow(/KEELSON_HEALTH_PORT must be an integer between 0 and 65535.*KEELSON_LEADER_ELECT must be true or false.*KEELSON_RENEW_DEADLINE_MS must be less than KEELSON_LEASE_DURATION_MS \(3000\)/);
});

test('fatalLine: one JSON line; invalid configuration lists the problems, other errors carry message and stack', () => {
  const cfgLine = fatalLine('scheduler', new ConfigError([{ variable: 'X', expected: 'a number >= 0', value: 'y' }]));
  expect(cfgLine).not.toContain('\n');
  expect(JSON.parse(cfgLine)).toMatchObject({ level: 'fatal', service: 'scheduler', msg: 'invalid configuration', problems: [{ variable: 'X', expected: 'a number >= 0', value: 'y' }] });
  const errLine = fatalLine('kubelet', new Error('boom'));
  expect(errLine).not.toContain('\n');
  expect(JSON.parse(errLine)).toMatchObject({ level: 'fatal', service: 'kubelet', msg: 'fatal error', err: { name: 'Error', message: 'boom' } });
  expect(JSON.parse(errLine).err.stack).toContain('boom');
});

describe('runService / runManager', () => {
  const run = async (start: (opts: { writeFatal: (l: string) => void; exit: (c: number) => void; handleProcessEvents: false; env: NodeJS.ProcessEnv }) => Promise<unknown>, env: NodeJS.ProcessEnv) => {
    const lines: string[] = [];
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await start({ writeFatal: (l) => lines.push(l), exit: (c) => resolveExit(c), handleProcessEvents: false, env });
    return { code: await exited, lines };
  };

  test("a controller's own and the Manager's bad variables are one start-up error, before any connection", async () => {
    let setupRan = false;
    const { code, lines } = await run((opts) => runManager('demo', (r) => ({ workers: r.integer('DEMO_WORKERS', 1, { min: 1 }) }), () => { setupRan = true; }, opts),
      { DEMO_WORKERS: 'many', KEELSON_HEALTH_PORT: '-1', KEELSON_SHUTDOWN_TIMEOUT_MS: '0' });
    expect(code).toBe(1);
    expect(setupRan).toBe(false);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).problems.map((p: { variable: string }) => p.variable)).toEqual(['KEELSON_SHUTDOWN_TIMEOUT_MS', 'DEMO_WORKERS', 'KEELSON_HEALTH_PORT']);
  });

  test('an error thrown while starting is the same fatal line', async () => {
    const { code, lines } = await run((opts) => runService('demo', () => { throw new Error('cannot bind'); }, opts), {});
    expect(code).toBe(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'demo', msg: 'fatal error', err: { message: 'cannot bind' } });
  });

  test('shutdown runs the hooks newest first', async () => {
    const order: string[] = [];
    const svc = await runService('demo', (s) => {
      s.onShutdown(() => order.push('first registered'));
      s.onShutdown(async () => order.push('last registered'));
    }, { handleProcessEvents: false, env: {}, exit: () => { throw new Error('must not exit'); } });
    await svc!.shutdown();
    expect(order).toEqual(['last registered', 'first registered']);
  });
});
