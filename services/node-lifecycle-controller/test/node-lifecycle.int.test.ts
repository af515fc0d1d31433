// The node lifecycle controller as a service against a real control plane, with a fake
// kubelet played by the test (a Node with Ready=True and a Lease it renews or abandons).
import { BUILTIN_RESOURCES, type KubeObject, type ResourceInfo } from '@keelson/api';
import { isConflict, KeelsonClient } from '@keelson/client';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(90_000);

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((r) => r.resource === resource)!;
const NODES = info('nodes');
const PODS = info('pods');
const LEASES = info('leases');

let cp: ControlPlane;
let client: KeelsonClient;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['node-lifecycle-controller'] });
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  await cp.startService('node-lifecycle-controller', {
    env: {
      KEELSON_NODE_MONITOR_GRACE_PERIOD_SECONDS: '2', KEELSON_NODE_MONITOR_PERIOD_SECONDS: '0.5', KEELSON_DEFAULT_UNREACHABLE_TOLERATION_SECONDS: '2',
      KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500',
    },
  });
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

const micro = (): string => new Date().toISOString().replace('Z', '000Z');
const secs = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function registerNode(name: string): Promise<void> {
  const node = await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
  await postReady(node, 'True');
  await client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro() } });
}

/**
 * Posts the Ready condition as a kubelet does: on a conflict (the controller's node IPAM writes
 * spec.podCIDR to a new Node at the same time) it reads the Node again and retries.
 */
async function postReady(node: KubeObject, status: 'True' | 'False'): Promise<void> {
  const conditions = [{ type: 'Ready', status, reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady', message: 'kubelet is posting ready status', lastHeartbeatTime: secs(), lastTransitionTime: secs() }];
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus(NODES, { ...node, status: { ...(node.status ?? {}), conditions } });
      return;
    } catch (e) {
      if (!isConflict(e) || attempt >= 5) throw e;
      node = await client.get(NODES, undefined, node.metadata.name ?? '');
    }
  }
}

async function renew(name: string): Promise<void> {
  const lease = await client.get(LEASES, 'kube-node-lease', name);
  await client.update(LEASES, { ...lease, spec: { ...lease.spec, renewTime: micro() } });
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ready = (n: KubeObject): string | undefined => (n.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;
const taintKeys = (n: KubeObject): string[] => ((n.spec?.taints as { key: string; effect: string }[] | undefined) ?? []).map((t) => `${t.key}:${t.effect}`);

async function boundPod(name: string, node: string, tolerations?: unknown[]): Promise<void> {
  await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...(tolerations ? { tolerations } : {}) } });
  await client.bind('default', name, node);
}

test('a silent node goes Ready=Unknown with the unreachable taint, its pods are evicted after their toleration, and it recovers', async () => {
  await registerNode('n1');
  await boundPod('short', 'n1');
  await boundPod('patient', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3600 }]);

  // Heartbeating: stays Ready and untainted past several grace periods.
  const beat = setInterval(() => void renew('n1').catch(() => undefined), 300);
  await new Promise((r) => setTimeout(r, 3000));
  let node = await client.get(NODES, undefined, 'n1');
  expect(ready(node)).toBe('True');
  expect(taintKeys(node)).toEqual([]);
  clearInterval(beat);

  // Silent: Unknown + unreachable:NoExecute within the grace period (plus a monitor period).
  node = await until('Ready=Unknown and the unreachable taint', async () => {
    const n = await client.get(NODES, undefined, 'n1');
    return ready(n) === 'Unknown' && taintKeys(n).includes('node.kubernetes.io/unreachable:NoExecute') && n;
  });
  const cond = (node.status!.conditions as { type: string; reason: string; message: string }[]).find((c) => c.type === 'Ready')!;
  expect(cond).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });

  // The default toleration (2 s here) runs out; the pod tolerating for an hour stays.
  await until('the short-toleration pod evicted', async () => {
    const p = await client.get(PODS, 'default', 'short').catch((e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e)));
    return !p || !!p.metadata.deletionTimestamp;
  });
  expect((await client.get(PODS, 'default', 'patient')).metadata.deletionTimestamp).toBeUndefined();

  // Heartbeats again and its kubelet posts Ready=True: the taint goes.
  await renew('n1');
  await postReady(await client.get(NODES, undefined, 'n1'), 'True');
  const beat2 = setInterval(() => void renew('n1').catch(() => undefined), 300);
  try {
    await until('the taint removed', async () => {
      const n = await client.get(NODES, undefined, 'n1');
      return ready(n) === 'True' && taintKeys(n).length === 0;
    });
  } finally {
    clearInterval(beat2);
  }
});

test('a heartbeating node whose kubelet reports Ready=False gets the not-ready taint instead', async () => {
  await registerNode('n2');
  const beat = setInterval(() => void renew('n2').catch(() => undefined), 300);
  try {
    await postReady(await client.get(NODES, undefined, 'n2'), 'False');
    await until('the not-ready taint', async () => taintKeys(await client.get(NODES, undefined, 'n2')).join() === 'node.kubernetes.io/not-ready:NoExecute');
  } finally {
    clearInterval(beat);
  }
});
