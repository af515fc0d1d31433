// The collector's monitors follow what the API serves (kube's GarbageCollector.Sync and
// GraphBuilder.syncMonitors): each discovery snapshot starts an informer for every newly
// served deletable resource (a CRD's), stops the informers of resources no longer served, and
// swaps the kinds the collector can address. Graph nodes of a stopped resource stay, as in
// kube: when a CRD goes its objects are deleted first (their delete events reach the graph),
// and when only the served version changes the new informer observes the same uids again.
import type { KubeObject } from '@keelson/api';
import type { DiscoveredResource, ResourceRef } from '@keelson/client';
import type { Informer } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import type { DependencyGraph } from './graph';
import type { KindResolver, ObjectIdentity } from './identity';
import { collectedResources, diffMonitors, monitorKey, resolvableKinds, type ServedResource } from './served-resources';

/** Where informers come from (a Manager fits). */
export interface InformerSource {
  informer(resource: ResourceRef): Informer<KubeObject>;
  removeInformer(resource: ResourceRef): Promise<void>;
}

export interface MonitorsOptions {
  informers: InformerSource;
  graph: DependencyGraph;
  resolver: KindResolver;
  ignoredResources: readonly string[];
  logger: Logger;
  /**
   * How long a new monitor may hold the workers while it syncs (kube waits one resync period,
   * then goes on): a resource that cannot be listed must not stop all collection.
   */
  syncTimeoutMs?: number;
  now?: () => number;
}

export interface SyncResult {
  started: ServedResource[];
  stopped: ServedResource[];
}

export class Monitors {
  private readonly running = new Map<string, { resource: ServedResource; informer: Informer<KubeObject>; startedAt: number; gaveUp?: boolean }>();
  private syncing?: Promise<SyncResult>;

  constructor(private readonly opts: MonitorsOptions) {}

  /** The resources monitored now. */
  get resources(): ServedResource[] {
    return [...this.running.values()].map((m) => m.resource);
  }

  /**
   * Every monitor's informer holds a consistent snapshot (the graph knows every object), or has
   * been trying for longer than the sync timeout.
   */
  synced(): boolean {
    const now = this.now();
    for (const m of this.running.values()) {
      if (m.gaveUp || m.informer.hasSynced()) continue;
      if (now - m.startedAt < (this.opts.syncTimeoutMs ?? 30_000)) return false;
      m.gaveUp = true;
      this.opts.logger.warn('monitor not synced in time; collecting without it', { resource: nameOf(m.resource), version: m.resource.version });
    }
    return true;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Applies one discovery snapshot; concurrent calls run one after the other. */
  sync(served: readonly (ServedResource | DiscoveredResource)[]): Promise<SyncResult> {
    const run = async (): Promise<SyncResult> => this.apply(served);
    const next = (this.syncing ?? Promise.resolve()).then(run, run);
    this.syncing = next;
    return next;
  }

  private async apply(served: readonly ServedResource[]): Promise<SyncResult> {
    const desired = collectedResources(served, this.opts.ignoredResources);
    const { start, stop } = diffMonitors(this.resources, desired);
    // New kinds are addressable before their informers deliver anything.
    this.opts.resolver.replace(resolvableKinds(served));
    for (const r of stop) {
      const key = monitorKey(r);
      this.running.delete(key);
      this.opts.logger.info('resource no longer served; stopping its monitor', { resource: nameOf(r), version: r.version });
      // Informers are keyed by group/version/resource: stop the old one before a restart replaces it.
      await this.opts.informers.removeInformer(r);
    }
    for (const r of start) {
      this.opts.logger.info('monitoring resource', { resource: nameOf(r), version: r.version });
      this.running.set(monitorKey(r), { resource: r, informer: this.startMonitor(r), startedAt: this.now() });
    }
    if (start.length > 0 || stop.length > 0) this.opts.graph.recheckVirtual();
    return { started: start, stopped: stop };
  }

  private startMonitor(r: ServedResource): Informer<KubeObject> {
    const graph = this.opts.graph;
    // Lists may omit apiVersion/kind on items: the resource says what they are.
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const identity = (o: KubeObject): ObjectIdentity => ({
      apiVersion, kind: r.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '', namespace: o.metadata.namespace ?? '',
    });
    const inf = this.opts.informers.informer({ group: r.group, version: r.version, resource: r.resource });
    inf.addEventHandler({
      onAdd: (o) => graph.observe(o, identity(o)),
      onUpdate: (_old, o) => graph.observe(o, identity(o)),
      onDelete: (o) => graph.observeDelete(identity(o)),
    });
    return inf;
  }
}

function nameOf(r: ServedResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
