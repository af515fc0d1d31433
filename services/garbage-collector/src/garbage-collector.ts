// Wires the garbage collector onto a Manager: one informer (monitor) per served deletable
// resource feeds the dependency graph (on every replica, so a standby is warm); the monitors
// follow discovery, so CRDs added or removed at run time are collected too (monitors.ts); two
// controllers keyed by uid, attempt-to-delete and attempt-to-orphan, act only while this
// replica leads, and only while every monitor is synced (a partial graph could release a
// foreground deletion or an orphaning before all dependents are known).
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { discoverResources } from '@keelson/client';
import type { Controller, Manager, Reconciler } from '@keelson/controller-runtime';
import { AbsentOwnerCache } from './absent-owner-cache';
import { AttemptToDelete } from './attempt-to-delete';
import type { GarbageCollectorConfig } from './config';
import { DependencyGraph, type GraphNode } from './graph';
import { describeIdentity, KindResolver, type ObjectIdentity } from './identity';
import { Monitors, type SyncResult } from './monitors';
import { ApiObjectAccess } from './object-access';
import { AttemptToOrphan } from './orphan';
import { resolvableKinds } from './served-resources';

export { collectedResources } from './served-resources';

export interface GarbageCollector {
  graph: DependencyGraph;
  attemptToDelete: Controller;
  attemptToOrphan: Controller;
  monitors: Monitors;
  /** One discovery round: starts and stops monitors to match what the API serves. */
  resyncDiscovery(): Promise<SyncResult>;
  /** Discovers until it succeeds once (the API may not be up yet), then every `discoveryResyncMs`. */
  startDiscovery(): Promise<void>;
  stopDiscovery(): void;
}

/** How long a worker waits for monitors that are still syncing before looking again. */
const UNSYNCED_RECHECK_MS = 200;

export function setupGarbageCollector(mgr: Manager, cfg: GarbageCollectorConfig): GarbageCollector {
  // Until the first discovery, built-in kinds are addressable; discovery then replaces them.
  const resolver = new KindResolver(resolvableKinds(BUILTIN_RESOURCES));
  const absentOwners = new AbsentOwnerCache(cfg.absentOwnerCacheSize);
  const access = new ApiObjectAccess(mgr.client, resolver);
  const recorder = mgr.recorder();
  const reportInvalid = (dependent: KubeObject, owner: ObjectIdentity): void => {
    mgr.log.warn('ownerReference to a namespaced owner outside the dependent\'s namespace', { dependent: dependent.metadata.name, owner });
    recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${describeIdentity(owner)} does not exist in namespace "${dependent.metadata.namespace ?? ''}"`);
  };

  // Keyed by uid; the graph queues onto them as it learns of owners and dependents.
  const deletes = mgr.newControllerManagedBy('garbage-collector-delete').withOptions({ concurrency: cfg.workers });
  const orphans = mgr.newControllerManagedBy('garbage-collector-orphan').withOptions({ concurrency: cfg.orphanWorkers });
  const graph = new DependencyGraph({
    resolver, absentOwners,
    queues: {
      attemptToDelete: (n) => deletes.queue.enqueue(n.identity.uid),
      attemptToOrphan: (n) => orphans.queue.enqueue(n.identity.uid),
      invalidOwnerNamespace: (n, owner) => reportInvalid(objectFor(n), owner),
    },
  });
  const monitors = new Monitors({
    informers: mgr, graph, resolver, ignoredResources: cfg.ignoredResources, logger: mgr.log, syncTimeoutMs: Math.max(cfg.discoveryResyncMs, 30_000),
  });
  // kube's GC holds its workers while a resync's new monitors sync; here each item waits.
  const whenSynced = (r: Reconciler): Reconciler => ({
    reconcile: (key, ctx) => (monitors.synced() ? r.reconcile(key, ctx) : Promise.resolve({ requeueAfter: UNSYNCED_RECHECK_MS })),
  });
  const attemptToDelete = deletes.complete((queue) => whenSynced(new AttemptToDelete({
    graph, access, resolver, absentOwners,
    enqueue: (n) => queue.enqueue(n.identity.uid),
    invalidOwnerNamespace: reportInvalid,
  })));
  const attemptToOrphan = orphans.complete(whenSynced(new AttemptToOrphan(graph, access)));

  const resyncDiscovery = async (): Promise<SyncResult> => monitors.sync(await discoverResources(mgr.client));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const startDiscovery = async (): Promise<void> => {
    for (let delay = 250; !stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await resyncDiscovery();
        break;
      } catch (err) {
        mgr.log.warn('discovery failed; retrying', { err, delayMs: delay });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (stopped) return;
    timer = setInterval(() => {
      // A failed round keeps the monitors it has; the next round tries again.
      resyncDiscovery().catch((err: unknown) => mgr.log.warn('discovery resync failed', { err }));
    }, cfg.discoveryResyncMs);
    timer.unref();
  };
  const stopDiscovery = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return { graph, attemptToDelete, attemptToOrphan, monitors, resyncDiscovery, startDiscovery, stopDiscovery };
}

/** Enough of an object for the event recorder to name it. */
function objectFor(n: GraphNode): KubeObject {
  const { apiVersion, kind, name, uid, namespace } = n.identity;
  return { apiVersion, kind, metadata: { name, uid, ...(namespace ? { namespace } : {}) } };
}
