import { parseResolvConf, podResolvConf } from '../src/runtime/sandbox/resolv-conf';
import type { Pod } from '../src/types';

const HOST = '# host\nnameserver 10.0.0.2\nnameserver 10.0.0.3 # second\nsearch corp.example lab.example\noptions edns0 timeout:2\n';
const CLUSTER = { servers: ['10.244.1.1'], domain: 'cluster.local' };
const pod = (spec: Record<string, unknown> = {}, namespace = 'team'): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace, uid: 'u' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

describe('a pod\'s resolv.conf (kubelet network/dns)', () => {
  test('ClusterFirst (the default): the node\'s cluster DNS, the namespace\'s search path before the host\'s, ndots:5', () => {
    expect(podResolvConf(pod(), HOST, CLUSTER)).toBe(
      'search team.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.244.1.1\noptions ndots:5\n',
    );
  });

  test('a hostNetwork pod gets the host\'s unless it asks for ClusterFirstWithHostNet', () => {
    expect(podResolvConf(pod({ hostNetwork: true }), HOST, CLUSTER)).toBe('search corp.example lab.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions edns0 timeout:2\n');
    expect(podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), HOST, CLUSTER)).toMatch(/^search team\.svc\.cluster\.local .*\nnameserver 10\.244\.1\.1\n/);
  });

  test('Default is the host\'s; without cluster DNS on the node ClusterFirst falls back to it', () => {
    const host = 'search corp.example lab.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions edns0 timeout:2\n';
    expect(podResolvConf(pod({ dnsPolicy: 'Default' }), HOST, CLUSTER)).toBe(host);
    expect(podResolvConf(pod(), HOST, undefined)).toBe(host);
  });

  test('None takes dnsConfig alone; dnsConfig is appended to the others, options merged by name', () => {
    expect(podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), HOST, CLUSTER))
      .toBe('search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
    expect(podResolvConf(pod({ dnsConfig: { nameservers: ['10.244.1.1', '9.9.9.9'], searches: ['extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } }), '', CLUSTER))
      .toBe('search team.svc.cluster.local svc.cluster.local cluster.local extra.example\nnameserver 10.244.1.1\nnameserver 9.9.9.9\noptions ndots:1 single-request\n');
  });

  test('at most three nameservers, as kube allows', () => {
    expect(podResolvConf(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } }), '', CLUSTER).match(/nameserver/g)).toHaveLength(3);
  });

  test('the host file: the last search or domain line wins, comments go', () => {
    expect(parseResolvConf('domain a.example\nsearch b.example c.example ; x\nnameserver 10.0.0.1\n')).toEqual({ nameservers: ['10.0.0.1'], searches: ['b.example', 'c.example'], options: [] });
  });
});
