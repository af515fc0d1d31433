// The cluster autoscaler's `process` machines (services/cluster-autoscaler/src/process-provider.ts):
// kubelet processes in sessions of their own that outlive the autoscaler, each recorded in
// <root>/<node>/machine.json as { node, pid, startTime } (startTime: field 22 of /proc/<pid>/stat,
// so a pid the kernel handed to another process since is never signalled). Whoever owns the host
// stops them with the cluster: npm start's supervisor at Ctrl-C, the test harness at stop().
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface MachineRecord { node: string; pid: number; startTime: string }

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** The recorded machines under `root` whose kubelet still runs. */
export function runningMachines(root: string): MachineRecord[] {
  if (!existsSync(root)) return [];
  const out: MachineRecord[] = [];
  for (const dir of readdirSync(root)) {
    try {
      const m = JSON.parse(readFileSync(join(root, dir, 'machine.json'), 'utf8')) as MachineRecord;
      if (Number.isInteger(m.pid) && m.pid > 0 && startTime(m.pid) === m.startTime) out.push(m);
    } catch {
      // not a machine
    }
  }
  return out;
}

/**
 * Stops every running machine under `root`: SIGTERM (a kubelet stops its pods within its grace),
 * SIGKILL to those still running after `timeoutMs`. Returns the nodes stopped. The records stay:
 * the autoscaler starts those machines again when the cluster comes back.
 */
export async function stopMachines(root: string, timeoutMs = 20_000): Promise<string[]> {
  const machines = runningMachines(root);
  const signal = (m: MachineRecord, sig: NodeJS.Signals): void => {
    if (startTime(m.pid) !== m.startTime) return;
    try {
      process.kill(m.pid, sig);
    } catch {
      // gone
    }
  };
  for (const m of machines) signal(m, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  const alive = (): MachineRecord[] => machines.filter((m) => startTime(m.pid) === m.startTime);
  while (alive().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const m of alive()) signal(m, 'SIGKILL');
  while (alive().length) await new Promise((r) => setTimeout(r, 50));
  return machines.map((m) => m.node);
}
