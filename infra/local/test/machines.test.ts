// npm start's stop of the autoscaler's `process` machines: only processes whose recorded start
// time still matches are signalled (a pid the kernel handed out again is left alone).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningMachines, stopMachines } from '../src/machines';

const root = mkdtempSync(join(tmpdir(), 'keelson-machines-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const startTime = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};
const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
function machine(node: string, pid: number, start: string): void {
  mkdirSync(join(root, node), { recursive: true });
  writeFileSync(join(root, node, 'machine.json'), JSON.stringify({ node, pid, startTime: start }));
}

test('running machines are stopped (SIGTERM, then SIGKILL past the timeout); a record whose pid now names another process is left alone', async () => {
  const polite = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  // Ignores SIGTERM: only the SIGKILL after the timeout ends it.
  const stubborn = spawn('/bin/sh', ['-c', 'trap "" TERM; while :; do sleep 0.1; done'], { detached: true, stdio: 'ignore' });
  const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    machine('pool-a', polite.pid!, startTime(polite.pid!));
    machine('pool-b', stubborn.pid!, startTime(stubborn.pid!));
    machine('pool-c', bystander.pid!, String(Number(startTime(bystander.pid!)) + 1)); // the recorded process is gone; its pid reused
    mkdirSync(join(root, 'not-a-machine'));
    expect(runningMachines(root).map((m) => m.node).sort()).toEqual(['pool-a', 'pool-b']);

    const t0 = Date.now();
    expect((await stopMachines(root, 1500)).sort()).toEqual(['pool-a', 'pool-b']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(alive(polite.pid!)).toBe(false);
    expect(alive(stubborn.pid!)).toBe(false);
    expect(alive(bystander.pid!)).toBe(true);
    expect(runningMachines(root)).toEqual([]);
    expect(await stopMachines(join(root, 'absent'))).toEqual([]);
  } finally {
    for (const c of [polite, stubborn, bystander]) c.kill('SIGKILL');
  }
});
