import { ApiError } from '../src/status';
import type { KubeObject } from '../src/types';
import { schemaForKind } from '../src/schema';
import {
  applyConfiguration,
  compare,
  createdFields,
  decodeManagedFields,
  difference,
  ensureNamedFieldsAreMembers,
  hasPath,
  insertPath,
  intersection,
  managerFromUserAgent,
  memberPaths,
  merge,
  pathString,
  removeItems,
  sortedSet,
  toFieldSet,
  union,
  updateManagedFields,
  type FieldManagerScope,
  type FieldSet,
} from '../src/managed-fields';

const deploymentSchema = schemaForKind('apps', 'v1', 'Deployment');
const podSchema = schemaForKind('', 'v1', 'Pod');
const scope = (over: Partial<FieldManagerScope> = {}): FieldManagerScope => ({
  schema: deploymentSchema,
  apiVersion: 'apps/v1',
  resetFields: ['status'],
  now: '2026-11-29T14:00:00Z',
  ...over,
});

function deployment(spec: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      ...spec,
    },
  };
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a conflict');
}

describe('field sets in FieldsV1 form', () => {
  test('leaf members are {} and members with children carry "."', () => {
    const s: FieldSet = {};
    insertPath(s, ['f:metadata', 'f:labels', 'f:app']);
    insertPath(s, ['f:metadata', 'f:labels']);
    insertPath(s, ['f:spec', 'f:replicas']);
    expect(sortedSet(s)).toEqual({ 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
    expect(hasPath(s, ['f:metadata', 'f:labels'])).toBe(true);
    expect(hasPath(s, ['f:metadata'])).toBe(false);
  });

  test('a leaf member that gains children keeps its membership', () => {
    const s: FieldSet = {};
    insertPath(s, ['f:data']);
    insertPath(s, ['f:data', 'f:x']);
    expect(s).toEqual({ 'f:data': { '.': {}, 'f:x': {} } });
  });

  test('union, difference and intersection follow membership, not prefixes', () => {
    const a: FieldSet = { 'f:spec': { 'f:replicas': {}, 'f:paused': {} } };
    const b: FieldSet = { 'f:spec': { 'f:replicas': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } };
    expect(union(a, b)).toEqual({ 'f:spec': { 'f:replicas': {}, 'f:paused': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } });
    expect(difference(a, b)).toEqual({ 'f:spec': { 'f:paused': {} } });
    expect(intersection(a, b)).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(difference(b, { 'f:metadata': { 'f:labels': {} } })).toEqual({ 'f:spec': { 'f:replicas': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } });
    expect(difference(a, { 'f:status': {} })).toBe(a); // unchanged sets are returned as they are
  });

  test('paths print as fieldpath.Path.String does and sort as SMD orders elements', () => {
    const s: FieldSet = { 'i:1': {}, 'v:"b"': {}, 'k:{"name":"web"}': { 'f:image': {} }, 'f:z': {}, 'v:"a"': {}, 'f:a': {} };
    expect(Object.keys(sortedSet(s))).toEqual(['f:a', 'f:z', 'k:{"name":"web"}', 'v:"a"', 'v:"b"', 'i:1']);
    expect(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'])).toBe('.spec.template.spec.containers[name="web"].image');
    expect(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'])).toBe('.ports[containerPort=80,protocol="TCP"]');
    expect(pathString(['f:finalizers', 'v:"x"'])).toBe('.finalizers[="x"]');
    expect(memberPaths({ 'f:spec': { 'f:replicas': {}, 'f:paused': {} } }).map(pathString)).toEqual(['.spec.paused', '.spec.replicas']);
  });

  test('invalid FieldsV1 from a client is refused by the decoder', () => {
    const entry = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' };
    expect(() => decodeManagedFields([{ ...entry, fieldsV1: { 'x:bad': {} } }])).toThrow(/prefix/);
    expect(() => decodeManagedFields([{ ...entry, fieldsV1: { 'f:a': 1 } }])).toThrow();
    expect(() => decodeManagedFields([{ ...entry, operation: 'Patch', fieldsV1: {} }])).toThrow('operation must be `Apply` or `Update`');
    expect(() => decodeManagedFields([{ ...entry, fieldsType: 'FieldsV2' }])).toThrow('invalid fieldsType "FieldsV2" in managed fields entry 0');
  });
});

describe('the fields a configuration specifies', () => {
  test('list-map items are keyed by their map keys, set items by value, atomic lists are leaves', () => {
    const set = toFieldSet(
      {
        metadata: { finalizers: ['a'], labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx', args: ['-x'], ports: [{ containerPort: 80 }] }],
        },
      },
      podSchema,
    );
    expect(sortedSet(set)).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {} }, 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': {
            '.': {},
            'f:args': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    });
  });

  test('atomic maps (label selectors) are one leaf; objects without a schema are granular maps with atomic lists', () => {
    expect(toFieldSet({ spec: { selector: { matchLabels: { a: 'b' } } } }, deploymentSchema)).toEqual({ 'f:spec': { 'f:selector': {} } });
    expect(sortedSet(toFieldSet({ spec: { cron: '* * * * *', tags: ['a', 'b'], nested: { x: 1 } } }, undefined))).toEqual({
      'f:spec': { '.': {}, 'f:cron': {}, 'f:nested': { '.': {}, 'f:x': {} }, 'f:tags': {} },
    });
  });

  test('named struct fields become members where the set reaches into them', () => {
    const s = ensureNamedFieldsAreMembers({ 'f:spec': { 'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } } } } }, deploymentSchema);
    expect(s).toEqual({ 'f:spec': { '.': {}, 'f:template': { '.': {}, 'f:metadata': { '.': {}, 'f:labels': { '.': {}, 'f:app': {} } } } } });
  });
});

describe('compare, merge and removal by schema', () => {
  test('compare reports added, modified and removed leaves and items', () => {
    const a = { spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } };
    const b = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'c', image: 'z' }] } } } };
    const c = compare(a, b, deploymentSchema);
    expect(c.modified).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(sortedSet(c.added)).toEqual({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
    expect(sortedSet(c.removed)).toEqual({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
  });

  test('the one-pass create walk yields exactly the sorted added and modified fields of compare', () => {
    const zero = { metadata: {}, spec: { selector: null, template: { metadata: {}, spec: { containers: null } }, strategy: {} }, status: {} };
    const obj = JSON.parse(JSON.stringify(deployment({ replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } }, { b: '1', a: '2' })));
    obj.spec.template.spec.containers.push({ name: 'side', image: 'x', ports: [{ containerPort: 9 }, { containerPort: 10, protocol: 'UDP' }] });
    delete obj.apiVersion;
    delete obj.kind;
    const c = compare(zero, obj, deploymentSchema);
    expect(JSON.stringify(createdFields(obj, zero, deploymentSchema))).toBe(JSON.stringify(sortedSet(union(c.added, c.modified))));
  });

  test('merge keeps live items, merges shared ones and takes the configuration for leaves and atomic lists', () => {
    const live = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }, { name: 'sidecar', image: 's' }] } };
    const config = { spec: { containers: [{ name: 'a', image: 'y', command: ['run'], env: [{ name: 'B', value: '2' }] }] } };
    expect(merge(live, config, podSchema)).toEqual({
      spec: {
        containers: [
          { name: 'a', image: 'y', command: ['run'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
          { name: 'sidecar', image: 's' },
        ],
      },
    });
  });

  test('removing a set drops list items, map keys and maps left empty', () => {
    const obj = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } };
    const out = removeItems(
      obj,
      { 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:b': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { 'f:env': { 'k:{"name":"X"}': {} } } } } },
      podSchema,
    );
    expect(out).toEqual({ spec: { containers: [{ name: 'a' }] } });
    expect(obj.metadata.labels).toEqual({ a: '1', b: '2' }); // inputs are never mutated
  });
});

describe('managedFields on Update operations', () => {
  test('a create records every field it sets under the manager, as kube-apiserver shows it', () => {
    const obj = deployment({ replicas: 2 });
    const entries = updateManagedFields(undefined, obj, { manager: 'kubectl-create' }, scope());
    expect(entries).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2026-11-29T14:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  test('an update takes changed fields from their previous owner; an entry left empty is dropped', () => {
    const created = deployment({ replicas: 2 });
    created.metadata.managedFields = updateManagedFields(undefined, created, { manager: 'a' }, scope());
    const next = structuredClone(created);
    (next.spec as Record<string, unknown>).replicas = 5;
    const entries = updateManagedFields(created, next, { manager: 'b' }, scope({ now: '2026-11-29T14:01:00Z' }))!;
    expect(entries.map((e) => e.manager)).toEqual(['a', 'b']);
    expect((entries[0].fieldsV1 as FieldSet)['f:spec']['f:replicas']).toBeUndefined();
    expect(entries[1].fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });

    const again = structuredClone(next);
    again.metadata.managedFields = entries;
    const onlyB = updateManagedFields(again, { ...again, metadata: { ...again.metadata, managedFields: [{ manager: 'b', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] } }, { manager: 'c' }, scope());
    expect(onlyB!.map((e) => e.manager)).toEqual(['b']); // a client may replace managedFields outright
  });

  test('managedFields a client sends invalid are ignored for the stored ones; [] resets them', () => {
    const created = deployment({ replicas: 2 });
    created.metadata.managedFields = updateManagedFields(undefined, created, { manager: 'a' }, scope());
    const bad = { ...created, metadata: { ...created.metadata, managedFields: [{ manager: 'x', operation: 'Nope' }] } } as KubeObject;
    expect(updateManagedFields(created, bad, { manager: 'b' }, scope())).toEqual(created.metadata.managedFields);
    const reset = { ...created, metadata: { ...created.metadata, managedFields: [] } } as KubeObject;
    expect(updateManagedFields(created, reset, { manager: 'b' }, scope())).toBeUndefined();
  });

  test('a create carrying unreadable managedFields records only its own manager', () => {
    const obj = deployment({ replicas: 1 });
    obj.metadata.managedFields = [{ manager: 'ghost', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'nope': {} } }];
    expect(updateManagedFields(undefined, obj, { manager: 'creator' }, scope())!.map((e) => e.manager)).toEqual(['creator']);
  });

  test('beyond ten updaters the oldest fold into ancient-changes', () => {
    let obj = deployment({ replicas: 0 });
    obj.metadata.managedFields = updateManagedFields(undefined, obj, { manager: 'm0' }, scope({ now: '2026-11-29T14:00:00Z' }));
    for (let i = 1; i <= 11; i++) {
      const next = structuredClone(obj);
      next.metadata.labels = { ...next.metadata.labels, [`l${i}`]: 'x' };
      next.metadata.managedFields = updateManagedFields(obj, next, { manager: `m${i}` }, scope({ now: `2026-11-29T14:00:${String(i).padStart(2, '0')}Z` }));
      obj = next;
    }
    const managers = obj.metadata.managedFields!.map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).toContain('m11');
  });

  test('the trace annotation, status on the main resource and server-owned metadata are owned by nobody', () => {
    const created = deployment({});
    created.metadata.annotations = { 'keelson.dev/traceparent': '00-abc-def-01' };
    (created as Record<string, unknown>).status = { replicas: 3 };
    const entries = updateManagedFields(undefined, { ...created, metadata: { ...created.metadata, uid: 'u', resourceVersion: '5' } }, { manager: 'a' }, scope())!;
    const fields = entries[0].fieldsV1 as FieldSet;
    expect(fields['f:status']).toBeUndefined();
    expect(fields['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
  });

  test('a user agent names the manager when the request names none', () => {
    expect(managerFromUserAgent('kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd')).toBe('kubectl');
    expect(managerFromUserAgent('kube-scheduler/v1.32 (linux/amd64)')).toBe('kube-scheduler');
    expect(managerFromUserAgent(undefined)).toBe('');
  });
});

describe('server-side apply', () => {
  const apply = (live: KubeObject, config: KubeObject, manager: string, force = false, now = '2026-11-29T14:00:00Z'): KubeObject =>
    applyConfiguration(live, config, { manager, force }, scope({ now }));
  const identity = (): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } });

  test('applying creates an Apply entry owning exactly the applied fields', () => {
    const obj = apply(identity(), deployment({ replicas: 2 }), 'a');
    expect(obj.spec?.replicas).toBe(2);
    expect(obj.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'a', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', time: '2026-11-29T14:00:00Z' }),
    ]);
    expect((obj.metadata.managedFields![0].fieldsV1 as FieldSet)['f:spec']['f:replicas']).toEqual({});
  });

  test('a second manager setting a field to another value conflicts; the 409 names manager and field', () => {
    const live = apply(identity(), deployment({ replicas: 2 }), 'a');
    const err = conflictOf(() => apply(live, deployment({ replicas: 3 }), 'b'));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    expect(err.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }]);
  });

  test('conflicts with updaters name their apiVersion and list every field', () => {
    const created = deployment({ replicas: 2 });
    created.metadata.managedFields = updateManagedFields(undefined, created, { manager: 'kubectl-client-side-apply' }, scope());
    const changed = deployment({ replicas: 3 });
    (changed.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].image = 'nginx:1.28';
    const err = conflictOf(() => apply(created, changed, 'b'));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(err.details?.causes?.[0]).toEqual({ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' });
  });

  test('the same value is shared ownership, not a conflict; force takes the field', () => {
    const live = apply(identity(), deployment({ replicas: 2 }), 'a');
    const shared = apply(live, deployment({ replicas: 2 }), 'b');
    expect(shared.metadata.managedFields!.map((e) => e.manager)).toEqual(['a', 'b']);
    const forced = apply(live, deployment({ replicas: 7 }), 'b', true);
    expect(forced.spec?.replicas).toBe(7);
    const owners = Object.fromEntries(forced.metadata.managedFields!.map((e) => [e.manager, (e.fieldsV1 as FieldSet)['f:spec']?.['f:replicas'] !== undefined]));
    expect(owners).toEqual({ a: false, b: true });
  });

  test('a field the manager stops applying is removed unless another manager owns it', () => {
    const first = deployment({ replicas: 2 }, { app: 'web', tier: 'front' });
    (first.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    const live = apply(identity(), first, 'a');
    const second = deployment({ replicas: 2 });
    (second.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].env = [{ name: 'A', value: '1' }];
    const out = apply(live, second, 'a');
    expect(out.metadata.labels).toEqual({ app: 'web' });
    const c = (out.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);

    // b co-owns the tier label: a dropping it leaves it in place.
    const coOwned = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'front' } } }, 'b');
    expect(apply(coOwned, second, 'a').metadata.labels).toEqual({ app: 'web', tier: 'front' });
  });

  test('kubectl taking over from its own client-side apply may change what last-applied still describes', () => {
    const created = deployment({ replicas: 2 });
    created.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(deployment({ replicas: 2 })) };
    created.metadata.managedFields = updateManagedFields(undefined, created, { manager: 'kubectl-client-side-apply' }, scope());
    const out = apply(created, deployment({ replicas: 4 }), 'kubectl');
    expect(out.spec?.replicas).toBe(4);
    const lastApplied = JSON.parse(out.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
    expect(lastApplied.spec.replicas).toBe(4);
    // Another manager gets the conflict.
    expect(conflictOf(() => apply(created, deployment({ replicas: 4 }), 'other')).code).toBe(409);
  });

  test('objects without a schema (custom resources) apply as granular maps and atomic lists', () => {
    const crScope = scope({ schema: undefined, apiVersion: 'stable.example.com/v1', resetFields: [] });
    const cr = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec });
    const live = applyConfiguration({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' } }, cr({ cron: '* * * * *', image: 'x', tags: ['a', 'b'] }), { manager: 'a', force: false }, crScope);
    expect(live.metadata.managedFields![0].fieldsV1).toEqual({ 'f:spec': { '.': {}, 'f:cron': {}, 'f:image': {}, 'f:tags': {} } });
    const next = applyConfiguration(live, cr({ cron: '* * * * *', tags: ['a'] }), { manager: 'a', force: false }, crScope);
    expect(next.spec).toEqual({ cron: '* * * * *', tags: ['a'] });
    const err = conflictOf(() => applyConfiguration(next, cr({ tags: ['z'] }), { manager: 'b', force: false }, crScope));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.tags');
  });
});
