// Which served resources the collector watches and how it addresses kinds, from a discovery
// snapshot (kube's GetDeletableResources over ServerPreferredResources): one version per
// group/resource, the group's preferred one where it serves the resource.
import { strategyFor } from '@keelson/api';
import type { DiscoveredResource } from '@keelson/client';
import type { KindTarget } from './identity';

/** A resource as discovery reports it (a DiscoveredResource; built-ins fit with `preferred`). */
export type ServedResource = KindTarget & Pick<DiscoveredResource, 'verbs'> & { preferred?: boolean };

const NEEDED_VERBS = ['list', 'watch', 'delete'];

/**
 * A version that is a view of another's storage (autoscaling/v1 HPAs, events.k8s.io events)
 * shows the same objects as the storage version's informer does: watch each object once.
 * Custom resources have no built-in strategy, so none of theirs is a view.
 */
export function isStorageView(r: Pick<KindTarget, 'group' | 'version' | 'kind'>): boolean {
  return !!strategyFor(r)?.storedAs;
}

/** Preferred group versions first, views last; otherwise the order discovery gave. */
function byPreference<T extends ServedResource>(all: readonly T[]): T[] {
  const rank = (r: T): number => (isStorageView(r) ? 2 : 0) + (r.preferred === false ? 1 : 0);
  return all.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}

/**
 * The resources to monitor: listable, watchable and deletable, not ignored (`resource` or
 * `resource.group`), not a view, one version per group/resource.
 */
export function collectedResources<T extends ServedResource>(all: readonly T[], ignored: readonly string[]): T[] {
  const skip = new Set(ignored);
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of byPreference(all)) {
    const name = r.group ? `${r.resource}.${r.group}` : r.resource;
    if (skip.has(name) || seen.has(name) || isStorageView(r)) continue;
    if (!NEEDED_VERBS.every((v) => r.verbs.includes(v))) continue;
    seen.add(name);
    out.push(r);
  }
  return out;
}

/** Every served resource in the order a KindResolver should prefer them (first wins). */
export function resolvableKinds<T extends ServedResource>(all: readonly T[]): T[] {
  return byPreference(all);
}

/** Identifies a monitor: a change of version, kind or scope is a different monitor. */
export function monitorKey(r: KindTarget): string {
  return `${r.group}/${r.version}/${r.resource}/${r.kind}/${r.namespaced ? 'Namespaced' : 'Cluster'}`;
}

export interface MonitorDiff<T extends KindTarget> {
  /** Resources newly served (or served at another version): start an informer for each. */
  start: T[];
  /** Monitored resources no longer served: stop their informers. */
  stop: T[];
}

/** kube's syncMonitors: what to start and stop to go from the running monitors to `desired`. */
export function diffMonitors<T extends KindTarget>(running: Iterable<T>, desired: readonly T[]): MonitorDiff<T> {
  const want = new Map(desired.map((r) => [monitorKey(r), r]));
  const have = new Map([...running].map((r) => [monitorKey(r), r]));
  return {
    start: [...want].filter(([k]) => !have.has(k)).map(([, r]) => r),
    stop: [...have].filter(([k]) => !want.has(k)).map(([, r]) => r),
  };
}
