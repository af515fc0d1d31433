// The pods a Job may adopt are the namespace's pods without a controller, kept from pod events:
// an adopted pod leaves the set, a released one comes back, a deleted one goes; a selector
// matches only in its namespace, and an empty selector adopts nothing.
import { OrphanPods } from '../src/orphan-pods';
import type { Pod } from '../src/types';

const info = { revision: 1 };
const pod = (name: string, ns: string, labels: Record<string, string>, controller?: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: ns, uid: `uid-${name}`, labels, ...(controller ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: controller, uid: `uid-${controller}`, controller: true }] } : {}) },
  spec: {},
});
const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name!).sort();

test('orphans are tracked per namespace until adopted or deleted, and matched by selector', () => {
  const o = new OrphanPods();
  const h = o.handler();
  const a = pod('a', 'ns', { app: 'x' });
  h.onAdd!(a, info);
  h.onAdd!(pod('b', 'ns', { app: 'y' }), info);
  h.onAdd!(pod('c', 'other', { app: 'x' }), info);
  h.onAdd!(pod('owned', 'ns', { app: 'x' }, 'j'), info);
  const sel = { matchLabels: { app: 'x' } };
  expect(names(o.matching('ns', sel))).toEqual(['a']);
  expect(names(o.matching('other', sel))).toEqual(['c']);
  expect(o.matching('ns', {})).toEqual([]);
  expect(o.matching('ns', undefined)).toEqual([]);

  // Adopted: no longer an orphan; released again: back.
  const adopted = pod('a', 'ns', { app: 'x' }, 'j');
  h.onUpdate!(a, adopted, info);
  expect(o.matching('ns', sel)).toEqual([]);
  h.onUpdate!(adopted, a, info);
  expect(names(o.matching('ns', sel))).toEqual(['a']);

  h.onDelete!(a, info);
  expect(o.matching('ns', sel)).toEqual([]);
});
