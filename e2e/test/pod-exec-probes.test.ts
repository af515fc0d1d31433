// Issue 12, the sandbox's last gaps: exec probes run in the pod (its namespaces, cgroups, user and
// environment, as `kubectl exec` does), the container's environment keeps names no shell can hold
// (`my.setting`), and the downward API's status.hostIP is the node's address, not the pod's.
// Needs root (CI runs as root), as the kubelet does to make sandboxes.
import { chmodSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// A block of its own, so a cluster started next to this one keeps its routes.
const CLUSTER_CIDR = `10.${150 + Math.floor(Math.random() * 40)}.0.0/16`;
const NODE = 'probe-node';
const NS = 'probes';
// On the host only: a pod's /tmp is its own.
const HOST_MARKER = `/tmp/keelson-probe-host-marker-${process.pid}`;
let cp: ControlPlane;
let kubelet: { log(): string } | undefined;

const pod = (name: string, containers: Json[], spec: Json = {}): Json => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, ...spec, containers: containers.map((c) => ({ image: 'busybox', ...c })) },
});
// Generous timeouts: a loaded CI machine takes seconds to start a process, and a probe that times out fails.
const execProbe = (script: string, failureThreshold = 1): Json => ({ exec: { command: ['sh', '-c', script] }, periodSeconds: 1, timeoutSeconds: 30, failureThreshold });

// True only inside the pod: its hostname, its own /tmp, its emptyDir, its user, its environment
// (a name with a dot: the shell's own, as handed over, since dash keeps no such variable), its cgroup.
const IN_POD_CHECKS = [
        'test "$(cat /etc/hostname)" = in-pod',
        'test -e /tmp/only-in-pod',
        'test "$(cat /data/note)" = shared',
        'test "$(id -u)" = 65534',
        'tr "\\0" "\\n" < /proc/$$/environ | grep -qx my.setting=1',
        'grep -q "kubepods/.*/main$" /proc/self/cgroup',
      ].join(' && ');

// Where the pre-stop pod logs, on the host (world-writable: the pod runs as an unprivileged user).
const PRESTOP_DIR = `/tmp/keelson-prestop-${process.pid}`;
const MANY = Array.from({ length: 40 }, (_, i) => i);

function manifests(): Json[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dotted', namespace: NS }, data: { 'app.conf': 'blue', plain: 'yes' } },
    // Ready only if the probe sees what only the pod sees: its hostname, its own /tmp, its emptyDir,
    // its cgroup, its user and its environment (a name with a dot among it).
    pod('in-pod', [{
      name: 'main',
      // The shell stays the main process: an exec'd command gets the main process's environment, and
      // a shell that exec'd `sleep` would have handed it on without my.setting (dash keeps no such variable).
      command: ['sh', '-c', 'echo here > /tmp/only-in-pod; echo shared > /data/note; while :; do sleep 1; done'],
      env: [{ name: 'my.setting', value: '1' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      readinessProbe: execProbe(IN_POD_CHECKS),
      livenessProbe: execProbe('test "$(hostname)" = in-pod', 3),
    }], { volumes: [{ name: 'data', emptyDir: {} }] }),
    // Would pass on the host (the marker is there); in the pod it fails. Each run leaves a line in
    // the pod's own /tmp, so the test sees the probe ran there.
    pod('host-only', [{
      name: 'main',
      command: ['sh', '-c', 'exec sleep 3600'],
      readinessProbe: execProbe(`echo probed >> /tmp/probe-runs; test -e ${HOST_MARKER}`),
    }]),
    // Probed from its first instant (no initial delay, one failure kills it): a probe that comes
    // while the container is still on its way to its command waits for it, as kube probes only a
    // running command; it must never count as a failure and restart the container.
    // Its many mounts make its start steps take a while (a `mount` each, before the command runs).
    pod('live-at-once', [{
      name: 'main',
      command: ['sleep', '3600'],
      volumeMounts: MANY.map((i) => ({ name: `v${i}`, mountPath: `/v/${i}` })),
      livenessProbe: execProbe('true', 1),
      startupProbe: execProbe('true', 1),
    }], { volumes: MANY.map((i) => ({ name: `v${i}`, emptyDir: {} })) }),
    // Never starts: after failureThreshold failures of its startup probe it is killed and restarted.
    pod('never-starts', [{ name: 'main', command: ['sleep', '3600'], startupProbe: execProbe('false', 2) }], { terminationGracePeriodSeconds: 0 }),
    // Its startup probe passes once and would fail ever after: once started, startup is not probed again.
    pod('starts-once', [{ name: 'main', command: ['sleep', '3600'], startupProbe: execProbe('if [ -e /tmp/started ]; then exit 1; fi; touch /tmp/started', 1) }]),
    // Ignores SIGTERM; the pod grants 60 s to stop, its liveness probe's kill only 1 s.
    pod('probe-grace', [{
      name: 'main',
      command: ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'],
      // Fails once (the pod's /tmp outlives the container), so the restart then runs on.
      livenessProbe: { ...execProbe('test -e /tmp/failed-once || { touch /tmp/failed-once; exit 1; }', 1), terminationGracePeriodSeconds: 1 },
    }], { terminationGracePeriodSeconds: 60 }),
    // Its preStop hook and its SIGTERM handler both log to the host: the hook runs first, in the container.
    pod('pre-stop', [{
      name: 'main',
      command: ['sh', '-c', 'trap "echo term-$(hostname) >> /out/log; exit 0" TERM; while :; do sleep 1; done'],
      volumeMounts: [{ name: 'out', mountPath: '/out' }],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop-$(hostname) >> /out/log'] } } },
    }], { volumes: [{ name: 'out', hostPath: { path: PRESTOP_DIR, type: 'Directory' } }], terminationGracePeriodSeconds: 20 }),
    pod('env', [{
      name: 'main',
      command: ['env'],
      envFrom: [{ configMapRef: { name: 'dotted' }, prefix: 'CFG_' }],
      env: [
        { name: 'my.setting', value: '1' },
        { name: 'dots.and-dashes', value: '$(my.setting)-expanded' },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
    }], { restartPolicy: 'Never' }),
  ];
}

beforeAll(async () => {
  writeFileSync(HOST_MARKER, 'host\n', { mode: 0o644 });
  mkdirSync(PRESTOP_DIR, { recursive: true });
  chmodSync(PRESTOP_DIR, 0o777);
  cp = await startControlPlane({ nats: true, services: ['node-lifecycle-controller', 'kubelet'], nodes: [NODE] });
  await cp.startService('node-lifecycle-controller', { env: { KEELSON_CLUSTER_CIDR: CLUSTER_CIDR, KEELSON_LEADER_ELECT: 'false' } });
  kubelet = await cp.startService('kubelet', {
    instance: NODE,
    env: { NODE_NAME: NODE, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', NODE), KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_STATUS_UPDATE_MS: '1000', KEELSON_NODE_LEASE_RENEW_MS: '1000' },
  });
  // The node's podCIDR first, so every pod gets an IP of its own (not the host's).
  await until('podCIDR', async () => (await getJson('get', 'node', NODE)).spec?.podCIDR, 60_000);
  await cp.k('create', 'namespace', NS);
  const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests() }) });
  expect(r.stderr).toBe('');
}, 240_000);
afterAll(async () => {
  rmSync(HOST_MARKER, { force: true });
  rmSync(PRESTOP_DIR, { recursive: true, force: true });
  await cp?.kubectl(['delete', 'pods', '--all', '-n', NS, '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
const getPod = async (name: string): Promise<Json> => {
  const p = await getJson('get', 'pod', name, '-n', NS);
  lastPods = JSON.stringify(p.status?.containerStatuses ?? p.status);
  return p;
};
const ready = (p: Json): boolean => (p.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
let lastPods = '';
const diag = (): string => `${lastPods}\n--- kubelet ---\n${kubelet?.log().slice(-3000) ?? ''}`;

describe('exec probes run in the pod', () => {
  test('a readiness probe that checks what only the pod sees (hostname, /tmp, emptyDir, cgroup, user, env) makes it Ready; liveness keeps it running', async () => {
    // While it is not Ready, the same checks through kubectl exec (the same launch) say which one fails.
    let why = '';
    const p = await until('in-pod Ready', async () => {
      const x = await getPod('in-pod');
      if (ready(x)) return x;
      if (x.status?.phase === 'Running') why = (await cp.kubectl(['exec', '-n', NS, 'in-pod', '--', 'sh', '-xc', IN_POD_CHECKS])).stderr;
      return false;
    }, 90_000, 500, () => `${why}\n${diag()}`);
    const s = p.status.containerStatuses[0];
    expect(s.ready).toBe(true);
    expect(s.restartCount).toBe(0);
  });

  test('a probe that would only pass on the host does not: it ran in the pod (its runs are in the pod\'s /tmp) and the pod stays not Ready', async () => {
    let execErr = '';
    const runs = await until('three probe runs in the pod', async () => {
      const r = await cp.kubectl(['exec', '-n', NS, 'host-only', '--', 'cat', '/tmp/probe-runs']);
      const n = r.stdout.split('\n').filter((l) => l === 'probed').length;
      if (n < 3) {
        execErr = `exec: ${r.stderr.trim()} (${n} runs so far)`;
        await getPod('host-only').catch(() => undefined); // its status goes into the diagnostics
      }
      return n >= 3 && n;
    }, 90_000, 500, () => `${execErr}\n${diag()}`);
    expect(runs).toBeGreaterThanOrEqual(3);
    const p = await getPod('host-only');
    expect(p.status.phase).toBe('Running');
    expect(ready(p)).toBe(false);
    expect(p.status.containerStatuses[0].ready).toBe(false);
  });

  test('probes from the container\'s first instant with failureThreshold 1 never restart it: one still starting is waited for', async () => {
    await until('live-at-once started', async () => (await getPod('live-at-once')).status?.containerStatuses?.[0]?.started === true, 90_000, 250, diag);
    // A few liveness periods after the start.
    await new Promise((r) => setTimeout(r, 4000));
    const p = await getPod('live-at-once');
    expect(p.status.containerStatuses[0].restartCount).toBe(0);
    const events = JSON.parse(await cp.k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=live-at-once', '-o', 'json')) as Json;
    expect(events.items.filter((e: Json) => e.reason === 'Unhealthy' || e.reason === 'Killing').map((e: Json) => e.message)).toEqual([]);
  });

  test('a startup probe that never passes gets the container killed and restarted after failureThreshold failures, with kube\'s events', async () => {
    const p = await until('never-starts restarted', async () => {
      const x = await getPod('never-starts');
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x;
    }, 90_000, 500, diag);
    expect(p.status.containerStatuses[0].started).toBe(false);
    expect(ready(p)).toBe(false);
    const events = JSON.parse(await cp.k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=never-starts', '-o', 'json')) as Json;
    const said = events.items.map((e: Json) => `${e.reason}: ${e.message}`);
    expect(said).toContain('Killing: Container main failed startup probe, will be restarted');
    expect(said.some((m: string) => m.startsWith('Unhealthy: Startup probe failed'))).toBe(true);
  });

  test('once its startup probe passed, a container is not startup-probed again (a later failure would restart it)', async () => {
    await until('starts-once started', async () => (await getPod('starts-once')).status?.containerStatuses?.[0]?.started === true, 90_000, 250, diag);
    await new Promise((r) => setTimeout(r, 4000));
    const p = await getPod('starts-once');
    expect(p.status.containerStatuses[0].restartCount).toBe(0);
    expect(p.status.containerStatuses[0].started).toBe(true);
    expect(ready(p)).toBe(true);
  });

  test('a liveness kill uses the probe\'s terminationGracePeriodSeconds, not the pod\'s', async () => {
    const p = await until('probe-grace restarted', async () => {
      const x = await getPod('probe-grace');
      return x.status?.containerStatuses?.[0]?.lastState?.terminated && x;
    }, 90_000, 500, diag);
    const ended = Date.parse(p.status.containerStatuses[0].lastState.terminated.finishedAt);
    const events = JSON.parse(await cp.k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=probe-grace,reason=Killing', '-o', 'json')) as Json;
    const killed = Math.min(...events.items.map((e: Json) => Date.parse(e.firstTimestamp ?? e.eventTime)));
    // Killed about a second after the kill began (SIGKILL after the probe's 1 s), not after the pod's 60 s.
    expect(ended - killed).toBeLessThan(20_000);
    // SIGTERM reached the command (which ignored it), so it was SIGKILLed: 137, not the 143 of a
    // start step that died of SIGTERM in its place.
    expect(p.status.containerStatuses[0].lastState.terminated.exitCode).toBe(137);
    // And it is gone: the pod runs one copy of the command, its restart, not the old one beside it.
    await until('probe-grace running again', async () => (await getPod('probe-grace')).status?.containerStatuses?.[0]?.state?.running, 90_000, 250, diag);
    const procs = await cp.k('exec', '-n', NS, 'probe-grace', '--', 'sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done');
    expect(procs.split('\n').filter((l) => l.startsWith('sh -c trap'))).toHaveLength(1);
  });

  test('deleting a pod runs its preStop hook in the container first, then SIGTERM reaches the command', async () => {
    await until('pre-stop running', async () => (await getPod('pre-stop')).status?.containerStatuses?.[0]?.state?.running, 90_000, 250, diag);
    await cp.k('delete', 'pod', 'pre-stop', '-n', NS, '--wait=true', '--timeout=60s');
    expect(readFileSync(join(PRESTOP_DIR, 'log'), 'utf8')).toBe('prestop-pre-stop\nterm-pre-stop\n');
  });

  test('kubectl exec joins the same cgroup as the container (one launch for exec and probes)', async () => {
    const cg = await cp.k('exec', '-n', NS, 'in-pod', '--', 'cat', '/proc/self/cgroup');
    expect(cg).toMatch(/kubepods\/.*\/main$/m);
  });
});

describe('the container environment', () => {
  let vars = new Map<string, string>();
  let p: Json = {};
  beforeAll(async () => {
    p = await until('env Succeeded', async () => {
      const x = await getPod('env');
      return x.status?.phase === 'Succeeded' && x;
    }, 90_000, 250, diag);
    const log = await cp.k('logs', '-n', NS, 'env');
    vars = new Map(log.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  });

  test('names that are not shell names reach the container: my.setting, envFrom keys with dots, $(refs) to them', () => {
    expect(vars.get('my.setting')).toBe('1');
    expect(vars.get('dots.and-dashes')).toBe('1-expanded');
    expect(vars.get('CFG_app.conf')).toBe('blue');
    expect(vars.get('CFG_plain')).toBe('yes');
  });

  test('status.hostIP is the node\'s address as the pod status reports it, status.podIP the pod\'s own', () => {
    expect(p.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status.hostIP).not.toBe(p.status.podIP);
    expect(vars.get('POD_IP')).toBe(p.status.podIP);
    expect(vars.get('HOST_IP')).toBe(p.status.hostIP);
    expect(vars.get('NODE_NAME')).toBe(NODE);
  });
});
