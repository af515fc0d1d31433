// One sandbox per pod, like kube's pause container: a long-lived holder process (scripts.ts
// HOLDER) owning the pod's PID, UTS, IPC and mount namespaces — hostname set, the control
// plane's files out of sight — that every container of the pod joins with nsenter. The holder
// is detached from the kubelet (a kubelet restart adopts it through <pod>/sandbox/holder.json);
// killing it ends every process of the pod at once (the kernel kills a PID namespace with its
// init).
//   <root>/pods/<uid>/sandbox/rootfs   mount point of the pod's root (a tmpfs, in its namespace only)
//   <root>/pods/<uid>/sandbox/etc/     hosts, hostname, resolv.conf bound into the pod's /etc
//   <root>/pods/<uid>/sandbox/holder.json, holder.log
//
// The network namespace is not made here: the pod network (runtime/network/) puts each container
// process into the pod's network namespace around this (outside the nsenter), so containers of a
// pod share it too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, open, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { Pod } from '../../types';
import { planVolume } from '../../volumes/volume-kinds';
import { hostsFile, podHostname } from './hostname';
import { podResolvConf, type ClusterDns } from './resolv-conf';
import { ENTER, HOLDER, READY_LINE, SYSTEM_DIRS } from './scripts';

/** How a container enters its pod's sandbox. */
export interface EnterSpec {
  workingDir: string;
  uid: number;
  gid: number;
  /** Supplementary groups (none: cleared). */
  groups: number[];
  /** The pod's volume staging directory (volumesDir), hidden again once the mounts are made. */
  staging: string;
  mounts: { source: string; target: string; readOnly: boolean }[];
}

interface HolderRecord {
  pid: number;
  procStart: string;
}

const READY_TIMEOUT_MS = 60_000; // a loaded node is slow to spawn the holder's few dozen commands, not unable to

/**
 * The pod's sandbox could not be made (kube's FailedCreatePodSandBox): not a container failure —
 * the pod worker's sync fails and is retried, the container stays ContainerCreating.
 */
export class PodSandboxError extends Error {
  override readonly name = 'PodSandboxError';
}

export class PodSandboxes {
  private readonly holders = new Map<string, HolderRecord>();
  /**
   * bash when there is one: dash drops environment variables whose names are not shell names
   * (kube allows `CFG_app.conf` from envFrom), bash passes them on to the container.
   */
  private readonly enterShell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  private readonly pending = new Map<string, Promise<HolderRecord>>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly extraPaths: string[] = defaultExtraPaths(),
  ) {}

  /**
   * Whether this node can make pod sandboxes: root, util-linux's unshare/nsenter/pivot_root and
   * the namespaces themselves — tried for real, once, with a throw-away holder.
   */
  static async supported(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
    if (env.KEELSON_POD_SANDBOX === 'off') return false;
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
    const dir = await mkdtemp(join(tmpdir(), 'keelson-sandbox-probe-'));
    const probe = new PodSandboxes(dir, log, []);
    const pod = { metadata: { name: 'sandbox-probe', namespace: 'kube-system', uid: 'probe' }, spec: { containers: [] } } as unknown as Pod;
    try {
      await probe.ensure(pod, '127.0.0.1');
      return true;
    } catch (err) {
      log.warn('pod sandboxes unavailable; pods share the host namespaces', { err: err instanceof Error ? err.message : String(err) });
      return false;
    } finally {
      await probe.remove('probe');
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** The pod's holder, started (or adopted after a kubelet restart) if need be; returns its pid. */
  /** `clusterDns`: this node's cluster DNS server for the pod's resolv.conf (resolv-conf.ts), if served. */
  async ensure(pod: Pod, podIP: string, clusterDns?: ClusterDns): Promise<number> {
    const uid = pod.metadata.uid ?? '';
    const known = this.holders.get(uid) ?? (await this.readRecord(uid));
    if (known && (await procStartTime(known.pid)) === known.procStart) {
      this.holders.set(uid, known);
      return known.pid;
    }
    let p = this.pending.get(uid);
    if (!p) {
      p = this.start(pod, podIP, clusterDns).catch((err: unknown) => {
        throw err instanceof PodSandboxError ? err : new PodSandboxError(`failed to create the pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
      }).finally(() => this.pending.delete(uid));
      this.pending.set(uid, p);
    }
    return (await p).pid;
  }

  /** The argv (to spawn as root) that runs `argv` in the pod's sandbox as the given user. */
  enterArgv(holderPid: number, spec: EnterSpec, argv: string[]): string[] {
    const mounts = spec.mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']);
    const enter = [this.enterShell, '-c', ENTER, 'keelson-container', spec.workingDir, `${spec.uid}:${spec.gid}`, spec.groups.length ? spec.groups.join(',') : '-', spec.staging, String(spec.mounts.length), ...mounts, '--', ...argv];
    // Volumes are per container: their binds go in a private child of the pod's mount namespace.
    return ['nsenter', '-t', String(holderPid), '--pid', '--uts', '--ipc', '--mount', '--', 'unshare', '--mount', '--propagation', 'private', '--', ...enter];
  }

  /** Ends the pod's sandbox and every process in it (no-op when there is none). */
  async remove(uid: string): Promise<void> {
    const rec = this.holders.get(uid) ?? (await this.readRecord(uid));
    this.holders.delete(uid);
    if (!rec || (await procStartTime(rec.pid)) !== rec.procStart) return;
    // The holder's parent is the `unshare` that made its namespaces (the pod's uid in its argv):
    // it exits once the holder has, and the pod is not gone until it has too.
    const parent = await unshareParent(rec.pid, uid);
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch { /* gone */ }
    for (let i = 0; i < 50 && (await procStartTime(rec.pid)) === rec.procStart; i++) await new Promise((r) => setTimeout(r, 20));
    // Exited is not enough: a zombie is still listed until its parent (this kubelet, or init for
    // an adopted holder) reaps it.
    for (let i = 0; i < 200 && parent && (await procStartTime(parent.pid, true)) === parent.procStart; i++) await new Promise((r) => setTimeout(r, 20));
  }

  private dir(uid: string): string {
    return join(this.root, 'pods', uid, 'sandbox');
  }

  /** Where the pod's volumes are written on the host; the same path inside its sandbox. */
  volumesDir(uid: string): string {
    return join(this.root, 'pods', uid, 'volumes');
  }

  /** Where a hostPath volume appears inside the sandbox (bound there when the sandbox starts). */
  hostPathStage(uid: string, volume: string): string {
    return join(this.volumesDir(uid), 'kubernetes.io~host-path', volume);
  }

  private async start(pod: Pod, podIP: string, clusterDns: ClusterDns | undefined): Promise<HolderRecord> {
    const uid = pod.metadata.uid ?? '';
    const dir = this.dir(uid);
    const podRoot = join(this.root, 'pods', uid, 'root');
    const volumes = this.volumesDir(uid);
    const etc = join(dir, 'etc');
    await mkdir(volumes, { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'rootfs'), { recursive: true, mode: 0o700 });
    await mkdir(etc, { recursive: true, mode: 0o755 });
    await mkdir(podRoot, { recursive: true });
    await chmod(podRoot, 0o777); // the working directory of every container, whichever runAsUser it has
    const hostname = podHostname(pod);
    await writeFile(join(etc, 'hostname'), `${hostname}\n`);
    await writeFile(join(etc, 'hosts'), hostsFile(pod, podIP));
    await writeFile(join(etc, 'resolv.conf'), podResolvConf(pod, await readFile('/etc/resolv.conf', 'utf8').catch(() => ''), clusterDns));
    const binds: [string, string][] = [[podRoot, podRoot], [volumes, volumes]];
    for (const v of (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).map((x) => planVolume(x as Record<string, unknown>))) {
      if (v?.kind === 'hostPath') binds.push([v.path, this.hostPathStage(uid, v.name)]);
    }
    const argv = ['unshare', '--pid', '--uts', '--ipc', '--mount', '--propagation', 'private', '--fork', '--', '/bin/sh', '-c', HOLDER, 'keelson-pod', hostname, join(dir, 'rootfs'), etc, String(this.extraPaths.length), ...this.extraPaths, String(binds.length), ...binds.flat()];
    const logFile = await open(join(dir, 'holder.log'), 'w');
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', logFile.fd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    await logFile.close();
    try {
      await new Promise<void>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`the pod sandbox was not ready within ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS);
        child.once('error', (e) => { clearTimeout(timer); fail(e); });
        child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`the pod sandbox exited with ${code} while starting`)); });
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(READY_LINE)) { clearTimeout(timer); ok(); }
        });
      });
    } catch (err) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      const tail = (await readFile(join(dir, 'holder.log'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('; ');
      throw new Error(`${(err as Error).message}${tail ? `: ${tail}` : ''}`);
    }
    child.stdout!.destroy();
    child.removeAllListeners('exit');
    child.unref();
    // The holder is unshare's child: pid 1 of the new PID namespace, whose namespaces we join.
    const pid = await childOf(child.pid!);
    const procStart = pid ? await procStartTime(pid) : undefined;
    if (!pid || !procStart) throw new Error('the pod sandbox holder exited right after starting');
    const rec = { pid, procStart };
    await writeFile(join(dir, 'holder.json'), JSON.stringify(rec));
    this.holders.set(uid, rec);
    this.log.info('pod sandbox started', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, holder: pid, hostname });
    return rec;
  }

  private async readRecord(uid: string): Promise<HolderRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir(uid), 'holder.json'), 'utf8')) as HolderRecord;
    } catch {
      return undefined;
    }
  }
}

/** Host paths pods also see read-only: node's installation when outside /usr, and KEELSON_POD_SANDBOX_HOST_PATHS. */
export function defaultExtraPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const nodePrefix = dirname(dirname(process.execPath));
  if (!SYSTEM_DIRS.some((d) => nodePrefix === `/${d}` || nodePrefix.startsWith(`/${d}/`))) out.push(nodePrefix);
  for (const p of (env.KEELSON_POD_SANDBOX_HOST_PATHS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) if (p.startsWith('/')) out.push(p);
  return out;
}

/**
 * Field 22 of /proc/<pid>/stat (tells a live process from a reused pid); undefined when gone or
 * (unless `zombies`) a zombie.
 */
export async function procStartTime(pid: number, zombies = false): Promise<string | undefined> {
  const fields = await statFields(pid);
  if (!fields || (fields[0] === 'Z' && !zombies)) return undefined;
  return fields[19];
}

/** /proc/<pid>/stat after the command name (field 3, the state, first); undefined when gone. */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The holder's parent when it is the pod's `unshare` (its argv names the pod's directory), with its start time. */
async function unshareParent(holder: number, uid: string): Promise<HolderRecord | undefined> {
  try {
    const ppid = Number((await statFields(holder))?.[1]);
    if (!(ppid > 1)) return undefined;
    const argv = (await readFile(`/proc/${ppid}/cmdline`, 'utf8')).split('\0');
    if (argv[0] !== 'unshare' || !argv.some((a) => a.includes(`/pods/${uid}/`))) return undefined;
    const procStart = await procStartTime(ppid, true);
    return procStart ? { pid: ppid, procStart } : undefined;
  } catch {
    return undefined;
  }
}

async function childOf(pid: number): Promise<number | undefined> {
  for (let i = 0; i < 100; i++) {
    const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    const first = Number(kids.trim().split(/\s+/)[0]);
    if (first > 0) return first;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}
