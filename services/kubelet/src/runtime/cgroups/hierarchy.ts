// Where this machine's cgroups are, read from /proc/self/mountinfo and /proc/self/cgroup:
// cgroup v1 (one hierarchy per controller, cpu and cpuacct possibly co-mounted) or the unified
// v2 hierarchy. The kubelet nests its tree under the cgroup it runs in (per controller), so pods
// are accounted where the kubelet is (a supervisor's or a container's cgroup) and a kubelet in
// a container sees only its own part of the machine.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The v1 controllers the kubelet writes. */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export type Hierarchy =
  | { version: 1; /** The kubelet's own cgroup directory in each controller mounted (absolute). */ base: Partial<Record<V1Controller, string>> }
  | { version: 2; /** The kubelet's own cgroup directory in the unified hierarchy (absolute). */ base: string; controllers: string[] }
  | { version: 0; reason: string };

interface MountInfo {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** Rows of /proc/self/mountinfo (proc(5)): root and mount point, then after " - " the type and super options. */
export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) continue;
    out.push({ root: unescape(left[3]), mountPoint: unescape(left[4]), fsType: right[0], superOptions: right[2].split(',') });
  }
  return out;
}

/** /proc/self/cgroup: `id:controllers:path` → controller (or '' for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[2] === '') out.set('', m[3]);
    for (const c of m[2].split(',').filter(Boolean)) out.set(c, m[3]);
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The directory of `path` (a /proc/self/cgroup path) in a hierarchy mounted at `m`. */
function dirIn(m: MountInfo, path: string): string | undefined {
  const clean = (d: string): string => (d.length > 1 ? d.replace(/\/+$/, '') : d);
  // A mount of a sub-tree (a container's view) shows paths relative to its root.
  if (m.root === '/') return clean(join(m.mountPoint, path));
  if (path === m.root || path.startsWith(`${m.root}/`)) return clean(join(m.mountPoint, path.slice(m.root.length)));
  return undefined;
}

export function detectHierarchy(mountInfo: string, procCgroup: string): Hierarchy {
  const mounts = parseMountInfo(mountInfo);
  const own = parseProcCgroup(procCgroup);
  const v1: Partial<Record<V1Controller, string>> = {};
  for (const m of mounts.filter((x) => x.fsType === 'cgroup')) {
    for (const c of V1_CONTROLLERS) {
      if (!m.superOptions.includes(c) || v1[c]) continue;
      const path = own.get(c);
      const dir = path === undefined ? undefined : dirIn(m, path);
      if (dir) v1[c] = dir;
    }
  }
  if (v1.memory || v1.cpu || v1.pids) return { version: 1, base: v1 };
  const unified = mounts.find((x) => x.fsType === 'cgroup2');
  const path = own.get('');
  if (unified && path !== undefined) {
    const dir = dirIn(unified, path);
    if (dir) return { version: 2, base: dir, controllers: [] };
  }
  return { version: 0, reason: 'no cgroup v1 cpu/memory/pids hierarchy and no cgroup2 mount found' };
}

/** This process's hierarchy; a v2 one with the controllers its mount offers. */
export async function currentHierarchy(): Promise<Hierarchy> {
  let h: Hierarchy;
  try {
    h = detectHierarchy(await readFile('/proc/self/mountinfo', 'utf8'), await readFile('/proc/self/cgroup', 'utf8'));
  } catch (err) {
    return { version: 0, reason: `cannot read /proc: ${(err as Error).message}` };
  }
  if (h.version === 2) {
    const controllers = await readFile(join(h.base, 'cgroup.controllers'), 'utf8').then((t) => t.trim().split(/\s+/).filter(Boolean), () => []);
    return { ...h, controllers };
  }
  return h;
}
