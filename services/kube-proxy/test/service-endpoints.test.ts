import { endpointsFromPods, endpointsFromSlices, findPort, servicePorts, type EndpointSources } from '../src/service-endpoints';
import type { EndpointSlice, Pod, Service } from '../src/types';

const pod = (name: string, ip: string | undefined, ready: boolean, extra: Partial<Pod> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }] },
  status: { phase: 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  ...extra,
});
const svc = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec });

describe('endpoints from pods', () => {
  it('keeps Ready pods with an IP, sorted, and resolves named target ports', () => {
    const pods = [pod('b', '10.244.1.3', true), pod('a', '10.244.1.2', true), pod('c', '10.244.1.4', false), pod('d', undefined, true)];
    expect(endpointsFromPods(pods, { port: 80, targetPort: 'http' })).toEqual([{ ip: '10.244.1.2', port: 8080 }, { ip: '10.244.1.3', port: 8080 }]);
    expect(endpointsFromPods(pods, { port: 80, targetPort: 9000 })).toEqual([{ ip: '10.244.1.2', port: 9000 }, { ip: '10.244.1.3', port: 9000 }]);
  });

  it('leaves out terminating and finished pods, and pods without the named port of that protocol', () => {
    const deleting = pod('a', '10.244.1.2', true);
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const done = pod('b', '10.244.1.3', true, { status: { phase: 'Succeeded', podIP: '10.244.1.3', conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(endpointsFromPods([deleting, done], { port: 80 })).toEqual([]);
    expect(findPort(pod('x', '1.2.3.4', true), { port: 53, targetPort: 'dns', protocol: 'TCP' })).toBeUndefined();
    expect(findPort(pod('x', '1.2.3.4', true), { port: 53, targetPort: 'dns', protocol: 'UDP' })).toBe(53);
  });
});

describe('endpoints from EndpointSlices', () => {
  it('matches the port by name and protocol and skips endpoints not ready', () => {
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc', namespace: 'default' }, addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.2.5'], conditions: { ready: true } },
        { addresses: ['10.244.2.6'], conditions: { ready: false } },
        { addresses: ['10.244.2.7'] },
      ],
    };
    expect(endpointsFromSlices([slice], { name: 'http', port: 80 })).toEqual([{ ip: '10.244.2.5', port: 8080 }, { ip: '10.244.2.7', port: 8080 }]);
    expect(endpointsFromSlices([slice], { name: 'other', port: 80 })).toEqual([]);
  });
});

describe('servicePorts', () => {
  const sources = (slices: EndpointSlice[], pods: Pod[]): EndpointSources => ({ slices: () => slices, selectedPods: () => pods });

  it('uses slices when the Service has any, else its selected pods; node ports only for NodePort/LoadBalancer', () => {
    const s = svc({ type: 'NodePort', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }], sessionAffinity: 'ClientIP' });
    const [fromPods] = servicePorts(s, sources([], [pod('a', '10.244.1.2', true)]));
    expect(fromPods).toMatchObject({ id: 'default/web:80', source: 'pods', clusterIP: '10.96.0.20', nodePort: 30080, affinityTimeoutSeconds: 10800, endpoints: [{ ip: '10.244.1.2', port: 8080 }] });
    const slice: EndpointSlice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x' }, addressType: 'IPv4', ports: [{ port: 8080, protocol: 'TCP' }], endpoints: [] };
    const [fromSlices] = servicePorts(s, sources([slice], [pod('a', '10.244.1.2', true)]));
    expect(fromSlices).toMatchObject({ source: 'endpointslices', endpoints: [] });
    expect(servicePorts(svc({ ...s.spec, type: 'ClusterIP' }), sources([], []))[0].nodePort).toBeUndefined();
  });

  it('skips headless and ExternalName Services', () => {
    expect(servicePorts(svc({ clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] }), sources([], []))).toEqual([]);
    expect(servicePorts(svc({ type: 'ExternalName', ports: [{ port: 80 }] }), sources([], []))).toEqual([]);
  });
});
