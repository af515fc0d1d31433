// Issue 15, the `process` provider as a user meets it: `npm start` turns it on (the autoscaler
// gets the shared kubelet identity), so a NodePool with `provider: process` grows by a real
// kubelet process whose pods run, whose logs kubectl reads through the gateway, and which Ctrl-C
// stops with the cluster; started again, the machine comes back with its pod.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCmdline, startLocalCluster, until as waitUntil, type LocalCluster } from '@keelson/testing';

jest.setTimeout(300_000);

type Json = Record<string, any>;
let home: string;
let cluster: LocalCluster | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'keelson-autoscaler-'));
});
afterAll(async () => {
  await cluster?.stop({ signal: 'SIGINT' });
  rmSync(home, { recursive: true, force: true });
});

const start = async (): Promise<LocalCluster> => (cluster = await startLocalCluster({ home, readyTimeoutMs: 120_000 }));
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> =>
  waitUntil(what, fn, timeoutMs, 500, () => (cluster?.log() ?? '').split('\n').filter((l) => l.includes('autoscaler')).slice(-30).join('\n'));
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cluster!.k(...args, '-o', 'json')) as Json;
const cmdline = processCmdline;

const POOL = JSON.stringify({
  apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name: 'procs' },
  spec: { minNodes: 0, maxNodes: 1, provider: 'process', nodeTemplate: { allocatable: { cpu: '2', memory: '2Gi', pods: '10' }, labels: { tier: 'procs' } } },
});
const POD = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-pool' },
  spec: {
    nodeSelector: { tier: 'procs' }, terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image: 'busybox', command: ['/bin/sh', '-c', 'echo hello from the pool; exec sleep 3605'] }],
  },
});

let node = '';
let kubeletPid = 0;

test('npm start: a pod only a process NodePool can take makes the autoscaler start a kubelet process; the pod runs and kubectl logs reads it', async () => {
  const c = await start();
  expect((await c.kubectl(['apply', '-f', '-'], { input: POOL })).stderr).toBe('');
  expect((await c.kubectl(['apply', '-f', '-'], { input: POD })).stderr).toBe('');
  const pod = await until('the pod Running on a pool node', async () => {
    const p = await getJson('get', 'pod', 'on-pool');
    return p.status?.phase === 'Running' && p;
  });
  node = pod.spec.nodeName as string;
  const n = await getJson('get', 'node', node);
  expect(n.metadata.labels).toMatchObject({ tier: 'procs', 'autoscaling.keelson.dev/node-pool': 'procs' });
  kubeletPid = Number(n.metadata.annotations['autoscaling.keelson.dev/kubelet-pid']);
  expect(cmdline(kubeletPid)).toContain('kubelet/dist/main.js');
  // Its own session: not in the autoscaler's process group, so it outlives the autoscaler.
  const stat = readFileSync(`/proc/${kubeletPid}/stat`, 'utf8');
  expect(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]).toBe(String(kubeletPid)); // session id
  // npm start runs the gateway with its node flags (a larger young generation: infra/local GATEWAY_NODE_FLAGS).
  const rec = JSON.parse(readFileSync(join(home, 'pids.json'), 'utf8')) as { procs: Array<{ name: string; pid: number }> };
  expect(cmdline(rec.procs.find((p) => p.name === 'api-gateway')!.pid)).toContain('--max-semi-space-size=64 ');
  // The gateway reaches the pool kubelet with its token, as for node-1.
  await until('kubectl logs', async () => (await c.kubectl(['logs', 'on-pool'])).stdout.includes('hello from the pool'));
});

test('Ctrl-C of npm start stops the pool\'s kubelet and its pod; started again, the machine comes back and the pod runs again', async () => {
  const c = cluster!;
  const podPid = Number(String((await getJson('get', 'pod', 'on-pool')).status.containerStatuses[0].containerID).replace('process://', ''));
  expect(cmdline(podPid)).toContain('sleep 3605');
  await c.stop({ signal: 'SIGINT', keepHome: true });
  cluster = undefined;
  expect(cmdline(kubeletPid)).toBeUndefined();
  expect(cmdline(podPid)).toBeUndefined();

  await start();
  const back = await until('the pool node Ready again, with a new kubelet', async () => {
    const n = await getJson('get', 'node', node);
    const pid = Number(n.metadata.annotations?.['autoscaling.keelson.dev/kubelet-pid']);
    const ready = (n.status?.conditions ?? []).find((x: Json) => x.type === 'Ready')?.status === 'True';
    return ready && pid !== kubeletPid && cmdline(pid)?.includes('kubelet/dist/main.js') ? pid : undefined;
  });
  kubeletPid = back;
  await until('the pod running again', async () => {
    const p = await getJson('get', 'pod', 'on-pool');
    return p.status?.containerStatuses?.[0]?.state?.running && p.status.containerStatuses[0].restartCount >= 1;
  });
  expect((await getJson('get', 'nodes', '-l', 'autoscaling.keelson.dev/node-pool=procs')).items).toHaveLength(1);
  await cluster!.stop({ signal: 'SIGINT', keepHome: true });
  cluster = undefined;
  expect(cmdline(kubeletPid)).toBeUndefined();
});
