import { BUILTIN_RESOURCES, type KubeObject, type OwnerReference } from '@keelson/api';
import { createLogger } from '@keelson/telemetry';
import { AbsentOwnerCache } from '../src/absent-owner-cache';
import { AttemptToDelete } from '../src/attempt-to-delete';
import { decide } from '../src/decide';
import { DependencyGraph } from '../src/graph';
import { identityOf, KindResolver, type ObjectIdentity } from '../src/identity';
import type { DeletionPropagation, ObjectAccess } from '../src/object-access';
import { AttemptToOrphan } from '../src/orphan';

const r = (uid: string): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid });

describe('decide', () => {
  const facts = { hasDependents: false, hasDependentDeletingDependents: false, finalizers: [] };
  test('a dependent with a live owner stays, dropping only references to gone or waiting owners', () => {
    expect(decide({ solid: [r('a')], dangling: [], waiting: [] }, facts)).toEqual({ action: 'keep' });
    expect(decide({ solid: [r('a')], dangling: [r('b')], waiting: [r('c')] }, facts)).toEqual({ action: 'removeOwnerReferences', ownerUids: ['b', 'c'] });
  });
  test('with no live owner it is deleted, in the foreground when a waiting owner needs its dependents gone first', () => {
    expect(decide({ solid: [], dangling: [r('b')], waiting: [] }, facts)).toEqual({ action: 'delete', policy: 'Background', unblockFirst: false });
    expect(decide({ solid: [], dangling: [], waiting: [r('c')] }, { ...facts, hasDependents: true, hasDependentDeletingDependents: true }))
      .toEqual({ action: 'delete', policy: 'Foreground', unblockFirst: true });
    expect(decide({ solid: [], dangling: [r('b')], waiting: [] }, { ...facts, finalizers: ['orphan'] })).toMatchObject({ policy: 'Orphan' });
  });
});

/** An in-memory API: objects by uid, with a log of writes. */
class FakeAccess implements ObjectAccess {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  gets = 0;
  put(o: KubeObject): void {
    this.objects.set(o.metadata.uid!, o);
  }
  async get(id: ObjectIdentity): Promise<KubeObject | undefined> {
    this.gets++;
    return [...this.objects.values()].find((o) => o.metadata.name === id.name && o.kind === id.kind && (o.metadata.namespace ?? '') === id.namespace);
  }
  async delete(id: ObjectIdentity, policy: DeletionPropagation): Promise<void> {
    this.writes.push(`delete ${id.name} ${policy}`);
  }
  async removeOwnerReferences(id: ObjectIdentity, uids: readonly string[]): Promise<void> {
    this.writes.push(`unown ${id.name} ${uids.join(',')}`);
  }
  async unblockOwnerReferences(id: ObjectIdentity): Promise<void> {
    this.writes.push(`unblock ${id.name}`);
  }
  async removeFinalizer(id: ObjectIdentity, f: string): Promise<void> {
    this.writes.push(`finalize ${id.name} ${f}`);
  }
}

function setup() {
  const access = new FakeAccess();
  const absentOwners = new AbsentOwnerCache();
  const resolver = new KindResolver(BUILTIN_RESOURCES);
  const invalid: string[] = [];
  const graph = new DependencyGraph({ resolver, absentOwners, queues: { attemptToDelete: () => undefined, attemptToOrphan: () => undefined, invalidOwnerNamespace: () => undefined } });
  const atd = new AttemptToDelete({ graph, access, resolver, absentOwners, enqueue: () => undefined, invalidOwnerNamespace: (d) => invalid.push(d.metadata.name!) });
  const ctx = { signal: new AbortController().signal, logger: createLogger('test', { write: () => undefined }), requeues: 0 };
  const add = (o: KubeObject): KubeObject => {
    access.put(o);
    graph.observe(o, identityOf(o));
    return o;
  };
  return { access, graph, atd, ctx, add, invalid };
}

const cm = (name: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, uid: `u-${name}`, namespace: 'default', ownerReferences: owners, ...extra } });
const refTo = (o: KubeObject, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, blockOwnerDeletion: block });

test('a dependent whose only owner is gone is deleted with a uid precondition; the owner lookup is cached', async () => {
  const { access, atd, ctx, add } = setup();
  const d1 = add(cm('d1', [r('gone')]));
  const d2 = add(cm('d2', [r('gone')]));
  await atd.reconcile(d1.metadata.uid!, ctx);
  const gets = access.gets;
  await atd.reconcile(d2.metadata.uid!, ctx);
  expect(access.writes).toEqual(['delete d1 Background', 'delete d2 Background']);
  expect(access.gets).toBe(gets + 1); // only d2 itself: the absent owner came from the cache
});

test('an owner replaced by a new object of the same name is absent', async () => {
  const { access, atd, ctx, add } = setup();
  add(cm('owner'));
  const dep = add(cm('dep', [{ ...r('old-uid'), name: 'owner' }]));
  await atd.reconcile(dep.metadata.uid!, ctx);
  expect(access.writes).toEqual(['delete dep Background']);
});

test('a dependent with a live owner and a gone one only loses the dangling reference', async () => {
  const { access, atd, ctx, add } = setup();
  const owner = add(cm('owner'));
  const dep = add(cm('dep', [refTo(owner), r('gone')]));
  await atd.reconcile(dep.metadata.uid!, ctx);
  expect(access.writes).toEqual(['unown dep gone']);
});

test('a foreground-deleting owner waits for blocking dependents, then its finalizer is removed', async () => {
  const { access, graph, atd, ctx, add } = setup();
  const owner = add(cm('owner', [], { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }));
  const dep = add(cm('dep', [refTo(owner, true)]));
  await atd.reconcile(dep.metadata.uid!, ctx);
  expect(access.writes).toEqual(['delete dep Background']);
  await atd.reconcile(owner.metadata.uid!, ctx);
  expect(access.writes).toHaveLength(1);
  access.objects.delete(dep.metadata.uid!);
  graph.observeDelete(identityOf(dep));
  await atd.reconcile(owner.metadata.uid!, ctx);
  expect(access.writes).toEqual(['delete dep Background', 'finalize owner foregroundDeletion']);
});

test('a virtual owner verified absent leaves the graph', async () => {
  const { graph, atd, ctx, add } = setup();
  add(cm('dep', [r('ghost')]));
  expect(graph.get('ghost')?.virtual).toBe(true);
  await atd.reconcile('ghost', ctx);
  expect(graph.get('ghost')).toBeUndefined();
});

test('a cluster-scoped dependent of a namespaced owner is reported and collected', async () => {
  const { access, atd, ctx, add, invalid } = setup();
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', uid: 'u-n', ownerReferences: [r('cm-uid')] } };
  add(node);
  await atd.reconcile('u-n', ctx);
  expect(invalid).toEqual(['n']);
  expect(access.writes).toEqual(['delete n Background']);
});

test('orphaning removes the owner reference from every dependent, then the orphan finalizer', async () => {
  const { access, graph, ctx, add } = setup();
  const owner = add(cm('owner', [], { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] }));
  add(cm('a', [refTo(owner)]));
  add(cm('b', [refTo(owner)]));
  await new AttemptToOrphan(graph, access).reconcile(owner.metadata.uid!, ctx);
  expect(access.writes.sort()).toEqual(['finalize owner orphan', 'unown a u-owner', 'unown b u-owner']);
});
