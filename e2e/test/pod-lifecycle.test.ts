// Issue 12 item 3, through `npm start`'s own supervisor: pods stop with their kubelet (Ctrl-C of
// npm start used to leave every pod process running), survive a kubelet crash and are adopted
// by the next one, and what a crash leaves of a pod deleted meanwhile (processes, cgroups,
// network namespace, veth) is swept when the node's kubelet starts again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, until as waitUntil, type LocalCluster } from '@keelson/testing';

jest.setTimeout(240_000);

type Json = Record<string, any>;
let home: string;
let cluster: LocalCluster | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'keelson-lifecycle-'));
});
afterAll(async () => {
  await cluster?.stop({ signal: 'SIGINT' });
  rmSync(home, { recursive: true, force: true });
});

const start = async (): Promise<LocalCluster> => (cluster = await startLocalCluster({ home, readyTimeoutMs: 120_000 }));
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitUntil(what, fn, timeoutMs, 500, () => (cluster?.log() ?? '').split('\n').filter((l) => l.includes('kubelet/node-1') && !l.includes('etcd')).slice(-40).join('\n'));
const getPod = async (name: string): Promise<Json> => JSON.parse(await cluster!.k('get', 'pod', name, '-o', 'json')) as Json;
const pidOf = (pod: Json): number => Number(String(pod.status.containerStatuses[0].containerID).replace('process://', ''));
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

function manifest(name: string, node: string, port: number, limits?: Json): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { nodeName: node, terminationGracePeriodSeconds: 2, containers: [{ name: 'web', image: 'python', command: ['/usr/bin/python3', '-m', 'http.server', String(port)], ...(limits ? { resources: { limits } } : {}) }] },
  });
}

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Processes of a pod: in one of its cgroups, or naming its uid (a sandbox holder's argv). */
function processesOf(uid: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid).map(Number).filter((pid) => {
    return read(`/proc/${pid}/cgroup`).includes(`pod${uid}`) || read(`/proc/${pid}/cmdline`).includes(uid);
  });
}

/** `<pid> <state> ppid=<ppid> <argv>`: which process, for a failure message. */
const describeProcess = (pid: number): string => {
  const stat = read(`/proc/${pid}/stat`);
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return `${pid} ${state ?? '?'} ppid=${ppid ?? '?'} ${read(`/proc/${pid}/cmdline`).split('\0').join(' ').slice(0, 160)}`;
};

/** Directories named pod<uid> in every mounted cgroup hierarchy. */
function cgroupsOf(uid: string): string[] {
  const mounts = read('/proc/self/mountinfo').split('\n').filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ')[4]);
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 10) return;
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === `pod${uid}`) found.push(join(dir, e));
      else walk(join(dir, e), depth + 1);
    }
  };
  for (const m of new Set(mounts)) walk(m, 0);
  return found;
}

const ip = (...args: string[]): string => {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};

/** Named network namespaces of a pod. */
const netnsOf = (uid: string): string[] => ip('netns', 'list').split('\n').map((l) => l.split(' ')[0]).filter((n) => n.includes(uid));

/** The host ends of a pod's veth pairs: the peers of the links inside its namespaces. */
function vethsOf(uid: string): string[] {
  const names: string[] = [];
  for (const ns of netnsOf(uid)) {
    for (const m of ip('-n', ns, '-o', 'link').matchAll(/^\d+: [^@:]+@if(\d+):/gm)) {
      const host = new RegExp(`^${m[1]}: ([^@:]+)[@:]`, 'm').exec(ip('-o', 'link'));
      if (host) names.push(host[1]);
    }
  }
  return names;
}

const linkExists = (name: string): boolean => ip('-o', 'link', 'show', 'dev', name).trim() !== '';

/** The supervisor's record of its children (pids.json in KEELSON_HOME). */
function kubeletPid(node: string): number {
  const rec = JSON.parse(readFileSync(join(home, 'pids.json'), 'utf8')) as { procs: Array<{ name: string; pid: number }> };
  const p = rec.procs.find((x) => x.name === `kubelet/${node}`);
  if (!p) throw new Error(`no kubelet/${node} in pids.json`);
  return p.pid;
}

let keep: { uid: string; pid: number };

test('kill -9 of a kubelet, its pod force-deleted, npm start stopped (Ctrl-C) and started again: nothing of the deleted pod is left; the live one is adopted', async () => {
  const c = await start();
  for (const [name, node, port, limits] of [['keep', 'node-1', 18_081, undefined], ['gone', 'node-1', 18_082, { memory: '64Mi' }], ['other', 'node-2', 18_083, undefined]] as const) {
    const r = await c.kubectl(['apply', '-f', '-'], { input: manifest(name, node, port, limits) });
    expect(r.stderr).toBe('');
  }
  const running = async (name: string): Promise<Json> => until(`${name} Running`, async () => {
    const p = await getPod(name);
    return p.status?.containerStatuses?.[0]?.state?.running && p;
  });
  const [keepPod, gonePod, otherPod] = [await running('keep'), await running('gone'), await running('other')];
  keep = { uid: keepPod.metadata.uid, pid: pidOf(keepPod) };
  const gone = { uid: gonePod.metadata.uid as string, pid: pidOf(gonePod) };
  const otherPid = pidOf(otherPod);

  // What the deleted pod will have left: at least its processes and its cgroups (as root).
  const goneCgroups = cgroupsOf(gone.uid);
  const goneNetns = netnsOf(gone.uid);
  const goneVeths = vethsOf(gone.uid);
  expect(processesOf(gone.uid)).toContain(gone.pid);
  expect(goneCgroups.length).toBeGreaterThan(0);
  expect(goneCgroups.join('\n')).toMatch(/kubepods\/burstable\/pod/);

  // The kubelet crashes; while it is down (its supervisor paused, so not restarting it) the pod
  // is force-deleted: no kubelet ever stops it.
  process.kill(c.supervisorPid, 'SIGSTOP');
  try {
    process.kill(kubeletPid('node-1'), 'SIGKILL');
    await c.k('delete', 'pod', 'gone', '--force', '--grace-period=0');
  } finally {
    process.kill(c.supervisorPid, 'SIGCONT');
  }
  // Ctrl-C: node-2's kubelet stops its pod; node-1's (dead) cannot.
  await c.stop({ signal: 'SIGINT', keepHome: true });
  cluster = undefined;
  expect(alive(otherPid)).toBe(false);
  expect(alive(gone.pid)).toBe(true);
  expect(alive(keep.pid)).toBe(true);

  await start();
  await until('the deleted pod swept: no process, cgroup, network namespace or veth', async () =>
    processesOf(gone.uid).length === 0 && cgroupsOf(gone.uid).length === 0 && netnsOf(gone.uid).length === 0 && !goneVeths.some(linkExists));
  expect(goneNetns.filter((n) => existsSync(join('/run/netns', n)))).toEqual([]);
  const adopted = await until('keep adopted, still the same process', async () => {
    const p = await getPod('keep');
    return p.status?.containerStatuses?.[0]?.state?.running && pidOf(p) === keep.pid && p;
  });
  expect(adopted.status.containerStatuses[0].restartCount).toBe(0);
  // node-2's pod was stopped by Ctrl-C, not lost: its kubelet starts it again.
  await until('other running again', async () => (await getPod('other')).status?.containerStatuses?.[0]?.restartCount === 1);
});

test('Ctrl-C of npm start leaves no pod process and no pod cgroup behind', async () => {
  const c = cluster!;
  const uids = JSON.parse(await c.k('get', 'pods', '-o', 'json')).items.map((p: Json) => p.metadata.uid as string) as string[];
  expect(uids.length).toBe(2);
  expect(uids.flatMap(processesOf).length).toBeGreaterThan(0);
  await c.stop({ signal: 'SIGINT', keepHome: true });
  cluster = undefined;
  expect(alive(keep.pid)).toBe(false);
  // Zombies count: a process is gone when nothing lists it (described, so a failure says which).
  expect(uids.flatMap(processesOf).map(describeProcess)).toEqual([]);
  expect(uids.flatMap(cgroupsOf)).toEqual([]);
});
