// Issue 12 item 2: resources.limits are enforced by cgroups on a process node (as root). A pod
// whose memory limit the kernel enforces is OOMKilled (exit 137) and restarts with back-off; a
// cpu limit caps a busy loop, measured from the cgroup's own CPU accounting; the QoS class is in
// the pod's status and picks its place in the kubelet's cgroup tree (kubepods/burstable/pod<uid>).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, until as waitUntil, type ControlPlane } from '@keelson/testing';

jest.setTimeout(90_000);

const KUBELET_SECRET = 'pod-limits-kubelet-secret';
let cp: ControlPlane;
let kubelet: { log(): string };

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  kubelet = await cp.startService('kubelet', {
    instance: 'node-1',
    env: {
      NODE_NAME: 'node-1',
      KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'),
      KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET,
      KEELSON_NODE_LEASE_RENEW_MS: '1000',
      KEELSON_NODE_STATUS_UPDATE_MS: '2000',
      KEELSON_KUBELET_BACKOFF_BASE_MS: '1000',
      KEELSON_KUBELET_BACKOFF_MAX_MS: '4000',
      KEELSON_LEADER_ELECT: 'false',
      // No node IPAM runs here: pods take the host network at once instead of waiting for a podCIDR.
      KEELSON_KUBELET_POD_NETWORK: 'host',
    },
  });
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

type Json = Record<string, any>;
const getJson = async (...args: string[]): Promise<Json> => {
  const text = await cp.k(...args, '-o', 'json');
  lastSeen = text.slice(-2500);
  return JSON.parse(text) as Json;
};
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> => waitUntil(what, fn, timeoutMs, 300, () => `${lastSeen}\n${kubelet.log().slice(-3000)}`);
let lastSeen = '';
// Absolute: a pod runs unprivileged, and root's PATH may name interpreters it cannot reach (pyenv shims under /root).
const PYTHON = '/usr/bin/python3';

function apply(name: string, container: Json): Promise<void> {
  const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'python', ...container }] } });
  return cp.kubectl(['apply', '-f', '-'], { input: manifest }).then((r) => expect(r.stderr).toBe(''));
}

/** The cgroup a process is in, per controller ('' for v2), as /proc/<pid>/cgroup says. */
function cgroupsOf(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) for (const c of m[1] === '' ? [''] : m[1].split(',')) out.set(c, m[2]);
  }
  return out;
}

/** Where a controller's hierarchy is mounted ('' = the v2 one), from /proc/self/mountinfo. */
function mountOf(controller: string): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const [fsType, , opts] = right.split(' ');
    const mountPoint = left.split(' ')[4];
    if (controller === '' ? fsType === 'cgroup2' : fsType === 'cgroup' && opts.split(',').includes(controller)) return mountPoint;
  }
  return undefined;
}

/** CPU time of the cgroup a process is in, ns: cpuacct.usage (v1) or cpu.stat usage_usec (v2). */
function cpuUsageNs(pid: number): number {
  const cg = cgroupsOf(pid);
  const v1 = mountOf('cpuacct');
  if (v1 && cg.has('cpuacct')) return Number(readFileSync(join(v1, cg.get('cpuacct')!, 'cpuacct.usage'), 'utf8'));
  const stat = readFileSync(join(mountOf('')!, cg.get('')!, 'cpu.stat'), 'utf8');
  return Number(/^usage_usec (\d+)$/m.exec(stat)![1]) * 1000;
}

const pidOf = (pod: Json): number => Number(String(pod.status.containerStatuses[0].containerID).replace('process://', ''));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('limits.memory 64Mi: allocating 200 MiB is OOMKilled (exit 137) and restarts with back-off', async () => {
  await apply('hog', {
    command: [PYTHON, '-c', 'import time\nx = "x" * (200 << 20)\nprint("allocated", flush=True)\ntime.sleep(600)'],
    resources: { limits: { memory: '64Mi' } },
  });
  const pod = await until('an OOMKilled restart, then CrashLoopBackOff', async () => {
    const p = await getJson('get', 'pod', 'hog');
    const cs = p.status?.containerStatuses?.[0];
    return cs?.restartCount >= 2 && cs.lastState?.terminated?.reason === 'OOMKilled' && cs.state?.waiting?.reason === 'CrashLoopBackOff' && p;
  });
  const cs = pod.status.containerStatuses[0];
  expect(cs.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  expect(cs.state.waiting.message).toMatch(/^back-off \d+s restarting failed container=main pod=hog_default/);
  expect(pod.status.qosClass).toBe('Burstable');
  // It never got its 200 MiB: nothing after the allocation was printed.
  expect(await cp.k('logs', 'hog', '--previous')).not.toContain('allocated');
  expect((await cp.k('describe', 'pod', 'hog'))).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137/);
});

test('limits.cpu 100m caps a busy loop near 10% of one core (cgroup CPU accounting), in kubepods/pod<uid> as Guaranteed', async () => {
  await apply('spin', {
    command: [PYTHON, '-c', 'while True: pass'],
    resources: { limits: { cpu: '100m', memory: '64Mi' } },
  });
  const pod = await until('spin Running', async () => {
    const p = await getJson('get', 'pod', 'spin');
    return p.status?.containerStatuses?.[0]?.state?.running && p;
  });
  expect(pod.status.qosClass).toBe('Guaranteed');
  const pid = pidOf(pod);
  // The kubelet's cgroupfs layout: <node root>/kubepods/pod<uid>/<container> (Guaranteed: no QoS tier).
  for (const path of cgroupsOf(pid).values()) if (path !== '/') expect(path).toMatch(new RegExp(`/keelson/node-1-[0-9a-f]{8}/kubepods/pod${pod.metadata.uid}/main$`));
  const before = cpuUsageNs(pid);
  const t0 = process.hrtime.bigint();
  await sleep(3000);
  const used = cpuUsageNs(pid) - before;
  const elapsed = Number(process.hrtime.bigint() - t0);
  const share = used / elapsed;
  // 10% of one core is the quota (10 ms per 100 ms period); generous bounds, never a wall-clock one.
  expect(share).toBeGreaterThan(0);
  expect(share).toBeLessThan(0.3);
});

test('a BestEffort pod is in kubepods/besteffort with the minimum cpu.shares', async () => {
  await apply('idle', { command: ['sleep', '600'] });
  const pod = await until('idle Running', async () => {
    const p = await getJson('get', 'pod', 'idle');
    return p.status?.containerStatuses?.[0]?.state?.running && p;
  });
  expect(pod.status.qosClass).toBe('BestEffort');
  const cg = cgroupsOf(pidOf(pod));
  const path = cg.get('memory') ?? cg.get('')!;
  expect(path).toMatch(new RegExp(`/keelson/node-1-[0-9a-f]{8}/kubepods/besteffort/pod${pod.metadata.uid}/main$`));
  const cpu = mountOf('cpu');
  if (cpu && cg.has('cpu')) expect(readFileSync(join(cpu, cg.get('cpu')!, '..', '..', 'cpu.shares'), 'utf8').trim()).toBe('2');
});
