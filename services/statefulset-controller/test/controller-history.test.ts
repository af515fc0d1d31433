import { goJson, hashControllerRevision, templateOf, templatePatch, type ControllerRevision } from '@keelson/controller-runtime';
import { newRevision } from '../src/stateful-set-revisions';
import type { StatefulSet } from '../src/types';

const sts: StatefulSet = {
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', annotations: { 'kubernetes.io/change-cause': 'kubectl set image' } },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a<b' }] } } },
};

test('a revision holds the template as the strategic merge patch kubectl rollout undo applies', () => {
  const r = newRevision(sts, 3, 0);
  expect(r.data).toEqual({ spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a<b' }] } } } });
  expect(r.revision).toBe(3);
  expect(r.metadata.name).toBe(`web-${r.metadata.labels!['controller-revision-hash']}`);
  expect(r.metadata.labels).toMatchObject({ app: 'web' });
  expect(r.metadata.annotations).toEqual({ 'kubernetes.io/change-cause': 'kubectl set image' });
  expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  expect(templateOf(r as ControllerRevision)).toEqual(sts.spec!.template);
});

test('hashes are stable, depend on the collision count, and use the safe alphabet', () => {
  const data = templatePatch(sts.spec!.template);
  expect(hashControllerRevision(data, 0)).toBe(hashControllerRevision(structuredClone(data), 0));
  expect(hashControllerRevision(data, 1)).not.toBe(hashControllerRevision(data, 0));
  expect(hashControllerRevision(data, 0)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
});

test('goJson sorts keys and escapes HTML characters as Go does', () => {
  expect(goJson({ b: 1, a: { d: '<&>', c: [2, 1] } })).toBe('{"a":{"c":[2,1],"d":"\\u003c\\u0026\\u003e"},"b":1}');
});
