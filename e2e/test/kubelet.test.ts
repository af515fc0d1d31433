// The kubelet with the process runtime, driven by the real kubectl: node registration and
// heartbeat, pods bound to node-1 really running as processes, logs through the gateway,
// graceful deletion, CrashLoopBackOff, probes, image pull errors, and a kubelet restart.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startControlPlane, type ControlPlane, type ServiceProcess, until as waitUntil } from '@keelson/testing';

jest.setTimeout(90_000);

const KUBELET_SECRET = 'kubelet-test-secret';
let cp: ControlPlane;
let kubelet: ServiceProcess;
let kubeletEnv: Record<string, string>;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  kubeletEnv = {
    NODE_NAME: 'node-1',
    KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'),
    KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET,
    KEELSON_NODE_CPU: '4',
    KEELSON_NODE_MEMORY: '8Gi',
    KEELSON_NODE_LEASE_RENEW_MS: '1000',
    KEELSON_NODE_STATUS_UPDATE_MS: '2000',
    KEELSON_KUBELET_BACKOFF_BASE_MS: '1000',
    KEELSON_KUBELET_BACKOFF_MAX_MS: '8000',
    KEELSON_LEADER_ELECT: 'false',
  };
  kubelet = await cp.startService('kubelet', { env: kubeletEnv, instance: 'node-1' });
});
afterAll(async () => {
  // Pods' processes outlive the kubelet by design: delete them first.
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

type Json = Record<string, any>;
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function podManifest(name: string, container: Json, spec: Json = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 5, ...spec, containers: [{ name: 'main', image: 'node', ...container }] } });
}
const create = (manifest: string) => cp.kubectl(['apply', '-f', '-'], { input: manifest }).then((r) => expect(r.stderr).toBe(''));
const pidOf = (pod: Json): number => Number(String(pod.status.containerStatuses[0].containerID).replace('process://', ''));
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe('node registration', () => {
  test('kubectl get nodes shows node-1 Ready with the Kubernetes columns', async () => {
    const out = await until('node-1 Ready', async () => {
      const o = await cp.k('get', 'nodes', '-o', 'wide');
      return /^node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-keelson\s+127\.0\.0\.1\s/m.test(o) && o;
    });
    expect(out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
    const node = await getJson('get', 'node', 'node-1');
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' });
    expect(node.status.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.32.0-keelson');
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBeGreaterThan(0);
  });

  test('the kubelet renews its Lease in kube-node-lease', async () => {
    const first = await until('the node lease', () => getJson('get', 'lease', 'node-1', '-n', 'kube-node-lease'));
    expect(first.spec.holderIdentity).toBe('node-1');
    expect(first.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1' });
    await until('a renewal', async () => (await getJson('get', 'lease', 'node-1', '-n', 'kube-node-lease')).spec.renewTime !== first.spec.renewTime);
  });

  test('kubectl describe node shows capacity, allocatable and conditions', async () => {
    const out = await cp.k('describe', 'node', 'node-1');
    expect(out).toMatch(/Capacity:\s+cpu:\s+4/);
    expect(out).toMatch(/Allocatable:/);
    expect(out).toMatch(/Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
    expect(out).toMatch(/Kubelet Version:\s+v1\.32\.0-keelson/);
  });
});

describe('a pod bound to node-1 runs as a real process', () => {
  let port = 0;
  let marker = '';
  let pid = 0;

  test('it runs, serves, and kubectl get pods -o wide shows Running with node and IP', async () => {
    port = await freePort();
    // Pods run unprivileged (not as the root kubelet): the marker goes where they may write.
    const shared = join(cp.dir, 'shared');
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    marker = join(shared, 'web-terminated');
    const script = `const fs=require('fs');require('http').createServer((q,s)=>{console.log('got '+q.url);s.end('hi')}).listen(${port},()=>console.log('listening on ${port}'));` +
      `process.on('SIGTERM',()=>{fs.writeFileSync(process.env.MARKER,'SIGTERM');process.exit(0)})`;
    // The pod's sandbox shows none of the host's files: the directory is a hostPath volume, mounted at the same path.
    await create(podManifest('web', { command: ['node', '-e', script], env: [{ name: 'MARKER', value: marker }], volumeMounts: [{ name: 'shared', mountPath: shared }] }, { volumes: [{ name: 'shared', hostPath: { path: shared, type: 'Directory' } }] }));
    const row = await until('web Running', async () => {
      const o = await cp.k('get', 'pod', 'web', '-o', 'wide');
      return /^web\s+1\/1\s+Running\s+0\s+\S+\s+127\.0\.0\.1\s+node-1\s/m.test(o) && o;
    });
    expect(row).toMatch(/IP\s+NODE/);
    // Running (no readiness probe) can precede the listen by a moment.
    expect(await until('the server answering', () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()))).toBe('hi');
    const pod = await getJson('get', 'pod', 'web');
    pid = pidOf(pod);
    expect(pod.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1' });
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0 });
    expect(pod.status.conditions.map((c: Json) => `${c.type}=${c.status}`)).toEqual(expect.arrayContaining(['PodScheduled=True', 'Initialized=True', 'ContainersReady=True', 'Ready=True']));
  });

  test('kubectl logs shows its output, and logs -f streams new lines', async () => {
    expect(await cp.k('logs', 'web')).toContain(`listening on ${port}`);
    const follower = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, 'logs', '-f', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      await until('the existing log', async () => seen.includes('listening'));
      await fetch(`http://127.0.0.1:${port}/followed`);
      await until('a new line on the follow stream', async () => seen.includes('got /followed'));
    } finally {
      follower.kill();
    }
  });

  test('the kubelet log port refuses callers without the gateway token', async () => {
    const node = await getJson('get', 'node', 'node-1');
    const res = await fetch(`http://127.0.0.1:${node.status.daemonEndpoints.kubeletEndpoint.Port}/containerLogs/default/web/main`);
    expect(res.status).toBe(401);
  });

  test('a kubelet crash (kill -9) and restart adopts the running process instead of starting another', async () => {
    await kubelet.kill('SIGKILL');
    const survived = alive(pid);
    await kubelet.start();
    expect(survived).toBe(true);
    await sleep(2000);
    const pod = await getJson('get', 'pod', 'web');
    expect(pidOf(pod)).toBe(pid);
    expect(pod.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(await cp.k('logs', 'web')).toContain(`listening on ${port}`);
  });

  test('kubectl delete pod stops the process gracefully (SIGTERM) and removes the pod', async () => {
    await cp.k('delete', 'pod', 'web', '--timeout=30s');
    expect(readFileSync(marker, 'utf8')).toBe('SIGTERM');
    await until('the process gone', async () => !alive(pid), 5000);
    expect((await cp.kubectl(['get', 'pod', 'web'])).stderr).toMatch(/NotFound/);
  });
});

describe('restarts, back-off and probes', () => {
  test('a command exiting 1 goes to CrashLoopBackOff with growing delays', async () => {
    await create(podManifest('crash', { command: ['sh', '-c', 'echo boom; exit 1'] }));
    const messages = new Set<string>();
    const pod = await until('three restarts', async () => {
      const p = await getJson('get', 'pod', 'crash');
      const cs = p.status?.containerStatuses?.[0];
      const m = /back-off (\d+)s restarting/.exec(cs?.state?.waiting?.message ?? '');
      if (m) messages.add(m[1]);
      return cs?.restartCount >= 3 && messages.size >= 2 && p;
    }, 45_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; back-offs seen ${[...messages].join(',')}; status ${JSON.stringify((await getJson('get', 'pod', 'crash')).status)}`);
    });
    const delays = [...messages].map(Number);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[delays.length - 1]).toBeGreaterThan(delays[0]);
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    await until('CrashLoopBackOff in kubectl get pods', async () => /crash\s+0\/1\s+CrashLoopBackOff\s+\d+/.test(await cp.k('get', 'pod', 'crash')));
    expect(await cp.k('logs', 'crash', '--previous')).toContain('boom');
    await cp.k('delete', 'pod', 'crash', '--timeout=30s');
  });

  test('a failing readiness probe keeps the pod Running but not Ready', async () => {
    await create(podManifest('unready', { command: ['sleep', '600'], readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } }));
    await until('running', async () => (await getJson('get', 'pod', 'unready')).status?.phase === 'Running');
    await sleep(3000);
    const pod = await getJson('get', 'pod', 'unready');
    expect(pod.status.containerStatuses[0]).toMatchObject({ ready: false, restartCount: 0 });
    expect(pod.status.conditions.find((c: Json) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(await cp.k('get', 'pod', 'unready')).toMatch(/unready\s+0\/1\s+Running\s+0/);
    await cp.k('delete', 'pod', 'unready', '--timeout=30s');
  });

  test('a failing liveness probe restarts the container', async () => {
    await create(podManifest('unhealthy', { command: ['sleep', '600'], livenessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1, failureThreshold: 2 } }, { terminationGracePeriodSeconds: 1 }));
    const pod = await until('a restart', async () => {
      const p = await getJson('get', 'pod', 'unhealthy');
      return p.status?.containerStatuses?.[0]?.restartCount >= 1 && p;
    });
    expect(pod.status.containerStatuses[0].lastState.terminated.exitCode).toBe(143);
    const events = await cp.k('get', 'events', '--field-selector', 'involvedObject.name=unhealthy');
    expect(events).toMatch(/Liveness probe failed/);
    await cp.k('delete', 'pod', 'unhealthy', '--timeout=30s');
  });

  test('a command that does not resolve reports ErrImagePull, then ImagePullBackOff', async () => {
    await create(podManifest('nopull', { command: ['no-such-binary-keelson'] }));
    const reasons = new Set<string>();
    await until('ImagePullBackOff', async () => {
      const p = await getJson('get', 'pod', 'nopull');
      const w = p.status?.containerStatuses?.[0]?.state?.waiting;
      if (w?.reason) reasons.add(w.reason);
      return reasons.has('ImagePullBackOff') && reasons;
    });
    const pod = await getJson('get', 'pod', 'nopull');
    expect(pod.status.phase).toBe('Pending');
    expect(JSON.stringify(pod.status.containerStatuses[0].state.waiting)).toMatch(/no-such-binary-keelson/);
    // Every sync in back-off writes the same message (it grew by one "Back-off pulling image" per
    // sync, and each write's event brought the next sync: a write loop that kept deletes in 409s).
    await new Promise((r) => setTimeout(r, 1500));
    const later = await getJson('get', 'pod', 'nopull');
    const message = String(later.status.containerStatuses[0].state.waiting?.message ?? '');
    expect(message.match(/Back-off pulling image/g)?.length ?? 0).toBeLessThanOrEqual(1);
    await cp.k('delete', 'pod', 'nopull', '--timeout=30s');
  });

  test('kubectl run with only args runs them as the command line; a container with neither reports ImagePullBackOff', async () => {
    // `kubectl run x --image=python -- python3 -c …` sets args alone, for the image's entrypoint;
    // the process runtime's images have none, so (as a runtime does then) args are the whole argv.
    await cp.k('run', 'argsonly', '--image=python', '--restart=Never', '--overrides={"spec":{"nodeName":"node-1"}}', '--', 'python3', '-c', 'import sys; print("args only:", sys.argv[1:])', 'one', 'two');
    await until('argsonly Succeeded', async () => (await getJson('get', 'pod', 'argsonly')).status?.phase === 'Succeeded');
    expect(await cp.k('logs', 'argsonly')).toContain("args only: ['one', 'two']");
    await cp.k('delete', 'pod', 'argsonly', '--timeout=30s');

    await create(podManifest('noargv', {}));
    const waiting = await until('noargv waiting to pull', async () => {
      const w = (await getJson('get', 'pod', 'noargv')).status?.containerStatuses?.[0]?.state?.waiting;
      return ['ErrImagePull', 'ImagePullBackOff'].includes(w?.reason) && w;
    });
    expect(waiting.message).toMatch(/container main has neither/);
    await cp.k('delete', 'pod', 'noargv', '--timeout=30s');
  });
});

describe('a graceful kubelet stop', () => {
  test('stops its pods (SIGTERM); the next kubelet starts them again, counting the restart', async () => {
    await create(podManifest('graceful', { command: ['sleep', '600'] }));
    const before = await until('graceful Running', async () => {
      const p = await getJson('get', 'pod', 'graceful');
      return p.status?.containerStatuses?.[0]?.state?.running && p;
    });
    const pid = pidOf(before);
    await kubelet.kill('SIGTERM');
    expect(alive(pid)).toBe(false);
    await kubelet.start();
    const after = await until('graceful running again', async () => {
      const p = await getJson('get', 'pod', 'graceful');
      const cs = p.status?.containerStatuses?.[0];
      return cs?.state?.running && cs.restartCount === 1 && p;
    });
    expect(after.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    expect(pidOf(after)).not.toBe(pid);
    await cp.k('delete', 'pod', 'graceful', '--timeout=30s');
  });
});

describe('the simulated runtime', () => {
  test('one kubelet process hosts NODE_COUNT nodes whose pods go Running and Ready at once', async () => {
    await cp.startService('kubelet', { env: { ...kubeletEnv, NODE_NAME: 'sim', NODE_COUNT: '2', KEELSON_KUBELET_RUNTIME: 'simulated', KEELSON_KUBELET_AUTH_TOKEN: '' }, instance: 'sim' });
    await until('sim-0 and sim-1 Ready', async () => {
      const o = await cp.k('get', 'nodes');
      return /^sim-0\s+Ready\s/m.test(o) && /^sim-1\s+Ready\s/m.test(o);
    });
    await create(podManifest('kwok', { image: 'nginx', command: undefined }, { nodeName: 'sim-1' }));
    await until('kwok Running', async () => /^kwok\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+sim-1\s/m.test(await cp.k('get', 'pod', 'kwok', '-o', 'wide')));
    await cp.k('delete', 'pod', 'kwok', '--timeout=30s');
  });
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => waitUntil(what, fn, timeoutMs, 300);
