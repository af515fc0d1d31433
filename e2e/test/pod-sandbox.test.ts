// Issue 12, item 1 (everything of the pod sandbox but its network): as root, each pod of the
// process runtime is a sandbox of its own — PID, UTS, IPC and mount namespaces shared by its
// containers, hostname = pod name (or spec.hostname/subdomain), none of the control plane's files
// in sight — its containers run as their securityContext says, init containers run in order
// first, volumes are files and env comes from ConfigMaps and Secrets, with kube's errors.
// Everything is driven through kubectl; every pod is created up front, so they start together.
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(120_000);

const KUBELET_SECRET = 'pod-sandbox-kubelet-secret';
const NS = 'sandbox';
let cp: ControlPlane;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sh = (name: string, script: string, extra: Json = {}): Json => ({ name, image: 'busybox', command: ['sh', '-c', script], ...extra });
const pod = (name: string, spec: Json, metadata: Json = {}): Json => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, ...metadata },
  spec: { nodeName: 'node-1', restartPolicy: 'Never', terminationGracePeriodSeconds: 1, ...spec },
});

function manifests(): Json[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { 'app.conf': 'color=blue\n', greeting: 'hello', mode: 'fast' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: NS }, stringData: { password: 's3cr3t', user: 'admin' } },
    // Something else running on the node, which no pod may see.
    pod('bystander', { restartPolicy: 'Always', containers: [sh('main', 'exec sleep 3601')] }),
    // Two containers: one stays, the other looks around.
    pod('inspect', {
      containers: [
        sh('idle', 'exec sleep 3602'),
        sh('look', [
          // Its sibling has exec'd its command (the sandbox's pause holder runs a `sleep` of its own,
          // so a bare `pgrep -x sleep` could match before the sibling was more than its wrapper).
          'for i in $(seq 300); do pgrep -f -x "sleep 3602" >/dev/null && break; sleep 0.1; done',
          'echo "hostname=$(hostname) env=$HOSTNAME"',
          'echo "ns-pid=$(readlink /proc/self/ns/pid) ns-uts=$(readlink /proc/self/ns/uts) ns-ipc=$(readlink /proc/self/ns/ipc) ns-mnt=$(readlink /proc/self/ns/mnt)"',
          'ps -eo args | sed "s/^/ps: /"',
          `for f in ${[cp.creds.keyFile, cp.creds.tokenFile, cp.etcd.dataDir, join(cp.dir, 'pki', 'ca.key'), cp.kubeconfig, join(cp.dir, 'tokens')].join(' ')}; do if [ -e "$f" ]; then echo "visible $f"; else echo "hidden $f"; fi; done`,
          // The kubelet's pod directories: only this pod's own is there.
          `echo "pod dirs: $(ls ${join(cp.dir, 'kubelet', 'node-1', 'pods')} | wc -l)"`,
          'echo "root: $(ls / | tr "\\n" " ")"',
          'mount -t tmpfs x /mnt 2>/dev/null && echo mounted || echo "mount refused"',
        ].join('; ')),
      ],
    }),
    pod('named', { hostname: 'web-0', subdomain: 'front', containers: [sh('main', 'echo "hostname=$(hostname)"; grep web-0 /etc/hosts')] }),
    // securityContext: the pod's runAsUser/runAsGroup/supplementalGroups, one container overriding runAsUser.
    pod('users', {
      securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000] },
      containers: [sh('pod-level', 'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"'), sh('own', 'echo "uid=$(id -u) gid=$(id -g)"', { securityContext: { runAsUser: 2000 } })],
    }),
    pod('root', { containers: [sh('main', 'echo "uid=$(id -u)"', { securityContext: { runAsUser: 0 } })] }),
    pod('nonroot', { securityContext: { runAsNonRoot: true }, containers: [sh('main', 'id -u', { securityContext: { runAsUser: 0 } })] }),
    // Init containers: in order, each to success, before the app container; a shared emptyDir records it.
    pod('init-order', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [sh('first', 'sleep 1; echo first >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }), sh('second', 'echo second >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
      containers: [sh('main', 'echo main >> /work/order; cat /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
    }),
    pod('init-waits', { restartPolicy: 'Always', initContainers: [sh('done', 'true'), sh('blocks', 'exec sleep 3603')], containers: [sh('main', 'exec sleep 3604')] }),
    pod('init-fails', { initContainers: [sh('broken', 'echo failing; exit 3')], containers: [sh('main', 'echo should-not-run')] }),
    pod('init-retries', {
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'state', emptyDir: {} }],
      initContainers: [sh('flaky', 'if [ -e /state/tried ]; then echo second-try; exit 0; fi; touch /state/tried; echo first-try; exit 1', { volumeMounts: [{ name: 'state', mountPath: '/state' }] })],
      containers: [sh('main', 'echo app-ran')],
    }),
    // Volumes as files.
    pod('volumes', {
      volumes: [
        { name: 'cm', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }] } },
        { name: 'cm-all', configMap: { name: 'cfg', defaultMode: 0o640 } },
        { name: 'cm-missing', configMap: { name: 'nope', optional: true } },
        { name: 'secret', secret: { secretName: 'creds', defaultMode: 0o440 } },
        { name: 'info', downwardAPI: { items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'mem-limit', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } },
          { path: 'cpu-request', resourceFieldRef: { containerName: 'main', resource: 'requests.cpu', divisor: '1m' } },
        ] } },
        { name: 'proj', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'greeting', path: 'greeting' }] } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
        { name: 'scratch', emptyDir: {} },
      ],
      securityContext: { runAsUser: 0 },
      containers: [
        sh('writer', 'echo shared-data > /scratch/note; exec sleep 3605', { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }),
        sh('main', [
          'for i in $(seq 300); do [ -e /scratch/note ] && break; sleep 0.1; done', // the writer runs beside it
          'echo "cm: $(cat /etc/cm/conf/app.conf) mode=$(stat -c %a /etc/cm/conf/app.conf)"',
          'echo "cm-all: $(ls /etc/cm-all | tr "\\n" " ")mode=$(stat -c %a /etc/cm-all/greeting)"',
          'echo "cm-missing: $(ls -A /etc/cm-missing | wc -l) files"',
          'echo "secret: $(cat /etc/secret/user)/$(cat /etc/secret/password) mode=$(stat -c %a /etc/secret/password)"',
          'echo "labels: $(cat /etc/info/labels | tr "\\n" " ")"',
          'echo "annotations: $(grep ^note= /etc/info/annotations)"',
          'echo "name: $(cat /etc/info/name) mem-limit: $(cat /etc/info/mem-limit) cpu-request: $(cat /etc/info/cpu-request)"',
          'echo "projected: $(cat /proj/greeting) $(cat /proj/ns)"',
          'echo "scratch: $(cat /scratch/note)"',
          'echo "readonly: $(touch /etc/cm-all/x 2>&1 >/dev/null | grep -c Read-only)"',
        ].join('; '), {
          resources: { limits: { memory: '64Mi', cpu: '500m' }, requests: { memory: '32Mi', cpu: '250m' } },
          volumeMounts: [
            { name: 'cm', mountPath: '/etc/cm' }, { name: 'cm-all', mountPath: '/etc/cm-all', readOnly: true }, { name: 'cm-missing', mountPath: '/etc/cm-missing' },
            { name: 'secret', mountPath: '/etc/secret' }, { name: 'info', mountPath: '/etc/info' }, { name: 'proj', mountPath: '/proj' }, { name: 'scratch', mountPath: '/scratch' },
          ],
        }),
      ],
    }, { labels: { app: 'vol', tier: 'test' }, annotations: { note: 'downward' } }),
    // Environment from ConfigMaps and Secrets.
    pod('env', {
      // `env` itself, not a shell: dash drops variables whose names are not shell names (CFG_app.conf).
      containers: [{ name: 'main', image: 'busybox', command: ['env'],
        resources: { limits: { memory: '128Mi' } },
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' }, prefix: 'SECRET_' }, { configMapRef: { name: 'absent', optional: true } }],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'OPTIONAL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
          { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_MESSAGE', value: '$(GREETING) from $(MY_POD)' },
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
      }],
    }),
    pod('env-no-cm', { containers: [sh('main', 'true', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] })] }),
    pod('env-no-key', { containers: [sh('main', 'true', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } }] })] }),
    pod('env-no-secret', { containers: [sh('main', 'true', { envFrom: [{ secretRef: { name: 'nope' } }] })] }),
  ];
}

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  await cp.startService('kubelet', {
    instance: 'node-1',
    env: {
      NODE_NAME: 'node-1',
      KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'),
      KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET,
      KEELSON_KUBELET_BACKOFF_BASE_MS: '500',
      KEELSON_NODE_LEASE_RENEW_MS: '1000',
      KEELSON_NODE_STATUS_UPDATE_MS: '2000',
      KEELSON_LEADER_ELECT: 'false',
    },
  });
  await cp.k('create', 'namespace', NS);
  const list = { apiVersion: 'v1', kind: 'List', items: manifests() };
  const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) });
  expect(r.stderr).toBe('');
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '-n', NS, '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const getPod = async (name: string): Promise<Json> => JSON.parse(await cp.k('get', 'pod', name, '-n', NS, '-o', 'json')) as Json;
const statusOf = (p: Json, name: string): Json | undefined => [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].find((s: Json) => s.name === name);
const diag = () => cp.gatewayLog().slice(-1500);

/** The log of a container once it has terminated. */
async function logOf(name: string, container: string): Promise<string> {
  const s = await until(`${name}/${container} to terminate`, async () => statusOf(await getPod(name), container)?.state?.terminated, 90_000, 250, diag);
  const log = await cp.k('logs', name, '-n', NS, '-c', container);
  if (!log) throw new Error(`${name}/${container} logged nothing: ${JSON.stringify(s)}`);
  return log;
}

/** kubectl get's STATUS column for a pod. */
const kubectlStatus = async (name: string): Promise<string> => (await cp.k('get', 'pod', name, '-n', NS, '--no-headers')).trim().split(/\s+/)[2];

describe('namespaces', () => {
  let look = '';
  beforeAll(async () => {
    look = await logOf('inspect', 'look');
  });

  test('the hostname is the pod name; spec.hostname and subdomain as kube sets them', async () => {
    expect(look).toContain('hostname=inspect env=inspect');
    const named = await logOf('named', 'main');
    expect(named).toContain('hostname=web-0');
    expect(named).toMatch(/^\S+\tweb-0\.front\.sandbox\.svc\.cluster\.local\tweb-0$/m);
  });

  test('PID, UTS, IPC and mount namespaces are the pod\'s own, not the host\'s', () => {
    for (const ns of ['pid', 'uts', 'ipc', 'mnt']) {
      const inside = new RegExp(`ns-${ns}=(\\S+)`).exec(look)?.[1];
      expect(inside).toMatch(new RegExp(`^${ns}:\\[\\d+\\]$`));
      expect([ns, inside]).not.toEqual([ns, readlinkSync(`/proc/self/ns/${ns}`)]);
    }
  });

  test('ps inside sees the pod\'s own processes only', () => {
    const ps = look.split('\n').filter((l) => l.startsWith('ps: ')).map((l) => l.slice(4));
    expect(ps).toContain('sleep 3602'); // the other container of the pod
    expect(ps).toContain('ps -eo args');
    expect(ps.join('\n')).not.toContain('sleep 3601'); // another pod
    expect(ps.filter((l) => /^(\S*\/)?(node|etcd|nats-server)\b/.test(l))).toEqual([]); // the control plane
    expect(ps.length).toBeLessThan(10);
  });

  test('the control plane\'s files are not there; the pod cannot mount', () => {
    for (const f of [cp.creds.keyFile, cp.creds.tokenFile, cp.etcd.dataDir, join(cp.dir, 'pki', 'ca.key'), cp.kubeconfig]) expect(look).toContain(`hidden ${f}`);
    expect(look).not.toMatch(/^visible /m);
    expect(look).toContain('pod dirs: 1\n');
    const root = /^root: (.*)$/m.exec(look)?.[1].trim().split(' ') ?? [];
    expect(root).toEqual(expect.arrayContaining(['usr', 'etc', 'tmp', 'proc', 'dev']));
    expect(root).not.toContain('work'); // this repository's checkout, on the host
    expect(look).toContain('mount refused');
  });
});

describe('securityContext', () => {
  test('runAsUser, runAsGroup and supplementalGroups: the pod\'s, and a container\'s own over them', async () => {
    expect(await logOf('users', 'pod-level')).toBe('uid=1000 gid=3000 groups=3000 4000\n');
    expect(await logOf('users', 'own')).toBe('uid=2000 gid=3000\n');
    expect(await logOf('root', 'main')).toBe('uid=0\n');
  });

  test('runAsNonRoot with runAsUser 0 is CreateContainerConfigError', async () => {
    const s = await until('nonroot refused', async () => statusOf(await getPod('nonroot'), 'main')?.state?.waiting?.reason === 'CreateContainerConfigError' && statusOf(await getPod('nonroot'), 'main'), 30_000, 250, diag);
    expect(s.state.waiting.message).toMatch(/^container's runAsUser breaks non-root policy \(pod: "nonroot_sandbox\(.+\)", container: main\)$/);
    expect(s.restartCount).toBe(0);
    expect(await kubectlStatus('nonroot')).toBe('CreateContainerConfigError');
  });
});

describe('init containers', () => {
  test('run in order, each to success, before the app container', async () => {
    expect(await logOf('init-order', 'main')).toBe('first\nsecond\nmain\n');
    const p = await getPod('init-order');
    expect(p.status.initContainerStatuses.map((s: Json) => [s.name, s.state.terminated?.reason])).toEqual([['first', 'Completed'], ['second', 'Completed']]);
    expect(p.status.conditions.find((c: Json) => c.type === 'Initialized').status).toBe('True');
  });

  test('while one runs, the pod is Init:N/M and the app container waits in PodInitializing', async () => {
    await until('Init:1/2', async () => (await kubectlStatus('init-waits')) === 'Init:1/2', 30_000, 250, diag);
    const p = await getPod('init-waits');
    expect(p.status.phase).toBe('Pending');
    expect(statusOf(p, 'main')?.state.waiting.reason).toBe('PodInitializing');
    expect(p.status.conditions.find((c: Json) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [blocks]' });
  });

  test('a failed init container fails a restartPolicy Never pod; the app container never runs', async () => {
    await until('init-fails Failed', async () => (await getPod('init-fails')).status?.phase === 'Failed', 30_000, 250, diag);
    expect(await kubectlStatus('init-fails')).toBe('Init:Error');
    expect(statusOf(await getPod('init-fails'), 'main')?.state.waiting?.reason).toBe('PodInitializing');
    expect(await cp.k('logs', 'init-fails', '-n', NS, '-c', 'broken')).toBe('failing\n');
  });

  test('with OnFailure a failed init container restarts, then the app runs', async () => {
    expect(await logOf('init-retries', 'main')).toBe('app-ran\n');
    const flaky = statusOf(await getPod('init-retries'), 'flaky')!;
    expect(flaky.restartCount).toBeGreaterThanOrEqual(1);
    expect(flaky.state.terminated.exitCode).toBe(0);
    expect(await cp.k('logs', 'init-retries', '-n', NS, '-c', 'flaky')).toBe('second-try\n');
  });
});

describe('volumes', () => {
  let out = '';
  beforeAll(async () => {
    out = await logOf('volumes', 'main');
  });

  test('configMap: items, paths and modes; optional and missing is an empty volume', () => {
    expect(out).toContain('cm: color=blue mode=400');
    expect(out).toContain('cm-all: app.conf greeting mode mode=640');
    expect(out).toContain('cm-missing: 0 files');
    expect(out).toContain('readonly: 1');
  });

  test('secret: decoded, with its defaultMode', () => {
    expect(out).toContain('secret: admin/s3cr3t mode=440');
  });

  test('downwardAPI: labels, annotations, fieldRef and resourceFieldRef', () => {
    expect(out).toContain('labels: app="vol" tier="test"');
    expect(out).toContain('annotations: note="downward"');
    expect(out).toContain('name: volumes mem-limit: 64 cpu-request: 250');
  });

  test('projected sources and an emptyDir shared by two containers', () => {
    expect(out).toContain('projected: hello sandbox');
    expect(out).toContain('scratch: shared-data');
  });
});

describe('environment from ConfigMaps and Secrets', () => {
  test('valueFrom configMapKeyRef/secretKeyRef, envFrom with prefixes, optional refs, fieldRef and resourceFieldRef', async () => {
    // Not asserted: CFG_app.conf (kube passes names that are not shell names; a /bin/sh wrapper on the way may drop them).
    const vars = (await logOf('env', 'main')).split('\n').filter((l) => /^(GREETING|PASSWORD|CFG_|OPT|SECRET_|MY_|MEM)/.test(l) && !l.startsWith('CFG_app.conf')).sort();
    expect(vars).toEqual([
      'CFG_greeting=hello', 'CFG_mode=fast', 'GREETING=hello', 'MEM_MI=128', 'MY_MESSAGE=hello from env', 'MY_POD=env', 'PASSWORD=s3cr3t', 'SECRET_password=s3cr3t', 'SECRET_user=admin',
    ].sort());
  });

  test.each([
    ['env-no-cm', 'configmap "nope" not found'],
    ['env-no-key', `couldn't find key nokey in ConfigMap ${NS}/cfg`],
    ['env-no-secret', 'secret "nope" not found'],
  ])('%s: CreateContainerConfigError "%s"', async (name, message) => {
    const s = await until(`${name} refused`, async () => {
      const c = statusOf(await getPod(name), 'main');
      return c?.state?.waiting?.reason === 'CreateContainerConfigError' && c;
    }, 30_000, 250, diag);
    expect(s.state.waiting.message).toBe(message);
    expect(await kubectlStatus(name)).toBe('CreateContainerConfigError');
  });
});
