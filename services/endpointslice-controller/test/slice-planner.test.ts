import { planSlices } from '../src/slice-planner';
import type { EndpointSlice } from '../src/types';
import { pod, service } from './fixtures';

const named = (plan: EndpointSlice[]): string[][] => plan.map((s) => (s.endpoints ?? []).map((e) => e.targetRef.name));
const withName = (s: EndpointSlice, name: string): EndpointSlice => ({ ...s, metadata: { ...s.metadata, name, uid: `uid-${name}` } });

describe('EndpointSlice plan', () => {
  test('one slice per port set with the resolved port, kube labels and the Service as controller', () => {
    const plan = planSlices(service(), [pod('p1'), pod('p2', { ready: false }), pod('p3', { terminating: true })], [], 100);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    const [slice] = plan.create;
    expect(slice.metadata.generateName).toBe('web-');
    expect(slice.metadata.labels).toEqual({ tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    expect(slice.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints!.map((e) => [e.targetRef.name, e.conditions])).toEqual([
      ['p1', { ready: true, serving: true, terminating: false }],
      ['p2', { ready: false, serving: false, terminating: false }],
      // A terminating pod that is still ready serves but is not ready.
      ['p3', { ready: false, serving: true, terminating: true }],
    ]);
  });

  test('slices are capped; endpoints stay in their slice and new ones fill the room first', () => {
    const pods = Array.from({ length: 5 }, (_, i) => pod(`p${i + 1}`));
    const first = planSlices(service(), pods, [], 2);
    expect(named(first.create)).toEqual([['p1', 'p2'], ['p3', 'p4'], ['p5']]);
    const existing = first.create.map((s, i) => withName(s, `web-${i}`));
    // p3 goes, p6 comes: it takes p3's place rather than making a new slice.
    const next = planSlices(service(), [...pods.filter((p) => p.metadata.name !== 'p3'), pod('p6')], existing, 2);
    expect(next.create).toEqual([]);
    expect(next.delete).toEqual([]);
    expect(named(next.update)).toEqual([['p4', 'p6']]);
    expect(next.update[0].metadata.name).toBe('web-1');
  });

  test('an unchanged Service plans nothing; an emptied slice is deleted', () => {
    const pods = [pod('p1'), pod('p2')];
    const existing = planSlices(service(), pods, [], 1).create.map((s, i) => withName(s, `web-${i}`));
    expect(planSlices(service(), pods, existing, 1)).toEqual({ create: [], update: [], delete: [] });
    const gone = planSlices(service(), [pod('p2')], existing, 1);
    expect(gone.delete.map((s) => s.metadata.name)).toEqual(['web-0']);
    expect(gone.update).toEqual([]);
  });

  test('no endpoints leaves one empty placeholder slice', () => {
    const plan = planSlices(service(), [pod('p1', { phase: 'Failed' })], [], 100);
    expect(plan.create.map((s) => [s.endpoints, s.ports])).toEqual([[[], []]]);
    const existing = planSlices(service(), [pod('p1')], [], 100).create.map((s) => withName(s, 'web-a'));
    const emptied = planSlices(service(), [], existing, 100);
    expect(emptied.delete).toEqual([]);
    expect(emptied.update.map((s) => [s.metadata.name, s.endpoints, s.ports])).toEqual([['web-a', [], []]]);
  });

  test('a pod whose named port does not resolve serves no ports; a hostname in the Service subdomain is published', () => {
    const p = pod('p1');
    p.spec!.containers = [{ name: 'main' }];
    p.spec!.hostname = 'h1';
    p.spec!.subdomain = 'web';
    const [slice] = planSlices(service(), [p], [], 100).create;
    expect(slice.ports).toEqual([]);
    expect(slice.endpoints![0].hostname).toBe('h1');
  });
});
