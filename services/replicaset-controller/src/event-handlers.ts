// Informer handlers (addPod/updatePod/deletePod, add/update/deleteRS in replica_set.go):
// pod events lower the owning ReplicaSet's expectations before queueing it, so the sync
// they trigger sees a fulfilled expectation only when the cache really holds the effect.
import { getControllerOf, labelSelectorFromObject, type GroupVersionKind, type OwnerReference } from '@keelson/api';
import { keyOf, triggerMeta, type Enqueuer, type EventInfo, type ItemMeta, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import type { Expectations } from './expectations';
import { isPodReady } from './pod-state';
import type { Pod, ReplicaSet } from './types';

export interface HandlerDeps {
  queue: Enqueuer & { enqueueAfter?(key: string, ms: number, meta?: ItemMeta): void };
  replicaSets: ReadOnlyCache<ReplicaSet>;
  expectations: Expectations;
  /** The owner kind whose pods are followed (default apps/v1 ReplicaSet). */
  kind?: GroupVersionKind;
}

export function replicaSetHandler(deps: HandlerDeps): ResourceEventHandler<ReplicaSet> {
  const { queue, expectations } = deps;
  return {
    onAdd: (rs, info) => queue.enqueue(keyOf(rs), triggerMeta(rs, info)),
    onUpdate: (_old, rs, info) => queue.enqueue(keyOf(rs), triggerMeta(rs, info)),
    onDelete: (rs, info) => {
      expectations.delete(keyOf(rs));
      queue.enqueue(keyOf(rs), triggerMeta(rs, info));
    },
  };
}

export function podHandler(deps: HandlerDeps): ResourceEventHandler<Pod> {
  const { queue, replicaSets, expectations } = deps;
  const ownerKind = deps.kind ?? { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

  /** The ReplicaSet a controllerRef points to, if it is the one in the cache (same uid). */
  const resolve = (pod: Pod, ref: OwnerReference | undefined): ReplicaSet | undefined => {
    if (!ref || ref.kind !== ownerKind.kind || ref.apiVersion.split('/')[0] !== ownerKind.apiVersion.split('/')[0]) return undefined;
    const rs = replicaSets.getByName(pod.metadata.namespace, ref.name);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  };

  /** Orphans: every ReplicaSet in the namespace whose selector matches may adopt it. */
  const enqueueMatching = (pod: Pod, meta: ItemMeta): void => {
    for (const rs of replicaSets.byNamespace(pod.metadata.namespace ?? '')) {
      const sel = labelSelectorFromObject(rs.spec?.selector);
      if (!sel.isEmpty() && sel.matches(pod.metadata.labels)) queue.enqueue(keyOf(rs), meta);
    }
  };

  const deleted = (pod: Pod, info: EventInfo): void => {
    const rs = resolve(pod, getControllerOf(pod));
    if (!rs) return;
    expectations.deletionObserved(keyOf(rs), keyOf(pod));
    queue.enqueue(keyOf(rs), triggerMeta(pod, info));
  };

  return {
    onAdd: (pod, info) => {
      const meta = triggerMeta(pod, info);
      // Seen for the first time already terminating (e.g. after a restart): a deletion.
      if (pod.metadata.deletionTimestamp) return deleted(pod, info);
      const ref = getControllerOf(pod);
      if (ref) {
        const rs = resolve(pod, ref);
        if (!rs) return;
        expectations.creationObserved(keyOf(rs), keyOf(pod));
        queue.enqueue(keyOf(rs), meta);
        return;
      }
      enqueueMatching(pod, meta);
    },
    onUpdate: (old, cur, info) => {
      const meta = triggerMeta(cur, info);
      if (info.resync || old.metadata.resourceVersion === cur.metadata.resourceVersion) {
        // Periodic resync: let the owner (or would-be owners) look again, but observe nothing.
        const rs = resolve(cur, getControllerOf(cur));
        if (rs) queue.enqueue(keyOf(rs), meta);
        else if (!getControllerOf(cur)) enqueueMatching(cur, meta);
        return;
      }
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
      if (cur.metadata.deletionTimestamp) {
        // Graceful deletion: the pod stops counting now, not when the kubelet is done.
        deleted(cur, info);
        if (labelsChanged) deleted(old, info);
        return;
      }
      const oldRef = getControllerOf(old);
      const curRef = getControllerOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid;
      if (refChanged && oldRef) {
        const oldRs = resolve(old, oldRef);
        if (oldRs) queue.enqueue(keyOf(oldRs), meta);
      }
      if (curRef) {
        const rs = resolve(cur, curRef);
        if (!rs) return;
        queue.enqueue(keyOf(rs), meta);
        // Becoming ready starts the minReadySeconds clock: look again when it runs out.
        const minReady = rs.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.enqueueAfter?.(keyOf(rs), minReady * 1000 + 1, meta);
        return;
      }
      if (labelsChanged || refChanged) enqueueMatching(cur, meta);
    },
    onDelete: deleted,
  };
}
