// Two scheduler replicas: only the Lease holder binds; when it is SIGKILLed the standby
// takes the Lease and schedules the next pod.
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, type ControlPlane, type ServiceProcess } from '@keelson/testing';
import { node, pod } from './fixtures';

jest.setTimeout(90_000);

const [NODES, PODS, LEASES] = ['nodes', 'pods', 'leases'].map((r) => BUILTIN_RESOURCES.find((x) => x.resource === r)!);
let cp: ControlPlane;
let client: KeelsonClient;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['scheduler'] });
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

async function boundNode(name: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const p = await client.get<KubeObject>(PODS, 'default', name);
    if (p.spec?.nodeName) return String(p.spec.nodeName);
    if (Date.now() > end) throw new Error(`${name} not bound`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('only the leader schedules; a killed leader is replaced within a lease duration', async () => {
  const env = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '300' };
  const replicas: ServiceProcess[] = [await cp.startService('scheduler', { env, instance: 'a' }), await cp.startService('scheduler', { env, instance: 'b' })];
  await client.create(NODES, node('n1'));
  await client.create(PODS, pod('first'));
  expect(await boundNode('first')).toBe('n1');

  const lease = await client.get<KubeObject>(LEASES, 'kube-system', 'scheduler');
  const holder = String(lease.spec?.holderIdentity);
  const leader = replicas.find((r) => holder.endsWith(`_${r.pid()}`))!;
  expect(leader).toBeDefined();
  await leader.kill('SIGKILL');

  await client.create(PODS, pod('second'));
  expect(await boundNode('second')).toBe('n1');
  const after = await client.get<KubeObject>(LEASES, 'kube-system', 'scheduler');
  expect(after.spec?.holderIdentity).not.toBe(holder);
});
