// Workload identity (issue 9, item 4): a pod gets its ServiceAccount's token the way Kubernetes
// gives it. The gateway's ServiceAccount admission adds the projected kube-api-access-xxxxx volume
// (and refuses a pod naming a missing account), every namespace holds a `default` ServiceAccount
// and the kube-root-ca.crt ConfigMap, the kubelet (a node identity, under NodeRestriction)
// requests a token bound to the pod and mounts it at /var/run/secrets/kubernetes.io/serviceaccount,
// and the pod's own kubectl — in-cluster config, nothing else given — is that ServiceAccount to the
// API. The token is refused once the pod is gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

const KUBELET_SECRET = 'sa-pods-kubelet-secret';
const NS = 'team';
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['kubelet'], nodes: ['node-1'], env: { KEELSON_KUBELET_CLIENT_TOKEN: KUBELET_SECRET } });
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
  await cp.k('create', 'namespace', NS);
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '-n', NS, '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const pod = (name: string, script: string, spec: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { nodeName: 'node-1', restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }], ...spec },
});

async function finishedLog(name: string): Promise<string> {
  await until(`pod ${name} to finish`, async () => {
    const phase = (await cp.kubectl(['get', 'pod', name, '-n', NS, '-o', 'jsonpath={.status.phase}'])).stdout;
    return phase === 'Succeeded' || phase === 'Failed';
  }, 30_000, 200, () => cp.gatewayLog().slice(-2000));
  return cp.k('logs', name, '-n', NS);
}

const selfSubjectReview = (token: string) =>
  cp.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });

test('every namespace gets a default ServiceAccount and kube-root-ca.crt with the cluster CA', async () => {
  await until('default ServiceAccount and kube-root-ca.crt in the new namespace', async () =>
    (await cp.kubectl(['get', 'serviceaccount/default', 'configmap/kube-root-ca.crt', '-n', NS])).code === 0);
  const cm = JSON.parse(await cp.k('get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'json')) as { data: Record<string, string> };
  expect(cm.data['ca.crt']).toBe(readFileSync(cp.creds.caFile, 'utf8'));
  // Deleted, it comes back (as kube's serviceaccounts controller and root-ca-cert-publisher do).
  await cp.k('delete', 'serviceaccount', 'default', '-n', NS);
  await until('default ServiceAccount recreated', async () => (await cp.kubectl(['get', 'serviceaccount', 'default', '-n', NS])).code === 0);
});

test('a pod is its ServiceAccount to the API through the mounted token, until it is deleted', async () => {
  // In-cluster kubectl: KUBERNETES_SERVICE_HOST/PORT plus the token, ca.crt and namespace files.
  // (A runtime that cannot bind-mount names the directory in KUBERNETES_SERVICE_ACCOUNT_DIR instead.)
  const script = [
    'export HOME=$PWD',
    'd=${KUBERNETES_SERVICE_ACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}',
    'k() { if [ -n "$KUBERNETES_SERVICE_ACCOUNT_DIR" ]; then kubectl --server=https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT --token="$(cat $d/token)" --certificate-authority=$d/ca.crt "$@"; else kubectl "$@"; fi; }',
    'echo "files: $(ls $d | tr "\\n" " ")"',
    'echo "namespace: $(cat $d/namespace)"',
    'echo "token-mode: $(stat -c %a $d/token) $(id -u)=$(stat -c %u $d/token)"',
    'echo "user: $(k auth whoami -o jsonpath={.status.userInfo.username})"',
    'k get pod "$HOSTNAME" 2>&1 | sed "s/^/get: /"',
    'echo "token: $(cat $d/token)"',
  ].join('\n');
  const r = await cp.kubectl(['apply', '-f', '-'], { input: pod('whoami', script) });
  expect(r.stderr).toBe('');
  const spec = JSON.parse(await cp.k('get', 'pod', 'whoami', '-n', NS, '-o', 'json')) as { metadata: { uid: string }; spec: Record<string, any> };
  expect(spec.spec.serviceAccountName).toBe('default');
  const volume = (spec.spec.volumes as Array<Record<string, any>>).find((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name));
  expect(volume?.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
  expect(spec.spec.containers[0].volumeMounts).toEqual([{ name: volume?.name, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);

  const log = await finishedLog('whoami');
  expect(log).toContain('files: ca.crt namespace token');
  expect(log).toContain(`namespace: ${NS}\n`);
  expect(log).toMatch(/token-mode: 600 (\d+)=\1\n/); // only the pod's own user reads it
  expect(log).toContain(`user: system:serviceaccount:${NS}:default\n`);
  // Authenticated, then authorized by RBAC like any ServiceAccount: nothing granted, so 403.
  expect(log).toContain(`get: Error from server (Forbidden): pods "whoami" is forbidden: User "system:serviceaccount:${NS}:default" cannot get resource "pods" in API group "" in the namespace "${NS}"`);

  const token = /^token: (\S+)$/m.exec(log)?.[1] ?? '';
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, any>;
  expect(claims['kubernetes.io']).toMatchObject({ namespace: NS, pod: { name: 'whoami', uid: spec.metadata.uid }, serviceaccount: { name: 'default' }, node: { name: 'node-1' } });
  expect(claims.exp - claims.iat).toBe(3607);
  const live = await selfSubjectReview(token);
  expect(live.status).toBe(201);
  expect(JSON.parse(live.body).status.userInfo).toMatchObject({
    username: `system:serviceaccount:${NS}:default`,
    extra: { 'authentication.kubernetes.io/pod-name': ['whoami'], 'authentication.kubernetes.io/pod-uid': [spec.metadata.uid] },
  });

  await cp.k('delete', 'pod', 'whoami', '-n', NS, '--wait=true');
  const gone = await until('the bound token to be refused', async () => {
    const res = await selfSubjectReview(token);
    return res.status === 401 ? res : undefined;
  }, 10_000);
  expect(JSON.parse(gone.body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
});

test('a pod-bound token dies with its ServiceAccount: deleted and made again, it is another account', async () => {
  await cp.k('create', 'serviceaccount', 'robot', '-n', NS);
  // Pending on a node without a kubelet: the binding needs only the pod object.
  expect((await cp.kubectl(['apply', '-f', '-'], { input: pod('robot-pod', 'true', { serviceAccountName: 'robot', nodeName: 'node-2' }) })).code).toBe(0);
  const wrongAccount = await cp.kubectl(['create', 'token', 'default', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=robot-pod']);
  expect(wrongAccount.stderr).toContain('cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.');
  const token = (await cp.k('create', 'token', 'robot', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=robot-pod')).trim();
  expect((await selfSubjectReview(token)).status).toBe(201);
  await cp.k('delete', 'serviceaccount', 'robot', '-n', NS);
  await cp.k('create', 'serviceaccount', 'robot', '-n', NS);
  await until('the token of the deleted account to be refused', async () => (await selfSubjectReview(token)).status === 401, 10_000);
  await cp.k('delete', 'pod', 'robot-pod', '-n', NS, '--force', '--grace-period=0');
});

test('a pod naming a ServiceAccount that does not exist is refused', async () => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: pod('lost', 'true', { serviceAccountName: 'ghost' }) });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`pods "lost" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`);
});

test('automountServiceAccountToken: false on the ServiceAccount keeps the token out', async () => {
  await cp.k('create', 'serviceaccount', 'quiet', '-n', NS);
  await cp.k('patch', 'serviceaccount', 'quiet', '-n', NS, '-p', '{"automountServiceAccountToken":false}');
  const r = await cp.kubectl(['apply', '-f', '-'], { input: pod('quiet', 'ls /var/run/secrets/kubernetes.io/serviceaccount 2>/dev/null | wc -w; echo done', { serviceAccountName: 'quiet' }) });
  expect(r.stderr).toBe('');
  const spec = JSON.parse(await cp.k('get', 'pod', 'quiet', '-n', NS, '-o', 'json')) as { spec: Record<string, unknown> };
  expect(spec.spec.volumes).toBeUndefined();
  expect(await finishedLog('quiet')).toMatch(/^0\ndone\n$/);
});

test('a kubelet may only request tokens bound to pods on its own node (NodeRestriction)', async () => {
  const sleeper = await cp.kubectl(['apply', '-f', '-'], { input: pod('sleeper', 'sleep 30') });
  expect(sleeper.code).toBe(0);
  const elsewhere = await cp.kubectl(['apply', '-f', '-'], { input: pod('elsewhere', 'sleep 30', { nodeName: 'node-2' }) });
  expect(elsewhere.code).toBe(0);
  const uid = (name: string) => cp.k('get', 'pod', name, '-n', NS, '-o', 'jsonpath={.metadata.uid}');
  const asNode = (boundObjectRef?: Record<string, string>) => cp.request('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, {
    token: cp.creds.nodeTokens['node-1'],
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef } }),
  });
  const ok = await asNode({ apiVersion: 'v1', kind: 'Pod', name: 'sleeper', uid: await uid('sleeper') });
  expect(ok.status).toBe(201);
  const unbound = await asNode();
  expect(unbound.status).toBe(403);
  expect(JSON.parse(unbound.body).message).toBe('serviceaccounts "default" is forbidden: node requested token not bound to a pod');
  const other = await asNode({ apiVersion: 'v1', kind: 'Pod', name: 'elsewhere', uid: await uid('elsewhere') });
  expect(other.status).toBe(403);
  expect(JSON.parse(other.body).message).toMatch(/node requested token bound to a pod scheduled on a different node|no relationship found between node 'node-1' and this object/);
  // node-2 has no kubelet to confirm a graceful deletion.
  await cp.k('delete', 'pod', 'elsewhere', 'sleeper', '-n', NS, '--force', '--grace-period=0');
});
