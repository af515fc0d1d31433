// Where a command run "in a container" runs: the container's main process is the reference.
// As root the kubelet joins that process's cgroups and its namespaces with `nsenter --all` (mount,
// network, PID, UTS, IPC: a pod sandbox's, or the host's when the pod has none) in its working directory, then
// drops to its user and group with `setpriv`; the command gets the container's environment (the
// process's initial environ). A kubelet that is not root runs pods as itself: the command runs
// in the process's working directory with its environment (as root where nsenter cannot join
// namespaces, e.g. a container without CAP_SYS_ADMIN, also as the container's uid and gid).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { detectHierarchy } from '../runtime/cgroups/hierarchy';
import { isHelperScript, joinCgroupsArgv } from '../runtime/sandbox/exec-helper';

export interface ContainerProcess {
  pid: number;
  cwd: string;
  env: Record<string, string>;
  uid: number;
  gid: number;
  /** The cgroup.procs files of its cgroups (cpu, cpuacct, memory, pids; or the v2 one): what a command run in it joins. */
  cgroupProcs: string[];
}

/** The pid in a `process://<pid>` container ID. */
export function pidOf(containerID: string | undefined): number | undefined {
  const m = /^process:\/\/(\d+)$/.exec(containerID ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Launchers that start the container's command as their child (the command is what we join). */
const WRAPPERS = new Set(['nsenter', 'unshare']);

/**
 * The container's own process, from the pid the runtime recorded (commandPid), with what a command
 * run in it takes from it: working directory, environment, user and cgroups.
 */
export async function containerProcess(pid: number): Promise<ContainerProcess | undefined> {
  const target = await commandPid(pid);
  if (target === undefined) return undefined;
  try {
    const [cwd, environ, status, cgroupProcs] = await Promise.all([readlink(`/proc/${target}/cwd`), readFile(`/proc/${target}/environ`), readFile(`/proc/${target}/status`, 'utf8'), cgroupProcsOf(target)]);
    const env: Record<string, string> = {};
    for (const entry of environ.toString('utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    const id = (field: string): number => Number(/^\S+:\s+(\d+)/m.exec(status.split('\n').find((l) => l.startsWith(`${field}:`)) ?? '')?.[1] ?? NaN);
    return { pid: target, cwd, env, uid: id('Uid'), gid: id('Gid'), cgroupProcs };
  } catch {
    return undefined; // exited meanwhile, or not ours to read
  }
}

/**
 * The pid of the container's command, from the pid the runtime recorded; undefined while it is
 * still starting or once it is gone. A launcher that forks into a new PID namespace
 * (`unshare --fork`, `nsenter --pid`) keeps its own namespaces: we follow it down to its only child.
 */
export async function commandPid(pid: number): Promise<number | undefined> {
  let target = pid;
  for (let depth = 0; depth < 4; depth++) {
    const comm = (await readFile(`/proc/${target}/comm`, 'utf8').catch(() => '')).trim();
    if (!comm) return undefined;
    const forks = WRAPPERS.has(comm) || (await nsLink(target, 'pid')) !== (await nsLink(target, 'pid_for_children'));
    if (!forks) break;
    const children = (await readFile(`/proc/${target}/task/${target}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
    if (children.length !== 1) break;
    target = Number(children[0]);
  }
  // Still on its way in (a wrapper has not exec'd the command yet): its namespaces, user and
  // environment are not the container's; a command run "in" it would run on the host, as root.
  return (await starting(target)) ? undefined : target;
}

/** The `$0` of the runtime's start shells (cgroup join, pod sandbox entry, bind mounts). */
const START_SHELLS = new Set(['keelson-cgroup', 'keelson-container', 'keelson-sandbox']);

let ownCmdline: string | undefined;

/**
 * Whether the process is one of the runtime's start steps rather than the container's command.
 * Decided on its command line alone, read once: a start execs from step to step in the same pid
 * (shell → setpriv → the environment step → the command), so its name and its command line read
 * apart may belong to two steps (the shell's name with setpriv's arguments looked like a container
 * command, and a probe ran as root with the kubelet's environment). Everything read about the
 * process after this is of the same step or a later one. An empty command line (an exec under way,
 * or an exited process) is not the container's yet, nor is a copy of this kubelet's own command line
 * (the runtime's first step forked and not yet exec'd).
 */
async function starting(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  if (!argv[0] || cmdline === (ownCmdline ??= readFileSync('/proc/self/cmdline', 'utf8'))) return true;
  const program = basename(argv[0]);
  return WRAPPERS.has(program) || program === 'setpriv' || (argv[1] === '-c' && START_SHELLS.has(argv[3])) || (argv[1] === '-e' && isHelperScript(argv[2]));
}

/**
 * The cgroup.procs files of the process's pod cgroups (runtime/cgroups/: under `kubepods/`), seen
 * through this kubelet's cgroup mounts; none when the container has none (cgroups off: it runs in
 * the kubelet's own, which is not ours to write) or they cannot be read.
 */
async function cgroupProcsOf(pid: number): Promise<string[]> {
  const [mountInfo, cgroups] = await Promise.all([readFile('/proc/self/mountinfo', 'utf8').catch(() => ''), readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')]);
  const h = detectHierarchy(mountInfo, cgroups);
  const dirs = h.version === 1 ? Object.values(h.base) : h.version === 2 ? [h.base] : [];
  return [...new Set(dirs)].filter((d) => d.includes('/kubepods/')).map((d) => join(d, 'cgroup.procs'));
}

async function nsLink(pid: number, ns: string): Promise<string> {
  return readlink(`/proc/${pid}/ns/${ns}`).catch(() => '');
}

export interface Launch {
  argv: string[];
  cwd?: string;
  env: Record<string, string>;
  /** Run as (spawn's uid/gid) when the command is not started through nsenter/setpriv. */
  uid?: number;
  gid?: number;
}

let entering: Promise<boolean> | undefined;

/**
 * Whether this kubelet can join other processes' namespaces: root, and `nsenter --all` works here
 * (a container without CAP_SYS_ADMIN, or a host without util-linux, cannot). Tried once, for real.
 */
export function canEnterNamespaces(): Promise<boolean> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return Promise.resolve(false);
  entering ??= new Promise((done) => execFile('nsenter', [`--target=${process.pid}`, '--all', '--', 'setpriv', '--reuid=0', '--regid=0', '--clear-groups', '--', 'true'], { timeout: 30_000 }, (err) => done(!err)));
  return entering;
}

/**
 * How to start `command` in the container (see the header). `wrapper` (the TTY helper) runs
 * inside the container's namespaces before the drop to its user, so the pseudo-terminal it makes
 * belongs to the pod's own /dev/pts. Without `enter` (canEnterNamespaces false) the command runs
 * in the container's working directory as its user, in the kubelet's namespaces.
 */
export function launchIn(target: ContainerProcess, command: string[], wrapper: string[] = [], enter = false): Launch {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!enter) return { argv: [...wrapper, ...command], cwd: target.cwd, env: target.env, ...(root ? { uid: target.uid, gid: target.gid } : {}) };
  const drop = ['setpriv', `--reuid=${target.uid}`, `--regid=${target.gid}`, '--clear-groups', '--'];
  // --wd without a value: the target's working directory, resolved inside its mount namespace.
  // Its cgroups first (the command is accounted and limited as the container is), then its namespaces.
  return { argv: joinCgroupsArgv(target.cgroupProcs, ['nsenter', `--target=${target.pid}`, '--all', '--wd', '--', ...wrapper, ...drop, ...command]), env: target.env };
}

/**
 * How to run `command` in the container whose ID is `containerID` (`process://<pid>`), as
 * `kubectl exec` and exec probes do (launchIn); undefined when it is not running.
 */
export async function launchInContainer(containerID: string | undefined, command: string[], wrapper: string[] = []): Promise<Launch | undefined> {
  const pid = pidOf(containerID);
  const target = pid === undefined ? undefined : await containerProcess(pid);
  return target && launchIn(target, command, wrapper, await canEnterNamespaces());
}
