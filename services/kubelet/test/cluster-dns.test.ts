// The node's cluster DNS server, asked by a resolver nobody here wrote (Node's c-ares), over UDP
// and, for answers too large for a datagram, TCP.
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { createServer } from 'node:net';

import { ClusterZone, reverseAddress, type DnsEndpointSlice, type DnsService } from '../src/dns/cluster-zone';
import { ClusterDnsServer } from '../src/dns/dns-server';
import { parseResolvConf } from '../src/runtime/sandbox/resolv-conf';
import { parseQuery, TYPE } from '../src/dns/wire';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => log } as never;

const svc = (ns: string, name: string, spec: DnsService['spec']): DnsService => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec });
const slice = (ns: string, service: string, endpoints: DnsEndpointSlice['endpoints'], ports: DnsEndpointSlice['ports'] = []): DnsEndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports,
});

const services: DnsService[] = [
  svc('default', 'web', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('team', 'web', { clusterIP: '10.96.0.30', ports: [{ port: 8080 }] }),
  svc('default', 'nginx', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
  svc('default', 'many', { clusterIP: 'None' }),
  svc('default', 'db', { type: 'ExternalName', externalName: 'db.example.com.' }),
  svc('default', 'v6', { clusterIP: 'fd00::1:20', clusterIPs: ['fd00::1:20'], ports: [{ port: 80 }] }),
];
const slices: DnsEndpointSlice[] = [
  slice('default', 'nginx', [
    { addresses: ['10.244.0.5'], hostname: 'web-0', conditions: { ready: true } },
    { addresses: ['10.244.1.6'], hostname: 'web-1', conditions: { ready: true } },
    { addresses: ['10.244.1.7'], hostname: 'web-2', conditions: { ready: false } },
    { addresses: ['10.244.0.9'], conditions: {} },
  ], [{ name: 'web', port: 8080, protocol: 'TCP' }]),
  slice('default', 'many', Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.250.${Math.floor(i / 250)}.${(i % 250) + 1}`], conditions: { ready: true } }))),
];
const zone = new ClusterZone('cluster.local', {
  service: (ns, name) => services.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
  services: () => services,
  slicesOf: (ns, name) => slices.filter((s) => s.metadata.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === name),
});

async function freePort(): Promise<number> {
  // A port free for both TCP and UDP on 127.0.0.1.
  for (;;) {
    const port = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const free = await new Promise<boolean>((ok) => {
      const u = createSocket('udp4');
      u.once('error', () => ok(false));
      u.bind(port, '127.0.0.1', () => u.close(() => ok(true)));
    });
    if (free) return port;
  }
}

let server: ClusterDnsServer;
let upstream: ClusterDnsServer;
let resolver: dns.Resolver;
let port: number;

beforeAll(async () => {
  // The "upstream": another server, authoritative for its own zone (example.test), where names
  // outside cluster.local are relayed.
  const upPort = await freePort();
  upstream = new ClusterDnsServer({ log, port: upPort, upstreams: [], zone: new ClusterZone('example.test', { service: (ns, name) => (ns === 'outside' && name === 'www' ? svc('outside', 'www', { clusterIP: '192.0.2.7' }) : undefined), services: () => [], slicesOf: () => [] }) });
  await upstream.listen('127.0.0.1');
  port = await freePort();
  server = new ClusterDnsServer({ log, zone, port, upstreams: [`127.0.0.1:${upPort}`] });
  await server.listen('127.0.0.1');
  resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

const code = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code ?? String(e));

describe('cluster DNS (kube DNS specification)', () => {
  test('a Service\'s name is its cluster IP, per namespace', async () => {
    expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual(['10.96.0.20']);
    expect(await resolver.resolve4('web.team.svc.cluster.local')).toEqual(['10.96.0.30']);
    expect(await resolver.resolve6('v6.default.svc.cluster.local')).toEqual(['fd00::1:20']);
    // Case does not matter.
    expect(await resolver.resolve4('WEB.Default.SVC.cluster.local')).toEqual(['10.96.0.20']);
  });

  test('a name that does not exist is NXDOMAIN; an existing name without the asked type is NODATA', async () => {
    expect(await code(resolver.resolve4('nope.default.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await code(resolver.resolve4('web.nowhere.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await code(resolver.resolve4('a.b.c.d.e.f.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await code(resolver.resolve6('web.default.svc.cluster.local'))).toBe('ENODATA');
    expect(await code(resolver.resolve4('default.svc.cluster.local'))).toBe('ENODATA');
  });

  test('a headless Service is its ready endpoints; each named endpoint (a StatefulSet pod) has its own name', async () => {
    expect((await resolver.resolve4('nginx.default.svc.cluster.local')).sort()).toEqual(['10.244.0.5', '10.244.0.9', '10.244.1.6']);
    expect(await resolver.resolve4('web-0.nginx.default.svc.cluster.local')).toEqual(['10.244.0.5']);
    expect(await resolver.resolve4('web-1.nginx.default.svc.cluster.local')).toEqual(['10.244.1.6']);
    expect(await code(resolver.resolve4('web-2.nginx.default.svc.cluster.local'))).toBe('ENOTFOUND'); // not ready
    expect(await resolver.resolve4('10-244-0-9.nginx.default.svc.cluster.local')).toEqual(['10.244.0.9']);
  });

  test('SRV records for named ports: the Service name, or each endpoint of a headless one', async () => {
    expect(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local')).toEqual([{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    expect(await resolver.resolveSrv('_dns._udp.web.default.svc.cluster.local')).toEqual([{ name: 'web.default.svc.cluster.local', port: 53, priority: 0, weight: 100 }]);
    expect((await resolver.resolveSrv('_web._tcp.nginx.default.svc.cluster.local')).map((r) => `${r.name}:${r.port}`).sort()).toEqual([
      '10-244-0-9.nginx.default.svc.cluster.local:8080', 'web-0.nginx.default.svc.cluster.local:8080', 'web-1.nginx.default.svc.cluster.local:8080',
    ]);
    expect(await code(resolver.resolveSrv('_nope._tcp.web.default.svc.cluster.local'))).toBe('ENOTFOUND');
  });

  test('an ExternalName Service is a CNAME; pod names are their dashed addresses', async () => {
    expect(await resolver.resolveCname('db.default.svc.cluster.local')).toEqual(['db.example.com']);
    expect(await resolver.resolve4('10-244-3-4.team.pod.cluster.local')).toEqual(['10.244.3.4']);
    expect(await code(resolver.resolve4('10-244-3.team.pod.cluster.local'))).toBe('ENOTFOUND');
  });

  test('reverse lookups of cluster IPs and named endpoints', async () => {
    expect(await resolver.reverse('10.96.0.30')).toEqual(['web.team.svc.cluster.local']);
    expect(await resolver.reverse('10.244.1.6')).toEqual(['web-1.nginx.default.svc.cluster.local']);
    expect(reverseAddress('0.2.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa')).toBe('fd00::1:20');
    expect(await resolver.reverse('fd00::1:20')).toEqual(['v6.default.svc.cluster.local']);
  });

  test('an answer too large for a datagram is truncated, and the resolver gets it whole over TCP', async () => {
    expect((await resolver.resolve4('many.default.svc.cluster.local')).length).toBe(100);
  });

  test('other names are relayed to the upstream nameservers', async () => {
    expect(await resolver.resolve4('www.outside.svc.example.test')).toEqual(['192.0.2.7']);
    expect(await code(resolver.resolve4('nope.outside.svc.example.test'))).toBe('ENOTFOUND');
  });

  test('with no upstream answering, other names are SERVFAIL, and a malformed query is FORMERR', async () => {
    const lonely = new ClusterDnsServer({ log, zone, port: await freePort(), upstreams: [] });
    const p = await freePort();
    const alone = new ClusterDnsServer({ log, zone, port: p, upstreams: [] });
    await alone.listen('127.0.0.1');
    try {
      const r = new dns.Resolver({ timeout: 2000, tries: 1 });
      r.setServers([`127.0.0.1:${p}`]);
      expect(await code(r.resolve4('example.org'))).toBe('ESERVFAIL');
      const formerr = await lonely.handle(Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0]), false);
      expect(formerr?.readUInt16BE(0)).toBe(0x1234);
      expect((formerr!.readUInt16BE(2) & 0x800f)).toBe(0x8001); // a response, FORMERR
    } finally {
      await alone.close();
    }
  });

  test('the query parser reads EDNS(0) payload sizes and refuses what is not one query', () => {
    const q = Buffer.from('abcd01000001000000000001037765620764656661756c740373766307636c7573746572056c6f63616c0000010001' + '0000291000000000000000', 'hex');
    expect(parseQuery(q)).toMatchObject({ id: 0xabcd, rd: true, question: { name: 'web.default.svc.cluster.local', type: TYPE.A, class: 1 }, udpSize: 4096 });
    expect(() => parseQuery(Buffer.from('abcd81000001000000000000', 'hex'))).toThrow(/response/);
    expect(parseResolvConf('# comment\nnameserver 10.0.0.2\nsearch a b\nnameserver  ::1\n').nameservers).toEqual(['10.0.0.2', '::1']);
  });
});


