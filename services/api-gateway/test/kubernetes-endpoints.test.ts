import { advertiseAddress, kubernetesEndpoints, kubernetesSlices } from '../src/registry/kubernetes-endpoints';

const ifaces = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: '127.0.0.1/8' }],
  eth0: [{ address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 1 }, { address: '172.18.0.5', family: 'IPv4', internal: false, netmask: '255.255.0.0', mac: '', cidr: '172.18.0.5/16' }],
} as unknown as Parameters<typeof advertiseAddress>[2];

describe('advertiseAddress (kube-apiserver --advertise-address defaulting)', () => {
  test('the configured address wins; a routable bind address is advertised as is', () => {
    expect(advertiseAddress('10.0.0.9', '0.0.0.0', ifaces)).toBe('10.0.0.9');
    expect(advertiseAddress(undefined, '192.168.1.4', ifaces)).toBe('192.168.1.4');
  });
  test('bound to every address or to loopback: the host\'s first non-internal IPv4', () => {
    expect(advertiseAddress(undefined, '0.0.0.0', ifaces)).toBe('172.18.0.5');
    expect(advertiseAddress(undefined, '127.0.0.1', ifaces)).toBe('172.18.0.5');
    expect(advertiseAddress(undefined, '127.0.0.1', { lo: ifaces!.lo })).toBeUndefined();
  });
});

describe('the kubernetes Endpoints and EndpointSlices', () => {
  test('one gateway: one subset and one slice named kubernetes', () => {
    expect(kubernetesEndpoints([{ ip: '10.1.0.2', port: 6443 }])).toEqual({
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '10.1.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
    expect(kubernetesSlices([{ ip: '10.1.0.2', port: 6443 }])).toEqual([{
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.2'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    }]);
  });
  test('several gateways: addresses sorted numerically, one subset and slice per port', () => {
    const eps = [{ ip: '10.1.0.10', port: 6443 }, { ip: '10.1.0.9', port: 6443 }, { ip: '10.1.0.2', port: 7443 }];
    expect(kubernetesEndpoints(eps).subsets).toEqual([
      { addresses: [{ ip: '10.1.0.9' }, { ip: '10.1.0.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.1.0.2' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] },
    ]);
    expect(kubernetesSlices(eps).map((s) => [s.metadata.name, (s.endpoints as { addresses: string[] }[]).map((e) => e.addresses[0])])).toEqual([['kubernetes', ['10.1.0.9', '10.1.0.10']], ['kubernetes-7443', ['10.1.0.2']]]);
  });
  test('no gateway: no subsets, no slices', () => {
    expect(kubernetesEndpoints([]).subsets).toEqual([]);
    expect(kubernetesSlices([])).toEqual([]);
  });
});
