// Node IPAM: blocks of the cluster CIDR, never one twice, re-derived from the Nodes after a restart.
import { errors, type KubeObject } from '@keelson/api';
import { ObjectCache, type ReconcileContext } from '@keelson/controller-runtime';
import { CidrSet, NodeIpamReconciler, podCidrsOf } from '../src/node-ipam';

const node = (name: string, podCIDR?: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});
const ctx = { logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } } as unknown as ReconcileContext;

function setup(nodes: KubeObject[], clusterCidr = '10.244.0.0/16', nodeMaskSize = 24) {
  const cache = new ObjectCache();
  nodes.forEach((n) => cache.set(n));
  const api = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const writes: KubeObject[] = [];
  const client = {
    get: async (_r: unknown, _ns: string | undefined, name: string) => {
      const n = api.get(name);
      if (!n) throw errors.notFound('nodes', name);
      return n;
    },
    update: async (_r: unknown, obj: KubeObject) => {
      writes.push(obj);
      api.set(obj.metadata.name!, obj);
      return obj;
    },
  };
  const ipam = new NodeIpamReconciler({ client: client as never, nodes: cache, config: { clusterCidr, nodeMaskSize } });
  return { ipam, cache, api, writes };
}

test('CidrSet numbers the blocks of the cluster CIDR', () => {
  const s = new CidrSet('10.244.0.0/16', 24);
  expect(s.count).toBe(256);
  expect(s.block(0)).toBe('10.244.0.0/24');
  expect(s.block(255)).toBe('10.244.255.0/24');
  expect(s.indexOf('10.244.7.0/24')).toBe(7);
  expect(s.indexOf('10.245.0.0/24')).toBeUndefined();
  expect(s.indexOf('10.244.7.0/25')).toBeUndefined();
  expect(() => new CidrSet('10.244.0.0/16', 8)).toThrow(/mask size/);
});

test('new nodes get distinct blocks, even before the cache shows the earlier ones', async () => {
  const { ipam, writes } = setup([node('a'), node('b'), node('c')]);
  for (const n of ['a', 'b', 'c']) await ipam.reconcile(n, ctx);
  expect(writes.map((w) => podCidrsOf(w))).toEqual([['10.244.0.0/24'], ['10.244.1.0/24'], ['10.244.2.0/24']]);
  expect(writes[0].spec).toMatchObject({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
});

test('a restarted controller derives the used blocks from the Nodes and fills the gaps', async () => {
  const { ipam, writes } = setup([node('a', '10.244.0.0/24'), node('b', '10.244.2.0/24'), node('new1'), node('new2')]);
  await ipam.reconcile('a', ctx);
  await ipam.reconcile('new1', ctx);
  await ipam.reconcile('new2', ctx);
  expect(writes.map((w) => `${w.metadata.name}=${String(w.spec?.podCIDR)}`)).toEqual(['new1=10.244.1.0/24', 'new2=10.244.3.0/24']);
});

test('a Node that already has a block keeps it; simulated nodes get none', async () => {
  const { ipam, writes } = setup([node('a', '10.244.9.0/24'), node('sim', undefined, { 'keelson.dev/runtime': 'simulated' })]);
  await ipam.reconcile('a', ctx);
  await ipam.reconcile('sim', ctx);
  expect(writes).toEqual([]);
});

test('when every block is taken the node waits (requeued), and nothing is handed out twice', async () => {
  const { ipam, writes } = setup([node('a', '10.0.0.0/25'), node('b', '10.0.0.128/25'), node('c')], '10.0.0.0/24', 25);
  expect(await ipam.reconcile('c', ctx)).toEqual({ requeueAfter: 30_000 });
  expect(writes).toEqual([]);
});
