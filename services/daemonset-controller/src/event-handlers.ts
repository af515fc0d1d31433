// Informer handlers (daemon_controller.go): pod events lower the owning DaemonSet's
// expectations before queueing it; node changes that can alter where daemons run queue every
// DaemonSet; a deleted DaemonSet's expectations are forgotten.
import { getControllerOf, labelSelectorFromObject, type OwnerReference } from '@keelson/api';
import { keyOf, triggerMeta, type ControllerExpectations, type ControllerQueue, type EventInfo, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import type { DaemonSet, Node, Pod } from './types';

export interface HandlerDeps {
  queue: ControllerQueue;
  daemonSets: ReadOnlyCache<DaemonSet>;
  expectations: ControllerExpectations;
}

export function daemonSetHandler({ queue, expectations }: HandlerDeps): ResourceEventHandler<DaemonSet> {
  return {
    onAdd: (ds, info) => queue.enqueue(keyOf(ds), triggerMeta(ds, info)),
    onUpdate: (_old, ds, info) => queue.enqueue(keyOf(ds), triggerMeta(ds, info)),
    onDelete: (ds, info) => {
      expectations.delete(keyOf(ds));
      queue.enqueue(keyOf(ds), triggerMeta(ds, info));
    },
  };
}

export function podHandler({ queue, daemonSets, expectations }: HandlerDeps): ResourceEventHandler<Pod> {
  const resolve = (pod: Pod, ref: OwnerReference | undefined): DaemonSet | undefined => {
    if (!ref || ref.kind !== 'DaemonSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const ds = daemonSets.getByName(pod.metadata.namespace, ref.name);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  };
  const enqueueMatching = (pod: Pod, info: EventInfo): void => {
    for (const ds of daemonSets.byNamespace(pod.metadata.namespace ?? '')) {
      const sel = labelSelectorFromObject(ds.spec?.selector);
      if (!sel.isEmpty() && sel.matches(pod.metadata.labels)) queue.enqueue(keyOf(ds), triggerMeta(pod, info));
    }
  };
  const deleted = (pod: Pod, info: EventInfo): void => {
    const ds = resolve(pod, getControllerOf(pod));
    if (!ds) return;
    expectations.deletionObserved(keyOf(ds), keyOf(pod));
    queue.enqueue(keyOf(ds), triggerMeta(pod, info));
  };
  return {
    onAdd: (pod, info) => {
      if (pod.metadata.deletionTimestamp) return deleted(pod, info);
      const ref = getControllerOf(pod);
      if (!ref) return enqueueMatching(pod, info);
      const ds = resolve(pod, ref);
      if (!ds) return;
      expectations.creationObserved(keyOf(ds));
      queue.enqueue(keyOf(ds), triggerMeta(pod, info));
    },
    onUpdate: (old, cur, info) => {
      if (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) return deleted(cur, info);
      const ds = resolve(cur, getControllerOf(cur));
      if (ds) queue.enqueue(keyOf(ds), triggerMeta(cur, info));
      else if (!getControllerOf(cur)) enqueueMatching(cur, info);
      const oldDs = resolve(old, getControllerOf(old));
      if (oldDs && oldDs !== ds) queue.enqueue(keyOf(oldDs), triggerMeta(cur, info));
      // Becoming ready starts the minReadySeconds clock.
      const minReady = ds?.spec?.minReadySeconds ?? 0;
      if (ds && minReady > 0) queue.enqueueAfter(keyOf(ds), minReady * 1000 + 1, triggerMeta(cur, info));
    },
    onDelete: deleted,
  };
}

/** What of a node decides whether a daemon runs there (shouldIgnoreNodeUpdate looks past heartbeats). */
const placementOf = (n: Node): string => JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], n.spec?.unschedulable ?? false]);

export function nodeHandler({ queue, daemonSets }: HandlerDeps): ResourceEventHandler<Node> {
  const all = (n: Node, info: EventInfo): void => {
    for (const ds of daemonSets.list()) queue.enqueue(keyOf(ds), triggerMeta(n, info));
  };
  return {
    onAdd: all,
    onUpdate: (old, cur, info) => {
      if (info.resync || placementOf(old) !== placementOf(cur)) all(cur, info);
    },
    onDelete: all,
  };
}
