// Issue 9 (2), credentials part: pods ran as root on the host with the kubelet's environment,
// so `cat ../../../../../tokens.csv` printed the admin token. A root kubelet now runs pod
// processes as an unprivileged user (65534) with only the pod's own environment; credentials
// are 0600 files in 0700 directories.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

const KUBELET_SECRET = 'pod-isolation-kubelet-secret';
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, natsTls: true, services: ['kubelet'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
  await cp.startService('kubelet', {
    instance: 'node-1',
    env: {
      NODE_NAME: 'node-1',
      KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', 'node-1'),
      KEELSON_KUBELET_AUTH_TOKEN: KUBELET_SECRET,
      KEELSON_NODE_LEASE_RENEW_MS: '1000',
      KEELSON_NODE_STATUS_UPDATE_MS: '2000',
      KEELSON_LEADER_ELECT: 'false',
    },
  });
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

async function podLog(name: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const phase = (await cp.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout;
    if (phase === 'Succeeded' || phase === 'Failed') return cp.k('logs', name);
    if (Date.now() > deadline) throw new Error(`pod ${name} did not finish (phase ${phase})\n${cp.gatewayLog().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const pod = (name: string, script: string): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { nodeName: 'node-1', restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] },
});

test('a pod cannot read control-plane credentials and sees none of the kubelet environment', async () => {
  const secrets = [
    cp.creds.tokenFile,
    cp.kubeconfig,
    cp.creds.keyFile,
    join(cp.dir, 'pki', 'ca.key'),
    cp.etcd.tls.clientKeyFile,
    join(cp.dir, 'nats-users.csv'),
  ];
  // etcd: even skipping server verification, without the gateway's client certificate it refuses.
  const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=${cp.etcd.endpoint} --insecure-skip-tls-verify --dial-timeout=2s --command-timeout=3s get --prefix /registry/ --keys-only; echo "etcd-exit=$?"`;
  const script = [...secrets.map((f) => `cat ${f} || echo "unreadable ${f}"`), etcdctl, 'echo "uid=$(id -u)"', 'env'].join('; ');
  const r = await cp.kubectl(['apply', '-f', '-'], { input: pod('thief', script) });
  expect(r.stderr).toBe('');
  const log = await podLog('thief');
  for (const f of secrets) expect(log).toContain(`unreadable ${f}`);
  // Unreadable (not root), or not there at all in the pod's own mount namespace (a pod sandbox, as root).
  expect(log).toMatch(/Permission denied|No such file or directory/);
  expect(log).not.toContain(cp.creds.adminToken);
  expect(log).not.toContain('PRIVATE KEY');
  expect(log).toContain('uid=65534');
  expect(log).toMatch(/etcd-exit=[1-9]/);
  expect(log).not.toContain('/registry/core/namespaces/default');
  expect(log).not.toMatch(/^KEELSON_/m);
  expect(log).not.toContain(KUBELET_SECRET);
});

test('a pod writes in its own working directory', async () => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: pod('writer', 'echo hello > out.txt && cat out.txt && pwd') });
  expect(r.stderr).toBe('');
  const log = await podLog('writer');
  expect(log).toMatch(/^hello\n.*\/root\n$/);
});

test('credential files are private to their owner', () => {
  const mode = (f: string): number => statSync(f).mode & 0o777;
  for (const f of [cp.creds.tokenFile, cp.kubeconfig, cp.creds.keyFile, join(cp.dir, 'pki', 'ca.key'), cp.etcd.tls.clientKeyFile, cp.etcd.tls.serverKeyFile, join(cp.dir, 'nats-users.csv')]) {
    expect([f, mode(f)]).toEqual([f, 0o600]);
  }
  for (const d of [join(cp.dir, 'pki'), join(cp.dir, 'tokens')]) expect([d, mode(d)]).toEqual([d, 0o700]);
});
