import { BUILTIN_RESOURCES } from '../src/registry';
import {
  SCHEMAS, derefSchema, reachableSchemas, refsOf, registerSchemas, resolveSchema, schemaForKind, schemaNameForKind,
} from '../src/schema';
import type { SchemaNode } from '../src/schema/types';

const CORE = 'io.k8s.api.core.v1.';

function field(schemaName: string, path: string): SchemaNode {
  let node: SchemaNode | undefined = SCHEMAS[schemaName];
  for (const part of path.split('.')) {
    node = node && derefSchema(node);
    if (node?.type === 'array' && node.items) node = derefSchema(node.items);
    node = node?.properties?.[part];
    if (!node) throw new Error(`no field ${path} in ${schemaName}`);
  }
  return node as SchemaNode;
}

describe('schemas', () => {
  it('every $ref names a registered schema (no dangling refs)', () => {
    const dangling = Object.entries(SCHEMAS).flatMap(([name, s]) => refsOf(s).filter((r) => !SCHEMAS[r]).map((r) => `${name} -> ${r}`));
    expect(dangling).toEqual([]);
  });

  it('resolves bare names and #/components/schemas/ refs alike', () => {
    expect(resolveSchema('io.k8s.api.core.v1.Pod')).toBe(SCHEMAS['io.k8s.api.core.v1.Pod']);
    expect(resolveSchema('#/components/schemas/io.k8s.api.core.v1.Pod')).toBe(SCHEMAS['io.k8s.api.core.v1.Pod']);
    expect(resolveSchema('io.k8s.api.core.v1.Nope')).toBeUndefined();
  });

  it('PodSpec containers, env and ports carry the upstream strategic-merge keys', () => {
    const containers = field(`${CORE}PodSpec`, 'containers');
    expect(containers['x-kubernetes-patch-strategy']).toBe('merge');
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(field(`${CORE}PodSpec`, 'initContainers')['x-kubernetes-patch-merge-key']).toBe('name');
    expect(field(`${CORE}PodSpec`, 'volumes')['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    const env = field(`${CORE}Container`, 'env');
    expect([env['x-kubernetes-patch-strategy'], env['x-kubernetes-patch-merge-key']]).toEqual(['merge', 'name']);
    const ports = field(`${CORE}Container`, 'ports');
    expect(ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(ports['x-kubernetes-list-type']).toBe('map');
    expect(ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(field(`${CORE}Container`, 'volumeMounts')['x-kubernetes-patch-merge-key']).toBe('mountPath');
    expect(field(`${CORE}PodSpec`, 'tolerations')['x-kubernetes-patch-strategy']).toBeUndefined();
  });

  it('metadata lists and status conditions merge by their keys', () => {
    const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
    expect(field(meta, 'ownerReferences')['x-kubernetes-patch-merge-key']).toBe('uid');
    expect(field(meta, 'finalizers')['x-kubernetes-patch-strategy']).toBe('merge');
    expect(field(`${CORE}PodStatus`, 'conditions')['x-kubernetes-patch-merge-key']).toBe('type');
    expect(field('io.k8s.api.apps.v1.DeploymentStatus', 'conditions')['x-kubernetes-patch-merge-key']).toBe('type');
    expect(field('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy']).toBe('retainKeys');
  });

  it('each served kind and its list kind carries its group-version-kind', () => {
    for (const r of BUILTIN_RESOURCES) {
      for (const kind of [r.kind, r.listKind]) {
        const schema = schemaForKind(r.group, r.version, kind);
        expect(schema).toBeDefined();
        expect(schema?.['x-kubernetes-group-version-kind']).toContainEqual({ group: r.group, version: r.version, kind });
      }
      expect(schemaNameForKind(r.group, r.version, r.kind)).toBe(r.schemaRef);
    }
    expect(schemaNameForKind('autoscaling', 'v1', 'Scale')).toBe('io.k8s.api.autoscaling.v1.Scale');
    expect(schemaNameForKind('', 'v1', 'Binding')).toBe(`${CORE}Binding`);
    expect(schemaNameForKind('apps', 'v1', 'DeleteOptions')).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  });

  it('follows nested kinds through allOf to the field a scheduler needs', () => {
    const affinity = field(`${CORE}PodSpec`, 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions');
    expect(affinity.type).toBe('array');
    expect(derefSchema(affinity.items as SchemaNode)?.required).toEqual(['key', 'operator']);
    expect(field(`${CORE}Container`, 'name').type).toBe('string');
    expect(SCHEMAS[`${CORE}Container`].required).toEqual(['name']);
    expect(field(`${CORE}Event`, 'involvedObject.uid').type).toBe('string');
    expect(field(`${CORE}NodeStatus`, 'nodeInfo.kubeletVersion').type).toBe('string');
  });

  it('quantities accept strings and numbers, ports accept ints and names', () => {
    const limits = field(`${CORE}ResourceRequirements`, 'limits');
    const quantity = derefSchema(limits.additionalProperties as SchemaNode);
    expect(quantity?.['x-kubernetes-int-or-string']).toBe(true);
    expect(quantity?.oneOf).toEqual([{ type: 'string' }, { type: 'number' }]);
    const port = derefSchema(field(`${CORE}HTTPGetAction`, 'port'));
    expect(port?.format).toBe('int-or-string');
  });

  it('reachableSchemas collects the closure of a kind', () => {
    const { schemas, missing } = reachableSchemas(['#/components/schemas/io.k8s.api.apps.v1.Deployment']);
    expect(missing).toEqual([]);
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining([`${CORE}PodSpec`, `${CORE}Container`, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time']));
    expect(schemas['io.k8s.api.coordination.v1.Lease']).toBeUndefined();
  });

  it('registerSchemas adds kinds found by GVK', () => {
    registerSchemas({
      'dev.keelson.v1.Widget': {
        type: 'object',
        description: 'A test custom resource.',
        properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        'x-kubernetes-group-version-kind': [{ group: 'keelson.dev', version: 'v1', kind: 'Widget' }],
      },
    });
    expect(schemaForKind('keelson.dev', 'v1', 'Widget')?.description).toBe('A test custom resource.');
  });
});
