import { etcdMembers, loadLocalConfig } from '../src/config';

describe('local HA configuration', () => {
  test('one etcd member by default, on the documented ports and the historic data dir', () => {
    const cfg = loadLocalConfig({});
    expect(cfg.replicas).toBe(1);
    expect(etcdMembers(cfg)).toEqual([{ name: 'keelson', clientPort: 2379, peerPort: 2380, metricsPort: 2381, dataDir: 'etcd' }]);
  });

  test('KEELSON_ETCD_MEMBERS=3 gives a cluster on consecutive port triples, each with its own data dir', () => {
    const cfg = loadLocalConfig({ KEELSON_ETCD_MEMBERS: '3', KEELSON_ETCD_PORT: '12379', KEELSON_ETCD_PEER_PORT: '12380', KEELSON_ETCD_METRICS_PORT: '12381', KEELSON_REPLICAS: '2' });
    expect(cfg.replicas).toBe(2);
    const m = etcdMembers(cfg);
    expect(m.map((x) => [x.name, x.clientPort, x.peerPort, x.metricsPort])).toEqual([
      ['keelson-0', 12379, 12380, 12381],
      ['keelson-1', 12382, 12383, 12384],
      ['keelson-2', 12385, 12386, 12387],
    ]);
    const ports = m.flatMap((x) => [x.clientPort, x.peerPort, x.metricsPort]);
    expect(new Set(ports).size).toBe(ports.length);
    expect(new Set(m.map((x) => x.dataDir)).size).toBe(3);
  });
});
