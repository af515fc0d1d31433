import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ManagedProcess, nextBackoff, type BackoffPolicy, type ProcessEvent } from '../src/supervisor';

jest.setTimeout(30_000);
const dir = mkdtempSync(join(tmpdir(), 'keelson-sup-'));
// Every process a test makes is stopped afterwards, even when the test failed half-way:
// a forgotten restart loop would keep jest (and the machine) busy forever.
const made: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((p) => p.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny child: counts its starts in a file, prints a line, then behaves as told by argv.
const script = join(dir, 'child.js');
writeFileSync(script, `
const fs = require('fs');
const [countFile, mode, ms] = process.argv.slice(2);
const n = (fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, 'utf8')) : 0) + 1;
fs.writeFileSync(countFile, String(n));
// The handler before the line the test waits for: a SIGTERM sent on seeing 'start' must not meet
// Node's default disposition (it killed the child at once under load, and the test saw 39 ms).
if (mode === 'ignore-term') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('start ' + n);
if (mode === 'crash') process.exit(1);
if (mode === 'run-then-crash') setTimeout(() => process.exit(2), Number(ms));
if (mode === 'ignore-term') setInterval(() => {}, 1000);
if (mode === 'serve') setInterval(() => {}, 1000);
`);

function proc(mode: string, policy: BackoffPolicy, extra: string[] = [], stopTimeoutMs = 2000) {
  const countFile = join(dir, `${mode}-${Math.random()}.count`);
  const out = new PassThrough();
  let output = '';
  out.on('data', (d: Buffer) => { output += d.toString(); });
  const events: ProcessEvent[] = [];
  const p = new ManagedProcess({ name: 'fake', command: process.execPath, args: [script, countFile, mode, ...extra], backoff: policy, out, color: false, tagWidth: 8, stopTimeoutMs });
  p.on('event', (e: ProcessEvent) => events.push(e));
  made.push(p);
  const starts = (): number => {
    try { return Number(readFileSync(countFile, 'utf8')); } catch { return 0; }
  };
  return { p, events, starts, output: () => output };
}

const until = async (cond: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('nextBackoff', () => {
  const policy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

  it('doubles from 1 s up to the 30 s ceiling while the process keeps crashing', () => {
    const delays: number[] = [];
    let current = policy.initialMs;
    for (let i = 0; i < 8; i++) {
      const r = nextBackoff(current, 100, policy);
      delays.push(r.delayMs);
      current = r.next;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('resets to 1 s after a process ran healthy for 60 s', () => {
    expect(nextBackoff(30_000, 60_000, policy)).toEqual({ delayMs: 1000, next: 2000 });
    expect(nextBackoff(30_000, 59_999, policy)).toEqual({ delayMs: 30_000, next: 30_000 });
  });
});

describe('ManagedProcess', () => {
  it('restarts a crashing child with doubling delays capped at the maximum', async () => {
    const { p, events, starts } = proc('crash', { initialMs: 40, maxMs: 160, resetAfterMs: 60_000 });
    p.start();
    await until(() => starts() >= 4);
    await p.stop();
    const delays = events.filter((e) => e.type === 'restart-scheduled').map((e) => (e as { delayMs: number }).delayMs);
    expect(delays.slice(0, 3)).toEqual([40, 80, 160]);
    expect(p.restarts).toBeGreaterThanOrEqual(3);
  });

  it('resets the delay when the child ran longer than the healthy period before crashing', async () => {
    const { p, events, starts } = proc('run-then-crash', { initialMs: 30, maxMs: 1000, resetAfterMs: 150 }, ['200']);
    p.start();
    await until(() => starts() >= 3);
    await p.stop();
    const delays = events.filter((e) => e.type === 'restart-scheduled').map((e) => (e as { delayMs: number }).delayMs);
    expect(delays.slice(0, 2)).toEqual([30, 30]);
  });

  it('prefixes every output line with the padded tag', async () => {
    const { p, output } = proc('serve', { initialMs: 1000, maxMs: 1000, resetAfterMs: 1000 });
    p.start();
    await until(() => output().includes('start 1'));
    await p.stop();
    expect(output()).toContain('[fake]     start 1\n'); // padded to '[' + 8 + ']' plus a space
  });

  it('stop() is not followed by a restart, and escalates to SIGKILL when SIGTERM is ignored', async () => {
    const { p, events, output, starts } = proc('ignore-term', { initialMs: 10, maxMs: 10, resetAfterMs: 1000 }, [], 300);
    p.start();
    await until(() => output().includes('start 1'));
    const t0 = Date.now();
    await p.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const exit = events.find((e) => e.type === 'exit') as { signal: string | null } | undefined;
    expect(exit?.signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    expect(starts()).toBe(1);
    expect(p.running).toBe(false);
  });
});
