// The registry is the strategies: every built-in resource is served from one strategy file,
// in the order discovery advertises (kubectl api-resources), and the generic steps reach each
// kind's hooks through it.
import { supportedProtobufKinds } from '../src/protobuf';
import { BUILTIN_RESOURCES, ResourceRegistry } from '../src/registry';
import { strategyFor } from '../src/strategy';
import { BUILTIN_KINDS } from '../src/kinds';
import { printerFor } from '../src/printers';

const gvr = (r: { group: string; version: string; resource: string }) => `${r.group}/${r.version}/${r.resource}`;

test('discovery lists namespaces, nodes, pods, events, serviceaccounts, configmaps, deployments, replicasets, leases first, as before they had strategy files', () => {
  expect(BUILTIN_RESOURCES.slice(0, 10).map(gvr)).toEqual([
    '/v1/namespaces',
    '/v1/nodes',
    '/v1/pods',
    '/v1/events',
    '/v1/serviceaccounts',
    '/v1/configmaps',
    'apps/v1/deployments',
    'apps/v1/replicasets',
    'coordination.k8s.io/v1/leases',
    '/v1/secrets',
  ]);
  expect(new ResourceRegistry().groupVersions().slice(0, 3)).toEqual([
    { group: '', version: 'v1' },
    { group: 'apps', version: 'v1' },
    { group: 'coordination.k8s.io', version: 'v1' },
  ]);
});

test('every built-in resource is served by the strategy listed for it, and names no resource twice', () => {
  expect(BUILTIN_RESOURCES).toEqual(BUILTIN_KINDS.map((k) => k.info));
  expect(new Set(BUILTIN_RESOURCES.map(gvr)).size).toBe(BUILTIN_RESOURCES.length);
  for (const r of BUILTIN_RESOURCES) expect(strategyFor(r)?.info).toBe(r);
});

test('the moved kinds keep their subresources, verbs and short names', () => {
  const find = (group: string, resource: string) => BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  const ns = find('', 'namespaces');
  expect(ns.verbs).not.toContain('deletecollection');
  expect(ns.subresources.map((s) => s.name)).toEqual(['finalize', 'status']);
  expect(find('', 'pods').subresources.map((s) => `${s.name}:${s.group}/${s.kind}:${s.verbs.join(',')}`)).toEqual([
    'status:/Pod:get,patch,update',
    'binding:/Binding:create',
    'log:/Pod:get',
    'eviction:policy/Eviction:create',
    'ephemeralcontainers:/Pod:get,patch,update',
  ]);
  expect(find('', 'serviceaccounts').subresources.map((s) => `${s.name}:${s.group}/${s.kind}`)).toEqual(['token:authentication.k8s.io/TokenRequest']);
  for (const resource of ['deployments', 'replicasets']) {
    expect(find('apps', resource).subresources.map((s) => `${s.name}:${s.group}/${s.version}/${s.kind}`)).toEqual([
      `status:apps/v1/${find('apps', resource).kind}`,
      'scale:autoscaling/v1/Scale',
    ]);
  }
  expect(find('coordination.k8s.io', 'leases')).toMatchObject({ shortNames: [], subresources: [], namespaced: true, listKind: 'LeaseList' });
  expect(['ns', 'no', 'po', 'ev', 'sa', 'cm'].map((s) => BUILTIN_RESOURCES.find((r) => r.shortNames.includes(s))?.resource)).toEqual([
    'namespaces', 'nodes', 'pods', 'events', 'serviceaccounts', 'configmaps',
  ]);
});

test('printers and protobuf descriptors of the moved kinds come from their strategies (decoding: protobuf.test.ts)', () => {
  const lease = BUILTIN_RESOURCES.find((r) => r.resource === 'leases')!;
  expect(printerFor(lease).columns.map((c) => c.name)).toEqual(['Name', 'Holder', 'Age']);
  expect(supportedProtobufKinds()).toEqual(expect.arrayContaining(['v1/Pod', 'v1/Node', 'coordination.k8s.io/v1/Lease', 'apps/v1/ReplicaSet', 'v1/Binding']));
});
