// Reads and writes cgroups under one root (the node's, see pod-cgroups.ts), for cgroup v1 (a
// directory per controller: cpu, cpuacct, memory, pids) or v2 (one directory, controllers
// enabled through cgroup.subtree_control). Paths are relative to the root, '/'-separated.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hierarchy, V1Controller } from './hierarchy';

/** What a cgroup is limited to; undefined leaves a value as the kernel has it. */
export interface CgroupLimits {
  /** v1 cpu.shares (2…262144); v2 cpu.weight is derived from it as the kubelet does. */
  cpuShares?: number;
  /** CFS quota per period, µs; -1 for no limit. */
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  /** Bytes; -1 for no limit. */
  memoryBytes?: number;
  /** Tasks (processes and threads); -1 for no limit. */
  pidsMax?: number;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Creates the cgroup (and its parents) and applies `limits`. */
  create(path: string, limits: CgroupLimits): Promise<void>;
  exists(path: string): boolean;
  /** The files a process writes its pid to, to join the cgroup in every controller. */
  procsFiles(path: string): string[];
  /** Processes in the cgroup and below. */
  pids(path: string): Promise<number[]>;
  /** Child cgroup names. */
  children(path: string): Promise<string[]>;
  /** Kills every process in the cgroup and below (SIGKILL), then removes the directories. */
  remove(path: string): Promise<void>;
  /** How many processes the kernel's OOM killer ended in this cgroup (memory limit reached). */
  oomKills(path: string): Promise<number>;
  /** CPU time used by the cgroup, ns. */
  cpuUsageNs(path: string): Promise<number | undefined>;
  /** The absolute directories of the cgroup (one per v1 controller). */
  dirs(path: string): string[];
}

const read = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

async function pidsOf(dir: string): Promise<number[]> {
  const own = (await read(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
  const subs = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(subs.filter((d) => d.isDirectory()).map((d) => pidsOf(join(dir, d.name))));
  return [...own, ...nested.flat()];
}

/** SIGKILLs what runs in `dirs` until they are empty, then removes them, deepest first. */
async function killAndRemove(dirs: string[]): Promise<void> {
  const present = dirs.filter((d) => existsSync(d));
  if (!present.length) return;
  for (let i = 0; i < 50; i++) {
    const pids = [...new Set((await Promise.all(present.map(pidsOf))).flat())];
    if (!pids.length) break;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await Promise.all(present.map(removeTree));
}

async function removeTree(dir: string): Promise<void> {
  const subs = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(subs.filter((d) => d.isDirectory()).map((d) => removeTree(join(dir, d.name))));
  // An exiting task can hold the cgroup for a moment after SIGKILL: retry EBUSY briefly.
  for (let i = 0; ; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= 30) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Writes a control file; a value the kernel refuses names the file in the error. */
async function put(file: string, value: string): Promise<void> {
  try {
    await writeFile(file, value);
  } catch (err) {
    throw new Error(`writing ${JSON.stringify(value)} to ${file}: ${(err as Error).message}`);
  }
}

export class V1Driver implements CgroupDriver {
  readonly version = 1;
  /** The root in each controller present (cpu and cpuacct may be the same directory). */
  constructor(private readonly roots: Partial<Record<V1Controller, string>>) {}

  private dir(c: V1Controller, path: string): string | undefined {
    const r = this.roots[c];
    return r === undefined ? undefined : join(r, path);
  }

  dirs(path: string): string[] {
    return [...new Set(Object.values(this.roots).map((r) => join(r, path)))];
  }

  exists(path: string): boolean {
    return this.dirs(path).some((d) => existsSync(d));
  }

  async create(path: string, l: CgroupLimits): Promise<void> {
    for (const d of this.dirs(path)) await mkdir(d, { recursive: true });
    const cpu = this.dir('cpu', path);
    if (cpu) {
      if (l.cpuShares !== undefined) await put(join(cpu, 'cpu.shares'), String(l.cpuShares));
      if (l.cpuPeriodUs !== undefined) await put(join(cpu, 'cpu.cfs_period_us'), String(l.cpuPeriodUs));
      if (l.cpuQuotaUs !== undefined) await put(join(cpu, 'cpu.cfs_quota_us'), String(l.cpuQuotaUs));
    }
    const mem = this.dir('memory', path);
    if (mem && l.memoryBytes !== undefined) await put(join(mem, 'memory.limit_in_bytes'), String(l.memoryBytes));
    const pids = this.dir('pids', path);
    if (pids && l.pidsMax !== undefined) await put(join(pids, 'pids.max'), l.pidsMax < 0 ? 'max' : String(l.pidsMax));
  }

  procsFiles(path: string): string[] {
    return this.dirs(path).map((d) => join(d, 'cgroup.procs'));
  }

  async pids(path: string): Promise<number[]> {
    const all = await Promise.all(this.dirs(path).filter((d) => existsSync(d)).map(pidsOf));
    return [...new Set(all.flat())];
  }

  async children(path: string): Promise<string[]> {
    const names = new Set<string>();
    for (const d of this.dirs(path)) {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) names.add(e.name);
    }
    return [...names];
  }

  remove(path: string): Promise<void> {
    return killAndRemove(this.dirs(path));
  }

  async oomKills(path: string): Promise<number> {
    const mem = this.dir('memory', path);
    const text = mem ? await read(join(mem, 'memory.oom_control')) : undefined;
    const m = text ? /^oom_kill (\d+)$/m.exec(text) : null;
    return m ? Number(m[1]) : 0;
  }

  async cpuUsageNs(path: string): Promise<number | undefined> {
    const d = this.dir('cpuacct', path);
    const text = d ? await read(join(d, 'cpuacct.usage')) : undefined;
    return text === undefined ? undefined : Number(text.trim());
  }
}

/** cgroup v2: cpu.weight from v1 shares as the kubelet converts them (1…10000). */
export function sharesToWeight(shares: number): number {
  return Math.round(1 + ((shares - 2) * 9999) / 262142);
}

export class V2Driver implements CgroupDriver {
  readonly version = 2;
  /** `base` is the (existing) parent of the root; controllers are enabled from there down. */
  constructor(private readonly base: string, private readonly root: string, private readonly controllers: string[]) {}

  dirs(path: string): string[] {
    return [join(this.root, path)];
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  async create(path: string, l: CgroupLimits): Promise<void> {
    const dir = join(this.root, path);
    await mkdir(dir, { recursive: true });
    // Every ancestor from the base down must delegate the controllers to its children.
    const enable = this.controllers.filter((c) => ['cpu', 'memory', 'pids'].includes(c)).map((c) => `+${c}`).join(' ');
    const rel = dir.slice(this.base.length).split('/').filter(Boolean);
    let cur = this.base;
    for (const seg of rel) {
      if (enable) await put(join(cur, 'cgroup.subtree_control'), enable);
      cur = join(cur, seg);
    }
    if (l.cpuShares !== undefined && existsSync(join(dir, 'cpu.weight'))) await put(join(dir, 'cpu.weight'), String(sharesToWeight(l.cpuShares)));
    if ((l.cpuQuotaUs !== undefined || l.cpuPeriodUs !== undefined) && existsSync(join(dir, 'cpu.max'))) {
      const quota = l.cpuQuotaUs === undefined || l.cpuQuotaUs < 0 ? 'max' : String(l.cpuQuotaUs);
      await put(join(dir, 'cpu.max'), `${quota} ${l.cpuPeriodUs ?? 100_000}`);
    }
    if (l.memoryBytes !== undefined && existsSync(join(dir, 'memory.max'))) await put(join(dir, 'memory.max'), l.memoryBytes < 0 ? 'max' : String(l.memoryBytes));
    if (l.pidsMax !== undefined && existsSync(join(dir, 'pids.max'))) await put(join(dir, 'pids.max'), l.pidsMax < 0 ? 'max' : String(l.pidsMax));
  }

  procsFiles(path: string): string[] {
    return [join(this.root, path, 'cgroup.procs')];
  }

  async pids(path: string): Promise<number[]> {
    const dir = join(this.root, path);
    return existsSync(dir) ? pidsOf(dir) : [];
  }

  async children(path: string): Promise<string[]> {
    const entries = await readdir(join(this.root, path), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  async remove(path: string): Promise<void> {
    const dir = join(this.root, path);
    // cgroup.kill (Linux 5.14+) kills the whole subtree at once; the loop below catches the rest.
    if (existsSync(join(dir, 'cgroup.kill'))) await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
    await killAndRemove([dir]);
  }

  async oomKills(path: string): Promise<number> {
    const text = await read(join(this.root, path, 'memory.events'));
    const m = text ? /^oom_kill (\d+)$/m.exec(text) : null;
    return m ? Number(m[1]) : 0;
  }

  async cpuUsageNs(path: string): Promise<number | undefined> {
    const text = await read(join(this.root, path, 'cpu.stat'));
    const m = text ? /^usage_usec (\d+)$/m.exec(text) : null;
    return m ? Number(m[1]) * 1000 : undefined;
  }
}

/** A driver rooted at `<the kubelet's cgroup>/<rootPath>`, or undefined when there is no usable hierarchy. */
export function driverFor(h: Hierarchy, rootPath: string): CgroupDriver | undefined {
  if (h.version === 1) {
    const roots: Partial<Record<V1Controller, string>> = {};
    for (const [c, dir] of Object.entries(h.base) as Array<[V1Controller, string]>) roots[c] = join(dir, rootPath);
    return new V1Driver(roots);
  }
  if (h.version === 2) return new V2Driver(h.base, join(h.base, rootPath), h.controllers);
  return undefined;
}
