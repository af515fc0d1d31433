// pods/exec, pods/attach and pods/portforward with the real kubectl 1.32 (WebSocket v5.channel.k8s.io
// for exec/attach, SPDY tunnelled over a WebSocket for port-forward), through the gateway to a
// process kubelet: exec with exit codes and stdin, exec -it in a pseudo-terminal, cp both ways (tar
// over exec), port-forward then an HTTP request, run -i --rm, attach -i, and RBAC on pods/exec.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(120_000);

const KUBELET_SECRET = 'streaming-test-secret';
// A block of its own, so clusters started next to this one keep their routes.
const CLUSTER_CIDR = `10.${150 + Math.floor(Math.random() * 40)}.0.0/16`;
const WEB_PORT = 8080;
let cp: ControlPlane;

type Json = Record<string, unknown>;
const pod = (name: string, container: Json, spec: Json = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, ...spec, containers: [{ name: 'main', image: 'debian', ...container }] } });
const apply = async (manifest: string): Promise<void> => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: manifest });
  expect(r.stderr).toBe('');
};
let kubeletLog = (): string => '';
let lastPods = '';
const running = (name: string) => until(`${name} Running`, async () => /\s1\/1\s+Running\s/.test((lastPods = await cp.k('get', 'pod', name, '-o', 'wide'))), 120_000, 200, () => `${lastPods}\n--- kubelet log ---\n${kubeletLog().slice(-4000)}`);

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['node-lifecycle-controller', 'kubelet'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  // Node IPAM gives node-1 a podCIDR: pods get their own network namespace (runtime/network/).
  await cp.startService('node-lifecycle-controller', { env: { KEELSON_CLUSTER_CIDR: CLUSTER_CIDR } });
  const kubelet = await cp.startService('kubelet', {
    instance: 'node-1',
    env: { NODE_NAME: 'node-1', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'), KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET, KEELSON_LEADER_ELECT: 'false' },
  });
  kubeletLog = () => kubelet.log();
  await apply(pod('box', { command: ['sh', '-c', 'echo box up; exec sleep 3600'] }));
  // Bound to the pod's own localhost: port-forward must connect inside the pod's network namespace.
  await apply(pod('web', { command: ['python3', '-m', 'http.server', String(WEB_PORT), '--bind', '127.0.0.1'] }));
  await Promise.all([running('box'), running('web')]);
}, 240_000); // a loaded machine is slow to start a control plane and a kubelet (no assertion on time)
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

test('kubectl exec runs a command in the pod: stdout, stderr and its exit code', async () => {
  const r = await cp.kubectl(['exec', 'box', '--', 'sh', '-c', 'echo "out $HOSTNAME"; echo err >&2; exit 3']);
  expect(r.stdout).toBe('out box\n');
  expect(r.stderr).toContain('err\n');
  expect(r.stderr).toContain('command terminated with exit code 3');
  expect(r.code).toBe(3);
  expect((await cp.kubectl(['exec', 'box', '--', 'true'])).code).toBe(0);
});

test('kubectl exec runs inside the pod\'s sandbox: its own network namespace and address', async () => {
  const podIP = (JSON.parse(await cp.k('get', 'pod', 'box', '-o', 'json')) as { status: { podIP: string } }).status.podIP;
  expect(podIP).not.toBe('127.0.0.1');
  const addrs = await cp.k('exec', 'box', '--', 'ip', '-4', '-o', 'addr', 'show');
  expect(addrs).toContain(`inet ${podIP}/`);
  // The host's interfaces are not there: only lo and the pod's veth end.
  expect(addrs.trim().split('\n').length).toBe(2);
});

test('kubectl exec -i passes stdin through and ends it (v5 close signal)', async () => {
  const data = 'line one\nline two\n'.repeat(2000); // larger than one message
  const r = await cp.kubectl(['exec', '-i', 'box', '--', 'sh', '-c', 'cat; echo "[eof]"'], { input: data });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${data}[eof]\n`);
});

test('kubectl exec -it gets a terminal of the client\'s size', async () => {
  // `script` gives kubectl a pseudo-terminal (as a user's shell would); its size is set first.
  const cache = mkdtempSync(join(tmpdir(), 'kcache-'));
  const kubectl = `kubectl --kubeconfig ${cp.kubeconfig} --cache-dir ${cache} exec -it box -- sh -c 'tty; stty size; read x; echo "got $x"'`;
  const child = spawn('script', ['-qec', `stty rows 33 cols 101; ${kubectl}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await until('the remote terminal', async () => out.includes('33 101'));
  child.stdin.write('hello\r');
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(out).toMatch(/\/dev\/pts\/\d+/);
  expect(out).toContain('got hello');
  expect(code).toBe(0);
});

test('kubectl cp copies a file into the pod and back out (tar over exec)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-'));
  const content = `copied ${Date.now()}\n`.repeat(500);
  writeFileSync(join(dir, 'in.txt'), content);
  await cp.k('cp', join(dir, 'in.txt'), 'box:copied.txt');
  expect(await cp.k('exec', 'box', '--', 'cat', 'copied.txt')).toBe(content);
  await cp.k('cp', 'box:copied.txt', join(dir, 'back.txt'));
  expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe(content);
});

test('kubectl port-forward, then an HTTP request through it reaches the pod', async () => {
  const local = await freePort();
  const cache = mkdtempSync(join(tmpdir(), 'kcache-'));
  const pf = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, '--cache-dir', cache, 'port-forward', 'pod/web', `${local}:${WEB_PORT}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  pf.stdout.on('data', (d: Buffer) => (log += d.toString()));
  pf.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await until('port-forward listening', async () => log.includes(`Forwarding from 127.0.0.1:${local}`));
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${local}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Directory listing');
    }
    expect(log).not.toMatch(/error/i);
  } finally {
    pf.kill();
  }
});

test('with WebSockets turned off kubectl speaks SPDY/3.1: exec (stdin, stderr, exit code) and port-forward still work', async () => {
  const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
  const r = await cp.kubectl(['exec', '-i', 'box', '-v=6', '--', 'sh', '-c', 'cat; echo err >&2; exit 4'], { input: 'over spdy\n', env: spdy });
  expect(r.stderr).toMatch(/POST .*\/pods\/box\/exec.* 101 Switching Protocols/);
  expect(r.stderr).not.toContain('websocket');
  expect(r.stdout).toBe('over spdy\n');
  expect(r.stderr).toContain('err\n');
  expect(r.code).toBe(4);

  const local = await freePort();
  const cache = mkdtempSync(join(tmpdir(), 'kcache-'));
  const pf = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, '--cache-dir', cache, 'port-forward', 'pod/web', `${local}:${WEB_PORT}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spdy } });
  let log = '';
  pf.stdout.on('data', (d: Buffer) => (log += d.toString()));
  pf.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await until('port-forward listening', async () => log.includes(`Forwarding from 127.0.0.1:${local}`));
    const res = await fetch(`http://127.0.0.1:${local}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Directory listing');
  } finally {
    pf.kill();
  }
});

test('kubectl run -i --rm feeds stdin to the container\'s main process, prints its output, deletes the pod', async () => {
  const r = await cp.kubectl(['run', 'once', '-i', '--rm', '--restart=Never', '--image=debian', '--overrides={"spec":{"nodeName":"node-1","automountServiceAccountToken":false}}', '--command', '--', 'sh', '-c', 'read x; echo "got $x"'], { input: 'hello\n' });
  expect(r.stdout).toContain('got hello');
  expect(r.stdout).toContain('pod "once" deleted');
  expect(r.code).toBe(0);
});

test('kubectl run -i --rm without --command: the arguments after -- are the container\'s args, run as its command line', async () => {
  // As for an image with no ENTRYPOINT: kubectl puts `python3 -c …` in args, not command.
  const r = await cp.kubectl(['run', 'py-once', '-i', '--rm', '--restart=Never', '--image=python', '--overrides={"spec":{"nodeName":"node-1","automountServiceAccountToken":false}}', '--', 'python3', '-c', 'print("py:" + input().upper())'], { input: 'hello\n' });
  expect(r.stdout).toContain('py:HELLO');
  expect(r.stdout).toContain('pod "py-once" deleted');
  expect(r.code).toBe(0);
});

test('kubectl attach -i connects to a running container\'s stdin and stdout', async () => {
  await apply(pod('reader', { stdin: true, command: ['sh', '-c', 'echo ready; read line; echo "echo:$line"; sleep 1'] }, { restartPolicy: 'Never' }));
  await running('reader');
  const r = await cp.kubectl(['attach', '-i', 'reader'], { input: 'ping\n' });
  expect(r.stdout).toContain('echo:ping');
  expect(r.code).toBe(0);
});

test('pods/exec needs create (and get) on pods/exec: a user with only get is refused with 403', async () => {
  await cp.k('create', 'serviceaccount', 'viewer');
  await cp.k('create', 'role', 'exec-get-only', '--verb=get', '--resource=pods,pods/exec');
  await cp.k('create', 'rolebinding', 'viewer-exec-get', '--role=exec-get-only', '--serviceaccount=default:viewer');
  const token = (await cp.k('create', 'token', 'viewer')).trim();
  const denied = await until('the binding in effect, exec refused', async () => {
    const r = await cp.kubectl(['--token', token, 'exec', 'box', '--', 'true']);
    return r.stderr.includes('cannot create resource "pods/exec"') && r;
  });
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toContain('Forbidden');

  // With create it works.
  await cp.k('create', 'role', 'exec', '--verb=get,create', '--resource=pods,pods/exec');
  await cp.k('create', 'rolebinding', 'viewer-exec', '--role=exec', '--serviceaccount=default:viewer');
  const allowed = await until('exec allowed', async () => {
    const r = await cp.kubectl(['--token', token, 'exec', 'box', '--', 'echo', 'allowed']);
    return r.code === 0 && r;
  });
  expect(allowed.stdout).toBe('allowed\n');
});

test('the kubelet\'s streaming endpoint refuses a caller without the gateway\'s token', async () => {
  const node = JSON.parse(await cp.k('get', 'node', 'node-1', '-o', 'json')) as { status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } };
  const status = await new Promise<number>((done, fail) => {
    const req = request({
      host: '127.0.0.1',
      port: node.status.daemonEndpoints.kubeletEndpoint.Port,
      path: '/exec/default/box/main?command=true&stdout=true',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      done(101);
    });
    req.on('response', (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
  expect(status).toBe(401);
});

describe('kubectl debug: ephemeral containers (pods/ephemeralcontainers)', () => {
  test('kubectl debug -i adds a container to a running pod, in its sandbox: it sees the target\'s processes, takes stdin, and is never restarted', async () => {
    const r = await cp.kubectl(['debug', '-i', 'box', '--image=debian', '--container=dbg', '--target=main', '--', 'sh'], { input: 'echo "debug on $HOSTNAME"\nps -eo args | grep -c "^sleep 3600"\nexit 7\n' });
    expect(r.stdout).toContain('debug on box');
    expect(r.stdout).toMatch(/^1$/m); // the target's `sleep 3600`, seen from the debug container
    const pod = await until('dbg terminated', async () => {
      const p = JSON.parse(await cp.k('get', 'pod', 'box', '-o', 'json')) as { spec: Json; status: { ephemeralContainerStatuses?: Array<Record<string, any>>; containerStatuses: Array<Record<string, any>> } };
      return p.status.ephemeralContainerStatuses?.[0]?.state?.terminated && p;
    });
    expect(pod.spec.ephemeralContainers).toEqual([expect.objectContaining({ name: 'dbg', image: 'debian', stdin: true, targetContainerName: 'main' })]);
    expect(pod.status.ephemeralContainerStatuses![0]).toMatchObject({ name: 'dbg', restartCount: 0, state: { terminated: { exitCode: 7 } } });
    // The pod goes on as before: Running, Ready, its own container untouched.
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'main', ready: true, restartCount: 0 });
    expect(await cp.k('logs', 'box', '-c', 'dbg')).toContain('debug on box');
    await new Promise((res) => setTimeout(res, 1500));
    expect((JSON.parse(await cp.k('get', 'pod', 'box', '-o', 'json')) as { status: { ephemeralContainerStatuses: Array<{ restartCount: number }> } }).status.ephemeralContainerStatuses[0].restartCount).toBe(0);
  });

  test('the API keeps ephemeral containers to their subresource, as kube validates them', async () => {
    const path = '/api/v1/namespaces/default/pods/box/ephemeralcontainers';
    const current = JSON.parse((await cp.request('GET', path)).body) as { metadata: Json; spec: { ephemeralContainers: Json[] } };
    const put = (ephemeralContainers: Json[]) => cp.request('PUT', path, { body: JSON.stringify({ ...current, spec: { ...current.spec, ephemeralContainers } }), headers: { 'content-type': 'application/json' } });
    const reasonOf = (r: { status: number; body: string }) => ({ status: r.status, causes: (JSON.parse(r.body) as { details?: { causes?: Array<{ field: string; message: string }> } }).details?.causes?.map((c) => `${c.field}: ${c.message}`) });
    const existing = current.spec.ephemeralContainers;
    expect(reasonOf(await put([]))).toEqual({ status: 422, causes: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed'] });
    expect(reasonOf(await put([{ ...existing[0], image: 'busybox' }]))).toEqual({ status: 422, causes: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed'] });
    expect(reasonOf(await put([...existing, { name: 'p', image: 'debian', ports: [{ containerPort: 80 }] }]))).toMatchObject({ status: 422, causes: ['spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container'] });
    expect(reasonOf(await put([...existing, { name: 'main', image: 'debian' }]))).toMatchObject({ status: 422, causes: ['spec.ephemeralContainers[1].name: Duplicate value: "main"'] });
    expect(reasonOf(await put([...existing, { name: 't', image: 'debian', targetContainerName: 'nope' }]))).toMatchObject({ status: 422, causes: ['spec.ephemeralContainers[1].targetContainerName: Not found: "nope"'] });
    // Not through the pod itself, and not on create.
    const r = await cp.kubectl(['patch', 'pod', 'box', '--type=json', '-p', '[{"op":"add","path":"/spec/ephemeralContainers/-","value":{"name":"sneak","image":"debian"}}]']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Forbidden: pod updates may not change fields other than/);
    const created = await cp.kubectl(['apply', '-f', '-'], { input: pod('born-with-one', { command: ['sleep', '60'] }, { ephemeralContainers: [{ name: 'e', image: 'debian' }] }) });
    expect(created.stderr).toContain('spec.ephemeralContainers: Forbidden: cannot be set on create');
    // Nothing changed: the one ephemeral container is still there, as it was.
    expect((JSON.parse((await cp.request('GET', path)).body) as { spec: { ephemeralContainers: Json[] } }).spec.ephemeralContainers).toEqual(existing);
  });
});
