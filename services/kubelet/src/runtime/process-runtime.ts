// The `process` runtime: each container is a real OS process (command + args) in its own
// process group, started detached so a kubelet restart neither kills nor loses it.
//   <root>/pods/<uid>/root/                  default working directory
//   <root>/pods/<uid>/logs/<name>/<n>.log    stdout+stderr of attempt n (kube: /var/log/pods)
//   <root>/pods/<uid>/containers/<name>.json pid, its /proc start time, restart count, last exit
//   <root>/pods/<uid>/volumes/                projected volumes (volumes/projected-token.ts)
import { spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Logger } from '@keelson/telemetry';
import { allContainers, type Container, type Pod } from '../types';
import { containerEnv, expandRefs, type PodIPs } from './container-env';
import { ownForPod, podIdentity, type PodIdentity } from './pod-identity';
import type { ContainerSandbox, SandboxedStart } from '../volumes/pod-sandbox';
import { PodSandboxError, procStartTime } from './sandbox/pod-sandboxes';
import { envFromFdArgv, sendEnv, WRAPPER_ENV } from './sandbox/exec-helper';
import { ContainerConfigError } from './sandbox/security-context';
import type { PodNetworks } from './network/pod-network';
import type { PodCgroups } from './cgroups/pod-cgroups';
import { containerStdinFor } from '../streaming/container-stdin';
import { commandPid } from '../streaming/container-process';
import { ImagePullError, StartContainerError, type ContainerHandle, type ExitInfo, type PersistedContainerState, type RecoveredContainer, type Runtime } from './runtime';

interface PidRecord extends PersistedContainerState {
  pid?: number;
  procStart?: string;
}

const HOST_IP = '127.0.0.1';

/**
 * What a container runs: `command` then `args`. The image is a label with no ENTRYPOINT or CMD, so
 * as a container runtime does for such an image, `args` alone are the whole command line
 * (`kubectl run x --image=python -- python3 -c …` sets only args).
 */
const containerArgv = (container: Container): string[] => [...(container.command ?? []), ...(container.args ?? [])];

export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  readonly probes = true;
  /** Each pod's network namespace (runtime/network/), attached by node-host; absent: the host network. */
  network?: PodNetworks;
  /** Pod and container cgroups (runtime/cgroups/), attached by node-host; absent: no limits enforced. */
  cgroups?: PodCgroups;

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly identity: PodIdentity | undefined = podIdentity(),
    /** Volumes, mounts and API variables of each container (volumes/pod-sandbox.ts). */
    private readonly sandbox?: ContainerSandbox,
  ) {}

  podIP(): string {
    return HOST_IP; // without a pod network every process shares the host network
  }

  async setUpPodNetwork(pod: Pod): Promise<{ podIP: string; hostIP: string }> {
    return this.network ? this.network.setUp(pod) : { podIP: HOST_IP, hostIP: HOST_IP };
  }

  async pullImage(pod: Pod, container: Container): Promise<void> {
    const cmd = containerArgv(container);
    if (!cmd.length) {
      throw new ImagePullError(`the process runtime runs "command" and "args" (image ${JSON.stringify(container.image ?? '')} is only a label, with no entrypoint); container ${container.name} has neither`);
    }
    const exe = await resolveExecutable(cmd[0], this.workingDir(pod, container), containerEnv(pod, container, { podIP: HOST_IP, hostIP: HOST_IP }).PATH ?? '');
    if (!exe) throw new ImagePullError(`executable ${JSON.stringify(cmd[0])} not found or not executable`);
  }

  async startContainer(pod: Pod, container: Container, restartCount: number, ips: PodIPs): Promise<ContainerHandle> {
    const podIP = ips.podIP;
    const uid = pod.metadata.uid!;
    const cwd = this.workingDir(pod, container);
    const env = await configured(async () => containerEnv(pod, container, ips, await this.sandbox?.envSources?.(pod, container)));
    const argv = containerArgv(container).map((a) => expandRefs(a, env));
    // As root the container's environment goes on a descriptor to the last step before its command,
    // past the wrappers (runtime/sandbox/exec-helper.ts): shells would drop `my.setting=1`.
    const handOff = this.identity ? envFromFdArgv(argv) : undefined;
    try {
      await mkdir(cwd, { recursive: true });
      const podRoot = join(this.podDir(uid), 'root');
      await mkdir(podRoot, { recursive: true });
      await ownForPod(podRoot, this.identity);
      await mkdir(join(this.podDir(uid), 'logs', container.name), { recursive: true });
    } catch (err) {
      throw new StartContainerError('CreateContainerError', `working directory ${cwd}: ${(err as Error).message}`);
    }
    let start: SandboxedStart = { argv, env: {}, asRoot: false };
    try {
      if (handOff) start = { ...start, argv: handOff };
      if (this.sandbox) start = await this.sandbox.prepare(pod, container, start.argv, podIP, cwd, this.network?.clusterDns());
    } catch (err) {
      if (err instanceof ContainerConfigError) throw new StartContainerError('CreateContainerConfigError', err.message);
      if (err instanceof PodSandboxError) throw err; // not the container's failure: the pod's sync is retried
      throw new StartContainerError('CreateContainerError', `volumes: ${(err as Error).message}`);
    }
    // `stdin: true`: a named pipe attach sessions write to (streaming/container-stdin.ts).
    const stdin = await containerStdinFor(this.podDir(uid), container);
    const logFile = await open(this.logPath(uid, container.name, restartCount), 'a');
    // Only the pod's own environment (containerEnv), never the kubelet's (its tokens), and as
    // the pod identity; the log file is opened here, by the kubelet, and handed over as stdio.
    // A sandboxed pod's containers join its network namespace (nsenter, as root), then drop to the pod identity.
    const netns = this.network?.netnsPath(uid);
    if (netns && !start.asRoot) start = { ...start, asRoot: true, argv: this.identity ? ['setpriv', `--reuid=${this.identity.uid}`, `--regid=${this.identity.gid}`, '--clear-groups', '--', ...start.argv] : start.argv };
    if (netns) start = { ...start, argv: this.network!.joinArgv(uid, start.argv) };
    // Outermost: the process joins its cgroups before anything else runs (runtime/cgroups/).
    if (this.cgroups) start = await this.cgroups.wrapStart(pod, container, start).catch(async (err: unknown) => {
      await logFile.close();
      throw new StartContainerError('CreateContainerError', `cgroups: ${(err as Error).message}`);
    });
    const environment = { ...start.env, ...env };
    const child = spawn(start.argv[0], start.argv.slice(1), {
      cwd,
      env: handOff ? { ...WRAPPER_ENV } : environment,
      detached: true,
      stdio: [stdin?.fd ?? 'ignore', logFile.fd, logFile.fd, ...(handOff ? (['pipe'] as const) : [])],
      ...(start.asRoot ? {} : start.identity ?? this.identity),
    });
    if (handOff) sendEnv(child, environment);
    // Listen at once: a short-lived command can exit before the next await returns.
    const exited = new Promise<ExitInfo>((done) => child.once('exit', (code, signal) => done(exitInfo(code, signal))));
    try {
      await new Promise<void>((ok, fail) => {
        child.once('spawn', ok);
        child.once('error', fail);
      });
    } catch (err) {
      throw new StartContainerError('RunContainerError', `failed to start ${argv[0]}: ${(err as Error).message}`);
    } finally {
      await logFile.close();
      await stdin?.close();
    }
    child.unref();
    const pid = child.pid!;
    const startedAt = new Date().toISOString();
    const prev = (await this.loadState(pod, container.name)) ?? { restartCount };
    await this.writeRecord(uid, container.name, { ...prev, restartCount, pid, procStart: await procStartTime(pid), startedAt });
    this.log.info('container started', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: container.name, pid, restartCount });
    return handleFor(pid, startedAt, this.classified(uid, container.name, exited));
  }

  async recover(pod: Pod): Promise<RecoveredContainer[]> {
    const uid = pod.metadata.uid!;
    const out: RecoveredContainer[] = [];
    for (const c of allContainers(pod)) {
      const rec = await this.readRecord(uid, c.name);
      if (!rec?.pid || !rec.procStart || (await procStartTime(rec.pid)) !== rec.procStart) continue;
      const pid = rec.pid;
      const startTime = rec.procStart;
      // Not our child: no exit status; poll until the pid is gone (or reused).
      const exited = new Promise<ExitInfo>((done) => {
        const timer = setInterval(() => {
          void procStartTime(pid).then((t) => {
            if (t === startTime) return;
            clearInterval(timer);
            done({ exitCode: 137, reason: 'ContainerStatusUnknown', message: 'the process exited while not a child of this kubelet; its exit code is unknown', finishedAt: new Date().toISOString() });
          });
        }, 1000);
      });
      out.push({ name: c.name, restartCount: rec.restartCount, handle: handleFor(pid, rec.startedAt ?? new Date().toISOString(), this.classified(uid, c.name, exited)) });
    }
    // Adopted containers keep reading their volumes: renew their tokens from now on.
    if (out.length && this.sandbox) await this.sandbox.resume(pod).catch((err: unknown) => this.log.warn('resuming pod volumes failed', { uid, err: String(err) }));
    return out;
  }

  async knownPodUids(): Promise<string[]> {
    // A pod network can outlive its pod directory (a crash between the two removals).
    const nets = (await this.network?.listPodNetworks())?.map((r) => r.uid) ?? [];
    try {
      return [...new Set([...(await readdir(join(this.root, 'pods'))), ...nets])];
    } catch {
      return nets;
    }
  }

  async removePod(uid: string, graceMs: number): Promise<void> {
    await Promise.all((await this.recordedProcesses(uid)).map(async (p) => {
      this.log.info('stopping an orphaned container process', { uid, pid: p.pid });
      await handleFor(p.pid, '', new Promise<ExitInfo>(() => undefined), p.procStart).stop(graceMs);
    }));
    await this.sandbox?.release(uid);
    // Whatever escaped the process group (a daemonised child) still runs in the pod's cgroups.
    await this.cgroups?.removePod(uid);
    await this.network?.removePodNetwork(uid);
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** A graceful kubelet stop, after its containers were stopped: each pod's sandbox goes too (its state stays for the next kubelet). */
  async shutdown(): Promise<void> {
    const uids = await this.knownPodUids();
    const recorded = (await Promise.all(uids.map((uid) => this.recordedProcesses(uid, true)))).flat();
    for (const uid of uids) await Promise.resolve(this.sandbox?.release(uid)).catch((err: unknown) => this.log.warn('stopping a pod sandbox failed', { uid, err: String(err) }));
    // An adopted container's process is not this kubelet's child: once it has exited it stays
    // listed (a zombie) until init reaps it, which some inits do only every few seconds. The
    // stop returns once they are gone, so a stopped node has nothing of its pods left to list.
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      const left = (await Promise.all(recorded.map(async (r) => (await procStartTime(r.pid, true)) === r.procStart))).filter(Boolean).length;
      if (!left) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log.warn('container processes still listed after the kubelet stopped them', { pids: recorded.map((r) => r.pid) });
  }

  /** The container processes a pod's records name that still run (or, with `zombies`, are still listed). */
  private async recordedProcesses(uid: string, zombies = false): Promise<Array<{ pid: number; procStart: string }>> {
    const dir = join(this.podDir(uid), 'containers');
    const names = existsSync(dir) ? (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')) : [];
    const out: Array<{ pid: number; procStart: string }> = [];
    for (const f of names) {
      const rec = await this.readRecord(uid, f.slice(0, -5));
      if (rec?.pid && rec.procStart && (await procStartTime(rec.pid, zombies)) === rec.procStart) out.push({ pid: rec.pid, procStart: rec.procStart });
    }
    return out;
  }

  async saveState(pod: Pod, name: string, state: PersistedContainerState): Promise<void> {
    const prev = (await this.readRecord(pod.metadata.uid!, name)) ?? { restartCount: 0 };
    await this.writeRecord(pod.metadata.uid!, name, { ...prev, ...state });
  }

  async loadState(pod: Pod, name: string): Promise<PersistedContainerState | undefined> {
    const rec = await this.readRecord(pod.metadata.uid!, name);
    return rec && { restartCount: rec.restartCount, startedAt: rec.startedAt, lastTerminated: rec.lastTerminated };
  }

  logPath(uid: string, container: string, restartCount: number): string {
    return join(this.podDir(uid), 'logs', container, `${restartCount}.log`);
  }

  /** An exit the kernel's OOM killer caused becomes OOMKilled (runtime/cgroups/). */
  private classified(uid: string, name: string, exited: Promise<ExitInfo>): Promise<ExitInfo> {
    const cg = this.cgroups;
    return cg ? exited.then((e) => cg.classifyExit(uid, name, e)) : exited;
  }

  private podDir(uid: string): string {
    return join(this.root, 'pods', uid);
  }

  /** `workingDir` if absolute; a relative one (or none) lives in the pod's own directory. */
  private workingDir(pod: Pod, c: Container): string {
    const base = join(this.podDir(pod.metadata.uid!), 'root');
    return c.workingDir ? (isAbsolute(c.workingDir) ? c.workingDir : resolve(base, c.workingDir)) : base;
  }

  private async readRecord(uid: string, name: string): Promise<PidRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.podDir(uid), 'containers', `${name}.json`), 'utf8')) as PidRecord;
    } catch {
      return undefined;
    }
  }

  private async writeRecord(uid: string, name: string, rec: PidRecord): Promise<void> {
    const dir = join(this.podDir(uid), 'containers');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${name}.json`), JSON.stringify(rec));
  }
}

/** kube's CreateContainerConfigError: env from a missing ConfigMap/Secret key, a refused securityContext. */
async function configured<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ContainerConfigError) throw new StartContainerError('CreateContainerConfigError', err.message);
    throw err;
  }
}

function exitInfo(code: number | null, signal: NodeJS.Signals | null): ExitInfo {
  const exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  return { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() };
}

/** Signals go to the whole process group (the container), as a runtime's cgroup kill would. */
function handleFor(pid: number, startedAt: string, exited: Promise<ExitInfo>, procStart?: string): ContainerHandle {
  let done = false;
  const ended = exited.then((e) => {
    done = true;
    return e;
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  };
  return {
    containerID: `process://${pid}`,
    startedAt,
    exited: ended,
    async stop(graceMs: number): Promise<ExitInfo> {
      if (done) return ended;
      // SIGTERM goes to the container's own process, as kube's runtime sends it: the start steps
      // before it (nsenter, waiting for it) would die of it themselves, and a command that ignores
      // SIGTERM would run on, unseen, while its restart ran next to it. Still starting: the group.
      const command = await commandPid(pid);
      if (command !== undefined && command !== pid) {
        try { process.kill(command, 'SIGTERM'); } catch { /* already gone */ }
      } else signal('SIGTERM');
      const deadline = Date.now() + graceMs;
      let gone = false;
      // A process we did not spawn never resolves `exited`: poll its pid instead.
      while (!done && Date.now() < deadline) {
        if (procStart && (await procStartTime(pid)) !== procStart) {
          gone = true;
          break;
        }
        await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
      }
      if (!done && !gone) signal('SIGKILL');
      // Nothing of a stopped container outlives it: what is left in its process group (children of
      // the command) goes too, as a container's processes go with it. The group only, never a pid
      // that may since belong to someone else.
      try { process.kill(-pid, 'SIGKILL'); } catch { /* empty */ }
      if (procStart) return { exitCode: gone ? 143 : 137, reason: 'Error', finishedAt: new Date().toISOString() };
      return ended;
    },
  };
}

async function resolveExecutable(cmd: string, cwd: string, path: string): Promise<string | undefined> {
  const candidates = cmd.includes('/') ? [resolve(cwd, cmd)] : path.split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  return undefined;
}
