import type { KubeObject } from '@keelson/api';
import { containerEnv } from '../src/runtime/container-env';
import { podServiceEnv, serviceVariables } from '../src/runtime/service-env';
import type { Pod } from '../src/types';

const svc = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec });
const services = [
  svc('team', 'foo-bar', { clusterIP: '1.2.3.4', ports: [{ port: 8083, protocol: 'TCP' }] }),
  svc('team', 'abc-123', { clusterIP: '5.6.7.8', ports: [{ name: 'u-d-p', port: 8081, protocol: 'UDP' }, { name: 't-c-p', port: 8081, protocol: 'TCP' }] }),
  svc('team', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('team', 'external', { type: 'ExternalName', externalName: 'example.com' }),
  svc('other', 'elsewhere', { clusterIP: '9.9.9.9', ports: [{ port: 80 }] }),
  svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] }),
  svc('default', 'web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }),
];
const servicesIn = (ns: string): KubeObject[] => services.filter((s) => s.metadata.namespace === ns);
const pod = (namespace: string, spec: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace, uid: 'u' },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

describe('service environment variables (kubelet envvars.FromServices)', () => {
  test('a service\'s host, first port, named ports and Docker link variables', () => {
    expect(podServiceEnv(pod('team'), servicesIn)).toEqual({
      FOO_BAR_SERVICE_HOST: '1.2.3.4',
      FOO_BAR_SERVICE_PORT: '8083',
      FOO_BAR_PORT: 'tcp://1.2.3.4:8083',
      FOO_BAR_PORT_8083_TCP: 'tcp://1.2.3.4:8083',
      FOO_BAR_PORT_8083_TCP_PROTO: 'tcp',
      FOO_BAR_PORT_8083_TCP_PORT: '8083',
      FOO_BAR_PORT_8083_TCP_ADDR: '1.2.3.4',
      ABC_123_SERVICE_HOST: '5.6.7.8',
      ABC_123_SERVICE_PORT: '8081',
      ABC_123_SERVICE_PORT_U_D_P: '8081',
      ABC_123_SERVICE_PORT_T_C_P: '8081',
      ABC_123_PORT: 'udp://5.6.7.8:8081',
      ABC_123_PORT_8081_UDP: 'udp://5.6.7.8:8081',
      ABC_123_PORT_8081_UDP_PROTO: 'udp',
      ABC_123_PORT_8081_UDP_PORT: '8081',
      ABC_123_PORT_8081_UDP_ADDR: '5.6.7.8',
      ABC_123_PORT_8081_TCP: 'tcp://5.6.7.8:8081',
      ABC_123_PORT_8081_TCP_PROTO: 'tcp',
      ABC_123_PORT_8081_TCP_PORT: '8081',
      ABC_123_PORT_8081_TCP_ADDR: '5.6.7.8',
    });
  });

  test('enableServiceLinks: false leaves them out', () => {
    expect(podServiceEnv(pod('team', { enableServiceLinks: false }), servicesIn)).toEqual({});
  });

  test('in the default namespace the kubernetes Service is left to the API variables the sandbox sets', () => {
    expect(Object.keys(podServiceEnv(pod('default'), servicesIn)).filter((k) => k.startsWith('KUBERNETES'))).toEqual([]);
    expect(podServiceEnv(pod('default'), servicesIn)).toMatchObject({ WEB_SERVICE_HOST: '10.96.0.20', WEB_PORT: 'tcp://10.96.0.20:80' });
  });

  test('an IPv6 cluster IP is bracketed in the URLs', () => {
    expect(serviceVariables('v6', 'fd00::10', [{ port: 53, protocol: 'UDP' }])).toMatchObject({ V6_SERVICE_HOST: 'fd00::10', V6_PORT: 'udp://[fd00::10]:53', V6_PORT_53_UDP_ADDR: 'fd00::10' });
  });

  test('in the container: under envFrom and env, which override them and can refer to them', () => {
    const p = pod('team');
    const c = { name: 'c', image: 'x', env: [{ name: 'FOO_BAR_SERVICE_PORT', value: 'mine' }, { name: 'URL', value: 'http://$(FOO_BAR_SERVICE_HOST):$(FOO_BAR_SERVICE_PORT)' }] };
    const env = containerEnv(p, c, { podIP: '10.0.0.2', hostIP: '10.0.0.1' }, { configMaps: new Map(), secrets: new Map(), services: podServiceEnv(p, servicesIn) });
    expect(env).toMatchObject({ FOO_BAR_SERVICE_HOST: '1.2.3.4', FOO_BAR_SERVICE_PORT: 'mine', URL: 'http://1.2.3.4:mine', ABC_123_SERVICE_HOST: '5.6.7.8' });
  });
});
