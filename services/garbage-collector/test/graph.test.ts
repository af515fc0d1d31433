import { BUILTIN_RESOURCES, type KubeObject, type OwnerReference } from '@keelson/api';
import { AbsentOwnerCache } from '../src/absent-owner-cache';
import { DependencyGraph, type GraphNode } from '../src/graph';
import { identityOf, KindResolver, type ObjectIdentity } from '../src/identity';

function obj(kind: string, name: string, uid: string, opts: { ns?: string; owners?: OwnerReference[]; deleting?: string[] } = {}): KubeObject {
  return {
    apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind,
    metadata: {
      name, uid, namespace: opts.ns ?? (kind === 'Node' ? undefined : 'default'), ownerReferences: opts.owners,
      ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: opts.deleting } : {}),
    },
  };
}
const ref = (o: KubeObject, blockOwnerDeletion = false): OwnerReference => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid!, blockOwnerDeletion });

function setup() {
  const queued = { del: [] as string[], orphan: [] as string[], invalid: [] as { dep: string; owner: ObjectIdentity }[] };
  const absent = new AbsentOwnerCache(10);
  const graph = new DependencyGraph({
    resolver: new KindResolver(BUILTIN_RESOURCES), absentOwners: absent,
    queues: {
      attemptToDelete: (n: GraphNode) => queued.del.push(n.identity.uid),
      attemptToOrphan: (n: GraphNode) => queued.orphan.push(n.identity.uid),
      invalidOwnerNamespace: (n: GraphNode, owner: ObjectIdentity) => queued.invalid.push({ dep: n.identity.name, owner }),
    },
  });
  const observe = (o: KubeObject) => graph.observe(o, identityOf(o));
  return { graph, queued, absent, observe };
}

test('an owner seen only through a reference is a virtual node, queued for verification, and becomes real when observed', () => {
  const { graph, queued, observe } = setup();
  const rs = obj('ReplicaSet', 'rs', 'u-rs');
  observe(obj('Pod', 'p', 'u-p', { owners: [ref(rs)] }));
  expect(graph.get('u-rs')).toMatchObject({ virtual: true, identity: { kind: 'ReplicaSet', namespace: 'default' } });
  expect(queued.del).toEqual(['u-rs']);
  observe(rs);
  expect(graph.get('u-rs')!.virtual).toBe(false);
  expect([...graph.get('u-rs')!.dependents].map((d) => d.identity.name)).toEqual(['p']);
});

test('a virtual cluster-scoped owner has no namespace', () => {
  const { graph, observe } = setup();
  observe(obj('ConfigMap', 'c', 'u-c', { owners: [ref(obj('Node', 'n', 'u-n'))] }));
  expect(graph.get('u-n')!.identity.namespace).toBe('');
});

test('deleting an owner queues its dependents and remembers it as absent', () => {
  const { graph, queued, absent, observe } = setup();
  const rs = obj('ReplicaSet', 'rs', 'u-rs');
  observe(rs);
  observe(obj('Pod', 'p1', 'u-p1', { owners: [ref(rs)] }));
  observe(obj('Pod', 'p2', 'u-p2', { owners: [ref(rs)] }));
  queued.del.length = 0;
  graph.observeDelete(identityOf(rs));
  expect(graph.get('u-rs')).toBeUndefined();
  expect(queued.del.sort()).toEqual(['u-p1', 'u-p2']);
  expect(absent.has(identityOf(rs))).toBe(true);
});

test('foreground: the owner marks deletingDependents, queues dependents and itself; a dependent going re-queues it', () => {
  const { graph, queued, observe } = setup();
  const rs = obj('ReplicaSet', 'rs', 'u-rs');
  observe(rs);
  const p = obj('Pod', 'p', 'u-p', { owners: [ref(rs, true)] });
  observe(p);
  observe(obj('Pod', 'q', 'u-q', { owners: [ref(rs, false)] }));
  queued.del.length = 0;
  observe(obj('ReplicaSet', 'rs', 'u-rs', { deleting: ['foregroundDeletion'] }));
  expect(graph.get('u-rs')!.deletingDependents).toBe(true);
  expect(queued.del.sort()).toEqual(['u-p', 'u-q', 'u-rs']);
  expect(graph.blockingDependents(graph.get('u-rs')!).map((d) => d.identity.name)).toEqual(['p']);
  queued.del.length = 0;
  graph.observeDelete(identityOf(p));
  expect(queued.del).toEqual(['u-rs']);
  expect(graph.blockingDependents(graph.get('u-rs')!)).toEqual([]);
});

test('foreground: a dependent dropping its blocking reference re-queues the owner', () => {
  const { graph, queued, observe } = setup();
  const rs = obj('ReplicaSet', 'rs', 'u-rs', { deleting: ['foregroundDeletion'] });
  observe(rs);
  observe(obj('Pod', 'p', 'u-p', { owners: [ref(rs, true)] }));
  queued.del.length = 0;
  observe(obj('Pod', 'p', 'u-p', { owners: [ref(rs, false)] }));
  expect(queued.del).toEqual(['u-rs']);
  observe(obj('Pod', 'p', 'u-p', { owners: [] }));
  expect(graph.get('u-rs')!.dependents.size).toBe(0);
});

test('orphan: an owner with the orphan finalizer and a deletionTimestamp is queued for orphaning', () => {
  const { queued, observe } = setup();
  observe(obj('ConfigMap', 'o', 'u-o'));
  expect(queued.orphan).toEqual([]);
  observe(obj('ConfigMap', 'o', 'u-o', { deleting: ['orphan'] }));
  expect(queued.orphan).toEqual(['u-o']);
});

test('a namespaced owner observed in another namespace is reported, cached absent, and the dependent queued', () => {
  const { queued, absent, observe } = setup();
  const owner = obj('ConfigMap', 'o', 'u-o', { ns: 'a' });
  observe(owner);
  queued.del.length = 0;
  observe(obj('ConfigMap', 'd', 'u-d', { ns: 'b', owners: [ref(owner)] }));
  expect(queued.invalid).toEqual([{ dep: 'd', owner: expect.objectContaining({ uid: 'u-o', namespace: 'b' }) }]);
  expect(absent.has({ ...identityOf(owner), namespace: 'b' })).toBe(true);
  expect(queued.del).toEqual(['u-d']);
});

test('a verified-absent virtual node leaves the graph unless other dependents name it differently', () => {
  const { graph, queued, absent, observe } = setup();
  const ghost = obj('ConfigMap', 'ghost', 'u-g', { ns: 'a' });
  observe(obj('ConfigMap', 'd1', 'u-d1', { ns: 'a', owners: [ref(ghost)] }));
  observe(obj('ConfigMap', 'd2', 'u-d2', { ns: 'b', owners: [ref(ghost)] }));
  queued.del.length = 0;
  graph.verifiedAbsent(identityOf(ghost));
  // d1 used these coordinates: its owner is gone. d2 says namespace b: try that next.
  expect(absent.has(identityOf(ghost))).toBe(true);
  expect(queued.del).toEqual(['u-d1', 'u-g']);
  expect(graph.get('u-g')!.identity.namespace).toBe('b');
  // Once d1 is collected, verifying the other coordinates absent removes the node.
  graph.observeDelete(identityOf(obj('ConfigMap', 'd1', 'u-d1', { ns: 'a' })));
  queued.del.length = 0;
  graph.verifiedAbsent({ ...identityOf(ghost), namespace: 'b' });
  expect(graph.get('u-g')).toBeUndefined();
  expect(queued.del).toEqual(['u-d2']);
});
