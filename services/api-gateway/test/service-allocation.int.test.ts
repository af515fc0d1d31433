// Cluster IP and node port allocation against a real etcd, with two ServiceStorage instances on
// their own etcd clients standing for two gateway replicas: concurrent allocations never collide,
// and the allocation keys always equal exactly what the stored Services hold.
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@keelson/api';
import { ApiError } from '@keelson/api';
import { StorageError } from '@keelson/storage';
import { startEtcd, type EtcdServer } from '@keelson/testing';
import { ALLOCATION_PREFIX, ServiceStorage, allocationKeys } from '../src/registry/service-allocation';
import { NodePortRange, ServiceCIDR } from '../src/registry/service-ranges';
import { ServiceAccountTokens } from '../src/serviceaccount/tokens';

jest.setTimeout(60_000);

let etcd: EtcdServer;
let clients: Etcd3[];
let replicas: ServiceStorage[];

beforeAll(async () => {
  etcd = await startEtcd();
  clients = [new Etcd3(etcd.clientOptions), new Etcd3(etcd.clientOptions)];
  // A small block and range, so collisions between the replicas are likely.
  replicas = clients.map((c) => new ServiceStorage(c, new ServiceCIDR('10.0.0.0/26'), new NodePortRange('30000-30063')));
});
afterAll(async () => {
  for (const c of clients ?? []) c.close();
  await etcd?.stop();
});

const key = (name: string) => `/registry/core/services/default/${name}`;
const service = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }], ...spec },
});

/** Every allocation key must belong to exactly one stored Service, and every Service's values must have their key. */
async function expectConsistent(): Promise<void> {
  const stored = await clients[0].getAll().prefix('/registry/core/services/').json();
  const held = new Set<string>();
  for (const svc of Object.values(stored) as KubeObject[]) {
    for (const k of allocationKeys(svc)) {
      expect(held.has(k)).toBe(false);
      held.add(k);
    }
  }
  const keys = await clients[0].getAll().prefix(ALLOCATION_PREFIX).keys();
  expect(new Set(keys)).toEqual(held);
}

test('concurrent creates on two replicas get distinct cluster IPs and node ports', async () => {
  const created = await Promise.all(
    Array.from({ length: 30 }, (_, i) => replicas[i % 2].create(key(`burst-${i}`), service(`burst-${i}`, { type: 'NodePort' }))),
  );
  const ips = created.map((s) => s.spec!.clusterIP as string);
  const ports = created.map((s) => (s.spec!.ports as { nodePort: number }[])[0].nodePort);
  expect(new Set(ips).size).toBe(30);
  expect(new Set(ports).size).toBe(30);
  for (const ip of ips) expect(ip).toMatch(/^10\.0\.0\.(\d+)$/);
  expect(ips).not.toContain('10.0.0.1'); // kept for the kubernetes Service
  await expectConsistent();
});

test('a requested address both replicas race for goes to exactly one', async () => {
  // An address the earlier burst did not pick (its picks are random).
  const held = new Set(await clients[0].getAll().prefix(ALLOCATION_PREFIX).keys());
  const ip = Array.from({ length: 60 }, (_, i) => `10.0.0.${i + 2}`).find((a) => ![...held].some((k) => k.endsWith(`/${a}`)))!;
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => replicas[i % 2].create(key(`race-${i}`), service(`race-${i}`, { clusterIP: ip, clusterIPs: [ip] }))),
  );
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(won).toHaveLength(1);
  for (const r of lost) {
    expect(r.reason).toBeInstanceOf(ApiError);
    expect((r.reason as ApiError).message).toContain(`failed to allocate IP ${ip}: provided IP is already allocated`);
  }
  await expectConsistent();
});

test('a create that fails writes no allocation; delete and type changes release them', async () => {
  const first = await replicas[0].create(key('np'), service('np', { type: 'NodePort' }));
  // The name is taken: nothing else may be written, not even a freshly picked IP.
  await expect(replicas[1].create(key('np'), service('np', { type: 'NodePort' }))).rejects.toBeInstanceOf(StorageError);
  await expectConsistent();
  const nodePort = (first.spec!.ports as { nodePort: number }[])[0].nodePort;
  const asClusterIP = await replicas[1].update(key('np'), { ...first, spec: { ...first.spec, type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] } }, Number(first.metadata.resourceVersion));
  expect(allocationKeys(asClusterIP)).toEqual(new Set([`${ALLOCATION_PREFIX}serviceips/${String(first.spec!.clusterIP)}`]));
  await expectConsistent();
  // The freed port can be requested by another Service at once.
  await replicas[0].create(key('reuse'), service('reuse', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort }] }));
  await replicas[0].delete(key('np'));
  await replicas[1].create(key('same-ip'), service('same-ip', { clusterIP: first.spec!.clusterIP, clusterIPs: first.spec!.clusterIPs }));
  await expectConsistent();
});

test('guaranteedUpdate allocates what an update newly needs and refuses a taken request', async () => {
  const used = new Set((await replicas[0].allocated()).nodePorts);
  const taken = Array.from({ length: 64 }, (_, i) => 30000 + i).find((p) => !used.has(p))!;
  await replicas[0].create(key('owner'), service('owner', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: taken }] }));
  await replicas[0].create(key('plain'), service('plain'));
  const updated = await replicas[1].guaranteedUpdate(key('plain'), (cur) => ({ ...cur, spec: { ...cur.spec, type: 'NodePort' } }));
  const port = (updated.spec!.ports as { nodePort: number }[])[0].nodePort;
  expect(port).toBeGreaterThanOrEqual(30000);
  expect(port).toBeLessThanOrEqual(30063);
  await expect(
    replicas[1].guaranteedUpdate(key('plain'), (cur) => ({ ...cur, spec: { ...cur.spec, ports: [{ port: 80, protocol: 'TCP', nodePort: taken }] } })),
  ).rejects.toThrow(`spec.ports[0].nodePort: Invalid value: ${taken}: provided port is already allocated`);
  await expect(replicas[1].create(key('far'), service('far', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }] }))).rejects.toThrow(
    'provided port is not in the valid range. The range of valid ports is 30000-30063',
  );
  await expectConsistent();
});

test('replicas starting together agree on one service account signing key', async () => {
  const [a, b] = await Promise.all(clients.map((c) => ServiceAccountTokens.load(c)));
  expect(a.keyId).toBe(b.keyId);
  const { token } = a.issue({ namespace: 'default', name: 'x', uid: 'u' }, ['api'], 600);
  expect(b.verify(token).sub).toBe('system:serviceaccount:default:x');
});
