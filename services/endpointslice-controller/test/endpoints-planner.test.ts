import { desiredEndpoints, desiredSubsets, endpointsChanged, MAX_ENDPOINTS_ADDRESSES, OVER_CAPACITY_ANNOTATION } from '../src/endpoints-planner';
import { pod, service } from './fixtures';

describe('legacy Endpoints', () => {
  test('ready and not-ready addresses share a subset per port set, sorted by IP', () => {
    const subsets = desiredSubsets(service(), [pod('p3'), pod('p1', { ready: false }), pod('p2')]);
    expect(subsets).toEqual([{
      addresses: [
        { ip: '10.0.0.2', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p2', uid: 'uid-p2' } },
        { ip: '10.0.0.3', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p3', uid: 'uid-p3' } },
      ],
      notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'uid-p1' } }],
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('pods serving a named port on different numbers get their own subsets', () => {
    const subsets = desiredSubsets(service(), [pod('p1'), pod('p2', { port: 9090 })]);
    expect(subsets.map((s) => [s.ports![0].port, s.addresses!.map((a) => a.ip)])).toEqual([[8080, ['10.0.0.1']], [9090, ['10.0.0.2']]]);
  });

  test('terminating, terminal and address-less pods are left out unless not-ready addresses are published', () => {
    const pods = [pod('p1', { terminating: true }), pod('p2', { phase: 'Succeeded' }), pod('p3', { ip: '' }), pod('p4', { ready: false })];
    expect(desiredSubsets(service(), pods).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map((a) => a.ip))).toEqual(['10.0.0.4']);
    const published = desiredSubsets(service(undefined, { publishNotReadyAddresses: true }), pods);
    expect(published.map((s) => s.addresses!.map((a) => a.ip))).toEqual([['10.0.0.1', '10.0.0.4']]);
  });

  test('over 1,000 addresses are truncated and annotated', () => {
    const pods = Array.from({ length: MAX_ENDPOINTS_ADDRESSES + 5 }, (_, i) => pod(`p${i}`, { ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const ep = desiredEndpoints(service(), pods, undefined);
    expect(ep.subsets![0].addresses).toHaveLength(MAX_ENDPOINTS_ADDRESSES);
    expect(ep.metadata.annotations?.[OVER_CAPACITY_ANNOTATION]).toBe('truncated');
  });

  test('a readiness change is a change; the same pods are not', () => {
    const current = { ...desiredEndpoints(service(), [pod('p1'), pod('p2')], undefined), metadata: { name: 'web', namespace: 'ns', resourceVersion: '7', labels: { tier: 'front' } } };
    expect(endpointsChanged(current, desiredEndpoints(service(), [pod('p1'), pod('p2')], current))).toBe(false);
    const next = desiredEndpoints(service(), [pod('p1'), pod('p2', { ready: false })], current);
    expect(endpointsChanged(current, next)).toBe(true);
    expect(next.metadata.resourceVersion).toBe('7');
  });
});
