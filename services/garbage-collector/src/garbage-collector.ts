// Wires the garbage collector onto a Manager: one informer per served resource feeds the
// dependency graph (on every replica, so a standby is warm); two controllers keyed by uid,
// attempt-to-delete and attempt-to-orphan, act only while this replica leads.
import { BUILTIN_RESOURCES, groupVersion, strategyFor, type KubeObject, type ResourceInfo, type Verb } from '@keelson/api';
import type { Controller, Manager } from '@keelson/controller-runtime';
import { AbsentOwnerCache } from './absent-owner-cache';
import { AttemptToDelete } from './attempt-to-delete';
import type { GarbageCollectorConfig } from './config';
import { DependencyGraph, type GraphNode } from './graph';
import { describeIdentity, KindResolver, type ObjectIdentity } from './identity';
import { ApiObjectAccess } from './object-access';
import { AttemptToOrphan } from './orphan';

export interface GarbageCollector {
  graph: DependencyGraph;
  attemptToDelete: Controller;
  attemptToOrphan: Controller;
  /** The resources watched. */
  resources: ResourceInfo[];
}

/** Resources the collector watches: listable, watchable, deletable, not ignored. */
export function collectedResources(all: readonly ResourceInfo[], ignored: readonly string[]): ResourceInfo[] {
  const skip = new Set(ignored);
  const needed: Verb[] = ['list', 'watch', 'delete'];
  // A version that is a view of another's storage (autoscaling/v1 HPAs, events.k8s.io events) shows the
  // same objects as the storage version's informer does: watch each object once, as kube's GC does.
  return all.filter((r) => !skip.has(r.group ? `${r.resource}.${r.group}` : r.resource) && needed.every((v) => r.verbs.includes(v)) && !strategyFor(r)?.storedAs);
}

export function setupGarbageCollector(mgr: Manager, cfg: GarbageCollectorConfig, all: readonly ResourceInfo[] = BUILTIN_RESOURCES): GarbageCollector {
  const resolver = new KindResolver(all);
  const absentOwners = new AbsentOwnerCache(cfg.absentOwnerCacheSize);
  const access = new ApiObjectAccess(mgr.client, resolver);
  const recorder = mgr.recorder();
  const reportInvalid = (dependent: KubeObject, owner: ObjectIdentity): void => {
    mgr.log.warn('ownerReference to a namespaced owner outside the dependent\'s namespace', { dependent: dependent.metadata.name, owner });
    recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${describeIdentity(owner)} does not exist in namespace "${dependent.metadata.namespace ?? ''}"`);
  };

  // The controllers are created after the graph, which queues onto them.
  let deletes: Controller | undefined;
  let orphans: Controller | undefined;
  const graph = new DependencyGraph({
    resolver, absentOwners,
    queues: {
      attemptToDelete: (n) => deletes?.enqueue(n.identity.uid),
      attemptToOrphan: (n) => orphans?.enqueue(n.identity.uid),
      invalidOwnerNamespace: (n, owner) => reportInvalid(objectFor(n), owner),
    },
  });
  const attemptToDelete = mgr.controller('garbage-collector-delete', new AttemptToDelete({
    graph, access, resolver, absentOwners,
    enqueue: (n) => deletes?.enqueue(n.identity.uid),
    invalidOwnerNamespace: reportInvalid,
  }), { concurrency: cfg.workers });
  const attemptToOrphan = mgr.controller('garbage-collector-orphan', new AttemptToOrphan(graph, access), { concurrency: cfg.orphanWorkers });
  deletes = attemptToDelete;
  orphans = attemptToOrphan;

  const resources = collectedResources(all, cfg.ignoredResources);
  for (const r of resources) {
    // Lists may omit apiVersion/kind on items: the resource says what they are.
    const identity = (o: KubeObject): ObjectIdentity => ({
      apiVersion: groupVersion(r), kind: r.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '', namespace: o.metadata.namespace ?? '',
    });
    mgr.informer(r).addEventHandler({
      onAdd: (o) => graph.observe(o, identity(o)),
      onUpdate: (_old, o) => graph.observe(o, identity(o)),
      onDelete: (o) => graph.observeDelete(identity(o)),
    });
  }
  return { graph, attemptToDelete, attemptToOrphan, resources };
}

/** Enough of an object for the event recorder to name it. */
function objectFor(n: GraphNode): KubeObject {
  const { apiVersion, kind, name, uid, namespace } = n.identity;
  return { apiVersion, kind, metadata: { name, uid, ...(namespace ? { namespace } : {}) } };
}
