// Pod and container cgroups for the process runtime, laid out as the kubelet's cgroupfs driver
// lays them out under its cgroup root (here `<the kubelet's own cgroup>/keelson/<node>-<hash>`,
// the hash of the kubelet's state directory: two clusters on one machine may both have a
// `node-1`, and neither may sweep the other's pods):
//   kubepods/                        node allocatable (no limit set here)
//   kubepods/pod<uid>/<container>    Guaranteed pods
//   kubepods/burstable/pod<uid>/...  Burstable pods
//   kubepods/besteffort/pod<uid>/... BestEffort pods (cpu.shares 2)
// A container joins its cgroup before its command runs: the runtime spawns a small root shell
// that writes its own pid into each controller's cgroup.procs, drops to the pod identity, and
// execs the container's argv (same pid). Each attempt gets a fresh container cgroup, so its OOM
// counter tells whether the kernel's OOM killer ended it (reported as OOMKilled, exit 137).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { Container, Pod } from '../../types';
import type { PodIdentity } from '../pod-identity';
import type { ExitInfo } from '../runtime';
import { driverFor, type CgroupDriver } from './driver';
import { currentHierarchy, type Hierarchy } from './hierarchy';
import { containerLimits, podCgroupPath, podLimits, qosDir } from './resources';

/** A container start as the process runtime spawns it (the shape of volumes/pod-sandbox's SandboxedStart). */
export interface SpawnPlan {
  argv: string[];
  env: Record<string, string>;
  /** Spawned as root; otherwise as `identity` (the container's securityContext) or the pod identity. */
  asRoot: boolean;
  identity?: PodIdentity & { groups?: number[] };
}

export interface PodCgroupsOptions {
  nodeName: string;
  /** The kubelet's state directory: the cgroup roots it used are recorded there for the start-up sweep. */
  stateDir: string;
  log: Logger;
  identity: PodIdentity | undefined;
  /** pids.max of each pod cgroup (kubelet's podPidsLimit); -1 for none. */
  podPidsLimit: number;
}

/** A pod cgroup found on the node. */
export interface FoundPodCgroup {
  uid: string;
  /** Relative to the root it was found under. */
  path: string;
  driver: CgroupDriver;
}

// Joins every cgroup.procs file named before "--", then runs the rest as the pod identity.
const JOIN_SCRIPT = [
  'ids=$1; groups=$2; shift 2',
  'while [ "$1" != -- ]; do',
  '  echo $$ > "$1" || exit 125',
  '  shift',
  'done',
  'shift',
  'if [ "$groups" = - ]; then g=--clear-groups; else g=--groups=$groups; fi',
  'if [ "$ids" != - ]; then exec setpriv --reuid="${ids%:*}" --regid="${ids#*:}" $g -- "$@"; fi',
  'exec "$@"',
].join('\n');

const QOS_DIRS = [qosDir('Guaranteed'), qosDir('Burstable'), qosDir('BestEffort')];
const ROOTS_FILE = 'cgroup-roots.json';

export class PodCgroups {
  /** uid → pod cgroup path (relative), as created by this kubelet. */
  private readonly paths = new Map<string, string>();

  private constructor(
    private readonly driver: CgroupDriver,
    /** Roots an earlier kubelet of this node used (it ran in another cgroup): swept, never written. */
    private readonly earlier: CgroupDriver[],
    private readonly opts: PodCgroupsOptions,
    readonly description: string,
  ) {}

  /**
   * Finds the hierarchy, creates this node's root and proves a process can join a cgroup there
   * (one real start). Undefined, with the reason logged, when limits cannot be enforced (not root,
   * no cgroup filesystem, a read-only one): pods then run unlimited, as before.
   */
  static async create(opts: PodCgroupsOptions): Promise<PodCgroups | undefined> {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      opts.log.info('pod cgroups off: the kubelet is not root; resources.limits are not enforced');
      return undefined;
    }
    const h = await currentHierarchy();
    const rootPath = join('keelson', `${opts.nodeName}-${createHash('sha256').update(resolve(opts.stateDir)).digest('hex').slice(0, 8)}`);
    const driver = driverFor(h, rootPath);
    if (!driver) {
      opts.log.warn('pod cgroups off: resources.limits are not enforced', { reason: h.version === 0 ? h.reason : 'unknown' });
      return undefined;
    }
    const earlier = (await readRoots(opts.stateDir)).filter((r) => JSON.stringify(r) !== JSON.stringify(h)).map((r) => driverFor(r, rootPath)).filter((d): d is CgroupDriver => !!d);
    const cg = new PodCgroups(driver, earlier, opts, `cgroup v${driver.version} at ${driver.dirs('').join(', ')}`);
    try {
      await cg.probe();
    } catch (err) {
      opts.log.warn('pod cgroups off: resources.limits are not enforced', { reason: (err as Error).message });
      return undefined;
    }
    await writeRoots(opts.stateDir, h).catch((err: unknown) => opts.log.warn('cannot record the cgroup root', { err: String(err) }));
    opts.log.info('pod cgroups', { mode: cg.description });
    return cg;
  }

  get version(): 1 | 2 {
    return this.driver.version;
  }

  /** Creates the pod's and the container's cgroups and makes `plan` join them before it execs. */
  async wrapStart<P extends SpawnPlan>(pod: Pod, container: Container, plan: P): Promise<P> {
    const uid = pod.metadata.uid ?? '';
    const podPath = podCgroupPath(pod);
    await this.ensureSkeleton();
    await this.driver.create(podPath, podLimits(pod, this.opts.podPidsLimit));
    this.paths.set(uid, podPath);
    const path = `${podPath}/${container.name}`;
    // A fresh cgroup per attempt: whatever the last one left behind goes, and its OOM count starts at 0.
    if (this.driver.exists(path)) await this.driver.remove(path);
    await this.driver.create(path, containerLimits(container));
    const id = plan.identity ?? this.opts.identity;
    const ids = plan.asRoot || !id ? '-' : `${id.uid}:${id.gid}`;
    const groups = plan.identity?.groups?.length ? plan.identity.groups.join(',') : '-';
    return { ...plan, argv: ['/bin/sh', '-c', JOIN_SCRIPT, 'keelson-cgroup', ids, groups, ...this.driver.procsFiles(path), '--', ...plan.argv], asRoot: true };
  }

  /**
   * `argv` (spawned as root) joining the pod's own cgroup first: for a pod-wide process such as
   * the sandbox's holder (kube's pause container sits in the pod cgroup too), so the pod's limits
   * cover it and removing the pod's cgroups ends it.
   */
  async joinPodArgv(pod: Pod, argv: string[]): Promise<string[]> {
    const podPath = podCgroupPath(pod);
    await this.ensureSkeleton();
    await this.driver.create(podPath, podLimits(pod, this.opts.podPidsLimit));
    this.paths.set(pod.metadata.uid ?? '', podPath);
    return ['/bin/sh', '-c', JOIN_SCRIPT, 'keelson-cgroup', '-', '-', ...this.driver.procsFiles(podPath), '--', ...argv];
  }

  /** An exit the OOM killer caused (the container's memory cgroup counted a kill) becomes OOMKilled, 137. */
  async classifyExit(uid: string, container: string, exit: ExitInfo): Promise<ExitInfo> {
    if (exit.exitCode === 0) return exit;
    const found = await this.find(uid);
    if (!found) return exit;
    const kills = await found.driver.oomKills(`${found.path}/${container}`).catch(() => 0);
    if (kills === 0) return exit;
    // As a CRI runtime reports it: the kill's signal is folded into exit code 137, no message.
    return { exitCode: 137, reason: 'OOMKilled', finishedAt: exit.finishedAt };
  }

  /** CPU time a container's cgroup used, ns (undefined when it has no cgroup). */
  async cpuUsageNs(uid: string, container: string): Promise<number | undefined> {
    const found = await this.find(uid);
    return found ? this.driver.cpuUsageNs(`${found.path}/${container}`) : undefined;
  }

  /** The container cgroup's directories (one per v1 controller), for the Summary API (stats/). */
  async containerDirs(uid: string, container: string): Promise<string[] | undefined> {
    const found = await this.find(uid);
    return found && found.driver.exists(`${found.path}/${container}`) ? found.driver.dirs(`${found.path}/${container}`) : undefined;
  }

  /** Kills whatever still runs in the pod's cgroups and removes them (every root). */
  async removePod(uid: string): Promise<void> {
    for (const found of await this.findAll(uid)) await found.driver.remove(found.path);
    this.paths.delete(uid);
  }

  /** Every pod cgroup of this node, under the current root and any earlier one. */
  async listPods(): Promise<FoundPodCgroup[]> {
    const out: FoundPodCgroup[] = [];
    for (const driver of [this.driver, ...this.earlier]) {
      for (const q of QOS_DIRS) {
        for (const name of await driver.children(q)) {
          const m = /^pod(.+)$/.exec(name);
          if (m) out.push({ uid: m[1], path: `${q}/${name}`, driver });
        }
      }
    }
    return out;
  }

  async removeFound(found: FoundPodCgroup): Promise<void> {
    await found.driver.remove(found.path);
    if (found.driver === this.driver) this.paths.delete(found.uid);
  }

  /**
   * The kubelet stops after stopping its pods: their cgroups (and anything left in them) go, and
   * the node's root too, so a stopped node leaves no cgroup behind.
   */
  async shutdown(): Promise<void> {
    for (const d of [this.driver, ...this.earlier]) {
      await d.remove('').catch((err: unknown) => this.opts.log.warn('removing the node cgroups failed', { err: String(err) }));
      // The shared `keelson` parent goes with its last node (another node's kubelet keeps it busy).
      await Promise.all(d.dirs('').map((dir) => rmdir(dirname(dir)).catch(() => undefined)));
    }
    this.paths.clear();
  }

  private async find(uid: string): Promise<FoundPodCgroup | undefined> {
    const known = this.paths.get(uid);
    if (known && this.driver.exists(known)) return { uid, path: known, driver: this.driver };
    return (await this.findAll(uid))[0];
  }

  private async findAll(uid: string): Promise<FoundPodCgroup[]> {
    const out: FoundPodCgroup[] = [];
    for (const driver of [this.driver, ...this.earlier]) {
      for (const q of QOS_DIRS) if (driver.exists(`${q}/pod${uid}`)) out.push({ uid, path: `${q}/pod${uid}`, driver });
    }
    return out;
  }

  private skeleton?: Promise<void>;
  private ensureSkeleton(): Promise<void> {
    // Re-checked each time (cheap): a sweep or an operator may have removed it.
    if (this.skeleton && this.driver.exists('kubepods/besteffort')) return this.skeleton;
    this.skeleton = (async () => {
      await this.driver.create('kubepods', {});
      await this.driver.create(qosDir('Burstable'), {});
      await this.driver.create(qosDir('BestEffort'), { cpuShares: 2 });
    })();
    this.skeleton.catch(() => (this.skeleton = undefined));
    return this.skeleton;
  }

  /** One real join: a root shell writes itself into a probe cgroup and exits 0. */
  private async probe(): Promise<void> {
    await this.ensureSkeleton();
    const path = 'kubepods/besteffort/keelson-probe';
    await this.driver.create(path, {});
    try {
      const argv = ['/bin/sh', '-c', JOIN_SCRIPT, 'keelson-cgroup', '-', '-', ...this.driver.procsFiles(path), '--', 'true'];
      const code = await new Promise<number | null>((done, fail) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
        let err = '';
        child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
        child.once('error', fail);
        child.once('exit', (c) => (c === 0 ? done(c) : fail(new Error(`joining a cgroup failed (exit ${String(c)}): ${err.trim()}`))));
      });
      void code;
    } finally {
      await this.driver.remove(path);
    }
  }
}

async function readRoots(stateDir: string): Promise<Hierarchy[]> {
  try {
    const parsed = JSON.parse(await readFile(join(stateDir, ROOTS_FILE), 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as Hierarchy[]) : [];
  } catch {
    return [];
  }
}

/** Keeps the current hierarchy and up to four earlier ones (each swept at start-up). */
async function writeRoots(stateDir: string, h: Hierarchy): Promise<void> {
  const all = [h, ...(await readRoots(stateDir)).filter((r) => JSON.stringify(r) !== JSON.stringify(h))].slice(0, 5);
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, ROOTS_FILE), JSON.stringify(all));
}
