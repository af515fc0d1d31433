import { ApiError } from '../src/status';
import { applyStrategicMergePatch } from '../src/patch/strategic-merge-patch';
import { resolve, schemaOf } from './patch-strategic-schemas';

const deployment = schemaOf('io.k8s.api.apps.v1.Deployment');
const pod = schemaOf('io.k8s.api.core.v1.Pod');
const mergeItem = schemaOf('mergeItem');

const smp = (original: unknown, patch: unknown, schema = mergeItem): unknown => applyStrategicMergePatch(original, patch, schema, resolve);

function badRequest(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) {
      expect(e.code).toBe(400);
      return e;
    }
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('applyStrategicMergePatch: kubectl apply', () => {
  const original = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };

  it('changing the image keeps the ports ($setElementOrder + merge by name)', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.16.1', name: 'nginx' }] } } },
    };
    const before = JSON.stringify(original);
    const out = applyStrategicMergePatch(original, patch, deployment, resolve);
    expect(out).toEqual({
      ...original,
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.1', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    expect(JSON.stringify(original)).toBe(before);
  });

  it('adding a sidecar, env and a port merges every list by its key', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
            containers: [
              { name: 'nginx', '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }], ports: [{ containerPort: 443 }], env: [{ name: 'A', value: '1' }] },
              { name: 'sidecar', image: 'busybox' },
            ],
          },
        },
      },
    };
    const out = smp(original, patch, deployment) as typeof original;
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }, { containerPort: 443 }], env: [{ name: 'A', value: '1' }] },
      { name: 'sidecar', image: 'busybox' },
    ]);
  });

  it('removing a container uses a $patch: delete element', () => {
    const two = smp(original, { spec: { template: { spec: { containers: [{ name: 'b', image: 'b' }] } } } }, deployment);
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ $patch: 'delete', name: 'b' }] } } } };
    expect((smp(two, patch, deployment) as typeof original).spec.template.spec.containers).toEqual(original.spec.template.spec.containers);
  });

  it('switching the strategy to Recreate with $retainKeys drops rollingUpdate', () => {
    const live = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } };
    const out = smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deployment);
    expect(out).toEqual({ spec: { strategy: { type: 'Recreate' } } });
  });
});

describe('applyStrategicMergePatch: Pod schema', () => {
  const live = {
    metadata: { name: 'p', finalizers: ['a', 'b'], labels: { x: '1', y: '2' } },
    spec: {
      containers: [
        { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
      nodeSelector: { zone: 'a' },
    },
  };

  it('merges finalizers as a set and deletes labels with null', () => {
    const out = smp(live, { metadata: { finalizers: ['b', 'c'], labels: { y: null, z: '3' } } }, pod) as typeof live;
    expect(out.metadata.finalizers).toEqual(['a', 'b', 'c']);
    expect(out.metadata.labels).toEqual({ x: '1', z: '3' });
  });

  it('removes a finalizer with $deleteFromPrimitiveList', () => {
    const out = smp(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, pod) as typeof live;
    expect(out.metadata.finalizers).toEqual(['b']);
  });

  it('merges env by name, volumeMounts by mountPath and replaces tolerations atomically', () => {
    const patch = {
      spec: {
        containers: [{ name: 'app', env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        tolerations: [{ key: 'k2', operator: 'Exists' }],
      },
    };
    const out = smp(live, patch, pod) as typeof live;
    expect(out.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '20' }, { name: 'C', value: '3' }]);
    // Without $setElementOrder, apimachinery puts items the live list lacks before server-only ones.
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg' }]);
    expect(out.spec.tolerations).toEqual([{ key: 'k2', operator: 'Exists' }]);
  });

  it('switches a volume source with $retainKeys inside a merged list element', () => {
    const patch = { spec: { volumes: [{ name: 'cfg', $retainKeys: ['emptyDir', 'name'], emptyDir: {} }] } };
    expect((smp(live, patch, pod) as typeof live).spec.volumes).toEqual([{ name: 'cfg', emptyDir: {} }]);
  });

  it('replaces a list with a {$patch: replace} element and a map with $patch: replace', () => {
    const patch = { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }], nodeSelector: { $patch: 'replace', zone: 'b' } } };
    const out = smp(live, patch, pod) as typeof live;
    expect(out.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
    expect(out.spec.nodeSelector).toEqual({ zone: 'b' });
  });

  it('never leaves directives or nulls in values it adds', () => {
    const patch = { spec: { initContainers: [{ name: 'init', image: 'i', env: [{ name: 'X', value: null }] }, { $patch: 'delete', name: 'gone' }] } };
    expect((smp(live, patch, pod) as { spec: Record<string, unknown> }).spec.initContainers).toEqual([{ name: 'init', image: 'i', env: [{ name: 'X' }] }]);
  });

  it('falls back to JSON merge where the schema says nothing', () => {
    const out = smp({ a: [1, 2], m: { k: 1, j: 2 } }, { a: [3], m: { j: null } }, undefined);
    expect(out).toEqual({ a: [3], m: { k: 1 } });
  });

  it('rejects bad directives with 400', () => {
    badRequest(() => smp(live, { spec: { nodeSelector: { $patch: 'explode' } } }, pod));
    badRequest(() => smp(live, { spec: { containers: [{ $patch: 'merge' }] } }, pod));
    badRequest(() => smp(live, { spec: { $frobnicate: true } }, pod));
    badRequest(() => smp(live, { spec: { containers: [{ image: 'no-name' }] } }, pod));
    badRequest(() => smp(live, { spec: { $setElementOrder: [] } }, pod));
    badRequest(() => smp(live, { spec: { '$setElementOrder/containers': 'x' } }, pod));
    badRequest(() => smp(live, { metadata: { $retainKeys: 'name' } }, pod));
    badRequest(() => smp(live, { metadata: { $retainKeys: ['name'], labels: {} } }, pod));
    badRequest(() => smp(live, [], pod));
  });
});

// Cases from apimachinery pkg/util/strategicpatch/patch_test.go (MergeItem schema),
// expressed as [description, current, patch, result].
const apimachineryCases: [string, unknown, unknown, unknown][] = [
  ['unique scalars when merging lists', { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
  ['delete map from nested map', { simpleMap: { key1: '1', key2: '1' } }, { simpleMap: { $patch: 'delete' } }, { simpleMap: {} }],
  ['delete all items from merging list', { mergingList: [{ name: '1' }, { name: '2' }] }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
  ['merge empty merging lists', { mergingList: [] }, { mergingList: [] }, { mergingList: [] }],
  ['delete all keys from map', { name: '1', value: '1' }, { $patch: 'replace' }, {}],
  ['add key and delete all keys from map', { name: '1', value: '1' }, { other: 'a', $patch: 'replace' }, { other: 'a' }],
  [
    'delete all duplicate entries in a merging list',
    { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
    { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
    { mergingList: [{ name: '2', value: 'a' }] },
  ],
  ['retainKeys map can delete a field when no retainKeys directive present', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: null } }, { retainKeysMap: { name: 'foo' } }],
  [
    'preserve the order from the patch in a merging list',
    { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
    { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] },
  ],
  [
    'preserve the order from the patch in a merging list 2',
    { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] },
  ],
  ['preserve the order from the patch in a merging int list', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
  [
    '$setElementOrder contains item that is not present in the list to be merged',
    { mergingList: [{ name: '1' }, { name: '3' }] },
    { '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    { mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
  ],
  ['$setElementOrder reorders an int list', { mergingIntList: [1, 3] }, { '$setElementOrder/mergingIntList': [3, 2, 1] }, { mergingIntList: [3, 1] }],
  [
    'behavior of set element order for a merging int list with duplicate',
    { mergingIntList: [1, 2, 3, 2, 4] },
    { '$setElementOrder/mergingIntList': [2, 1, 4, 3, 2] },
    { mergingIntList: [2, 2, 1, 4, 3] },
  ],
  [
    'merge lists of maps (server-only fields survive, new items placed by $setElementOrder)',
    { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
    { '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }] },
    { mergingList: [{ name: '4', value: '4' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] },
  ],
  [
    'delete items in lists of scalars',
    { mergingIntList: [1, 2, 3, 4] },
    { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    { mergingIntList: [1, 2, 4] },
  ],
  ['$deleteFromPrimitiveList of nonexistent item', { mergingIntList: [1, 2] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2] }],
  ['$deleteFromPrimitiveList on empty primitive list', { mergingIntList: null }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: null }],
  ['$deleteFromPrimitiveList on nonexistent primitive list', { foo: ['bar'] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { foo: ['bar'] }],
  ['$deleteFromPrimitiveList on a list without merge strategy', { nonMergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, { nonMergingIntList: [1, 3] }],
  [
    'retainKeys map should clear defaulted field with conflict (discriminated union)',
    { retainKeysMap: { name: 'type1', value: 'foo' } },
    { retainKeysMap: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' } },
    { retainKeysMap: { name: 'type2', other: 'bar' } },
  ],
  [
    'retainKeys map adds an item and deletes an item in nested merging int list',
    { retainKeysMap: { name: 'foo', mergingIntList: [1, 2, 3, 4] } },
    {
      retainKeysMap: {
        $retainKeys: ['mergingIntList', 'name'],
        mergingIntList: [5],
        '$deleteFromPrimitiveList/mergingIntList': [2],
        '$setElementOrder/mergingIntList': [1, 3, 5],
      },
    },
    { retainKeysMap: { name: 'foo', mergingIntList: [1, 3, 5, 4] } },
  ],
  [
    'retainKeys map adds an item in nested merging list',
    { retainKeysMap: { name: 'foo', mergingList: [{ name: 'a' }, { name: 'b' }, { name: 'x' }] } },
    { retainKeysMap: { $retainKeys: ['mergingList', 'name'], '$setElementOrder/mergingList': [{ name: 'a' }, { name: 'b' }, { name: 'c' }], mergingList: [{ name: 'c' }] } },
    { retainKeysMap: { name: 'foo', mergingList: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'x' }] } },
  ],
  [
    'retainKeys map deletes nested non-merging list',
    { retainKeysMap: { name: 'foo', nonMergingList: [{ name: 'a' }, { name: 'b' }] } },
    { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'bar', nonMergingList: null } },
    { retainKeysMap: { name: 'foo', value: 'bar' } },
  ],
  ['replace strategy replaces a map', { replacingItem: { a: 1, b: { c: 2 } } }, { replacingItem: { b: { d: 3 } } }, { replacingItem: { b: { d: 3 } } }],
  ['non-merging list of maps is replaced', { nonMergingList: [{ name: '1', value: 'a' }] }, { nonMergingList: [{ name: '2' }] }, { nonMergingList: [{ name: '2' }] }],
];

describe('applyStrategicMergePatch: apimachinery test tables', () => {
  it.each(apimachineryCases)('%s', (_description, current, patch, result) => {
    expect(smp(current, patch)).toEqual(result);
  });

  it('should check if order in $setElementOrder and patch list match', () => {
    const e = badRequest(() =>
      smp(
        { mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
        { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
      ),
    );
    expect(e.message).toContain("doesn't match");
    expect(() => smp({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] })).toThrow("doesn't match");
  });

  it('missing merge key should error out', () => {
    expect(badRequest(() => smp({ mergingList: [{ name: '1', value: 'a' }] }, { mergingList: [{ value: 'b' }] })).message).toContain(
      'does not contain declared merge key',
    );
  });

  it('rejects a patch key that $retainKeys does not list', () => {
    badRequest(() => smp({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }));
  });
});
