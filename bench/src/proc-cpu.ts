// CPU time of this benchmark's own process tree (the gateway, etcd, NATS and every service it
// started), read from /proc at the start and end of a phase, so a benchmark can say where the
// machine's cores went; and the machine's own busy time. Linux only; elsewhere it reports nothing.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

interface ProcInfo { ppid: number; ticks: number; name: string }

/** /proc/<pid>/stat from its third field (state) on: what follows the command name in parentheses. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime, in clock ticks. */
const ticksOf = (fields: string[]): number => Number(fields[11]) + Number(fields[12]);

/** CPU seconds (user + system) one process has used so far; NaN without a pid. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  return ticksOf(statFields(pid)) / TICKS_PER_S;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const fields = statFields(pid);
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { ppid: Number(fields[1]), ticks: ticksOf(fields), name: nameOf(cmd) };
  } catch {
    return undefined; // gone in between
  }
}

/** A short name: the service's directory for our node services, else the binary's name. */
function nameOf(cmd: string[]): string {
  for (const arg of cmd) {
    const m = /services\/([a-z0-9-]+)\//.exec(arg);
    if (m) return m[1];
  }
  const bin = (cmd[0] ?? '?').split('/').pop() ?? '?';
  return bin === 'node' ? (cmd[1] ?? 'node').split('/').slice(-2).join('/') : bin;
}

/** CPU seconds per process name, summed over this process's descendants and itself ("bench"). */
export function treeCpuSeconds(): Map<string, number> {
  const procs = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) procs.set(Number(entry), info);
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 32; hops++) {
      if (p === process.pid) return true;
      const info = procs.get(p);
      if (!info) return false;
      p = info.ppid;
    }
    return false;
  };
  const out = new Map<string, number>();
  for (const [pid, info] of procs) {
    if (!inTree(pid)) continue;
    const name = pid === process.pid ? 'bench' : info.name;
    out.set(name, (out.get(name) ?? 0) + info.ticks / TICKS_PER_S);
  }
  return out;
}

/** CPU seconds each process name used between two readings, largest first (exited ones are lost). */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after].map(([name, s]): [string, number] => [name, s - (before.get(name) ?? 0)]).filter(([, s]) => s > 0.005).sort((a, b) => b[1] - a[1]);
}

/** The machine's jiffies from /proc/stat's first line: [busy (all but idle and iowait), all]. */
export function machineJiffies(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const all = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return [all - f[3] - f[4], all];
}
