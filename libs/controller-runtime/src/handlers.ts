// Event handlers that turn informer notifications into work-queue keys.
import { TRACEPARENT_ANNOTATION, type KubeObject } from '@keelson/api';
import { keyOf } from './cache';
import type { EventInfo, ResourceEventHandler } from './informer';
import type { ItemMeta } from './work-queue';

/** Anything keys can be queued on (a Controller, a WorkQueue). */
export interface Enqueuer {
  enqueue(key: string, meta?: ItemMeta): void;
}

/**
 * The trace a reconcile should continue: the event's header, else the object's
 * `keelson.dev/traceparent` annotation (objects delivered by a list carry no header).
 * A periodic resync changed nothing: it is background work, never a trace of its own.
 */
export function triggerMeta(obj: KubeObject, info: EventInfo): ItemMeta {
  if (info.resync) return { background: true };
  if (info.traceparent) return { traceparent: info.traceparent, tracestate: info.tracestate };
  const tp = obj.metadata.annotations?.[TRACEPARENT_ANNOTATION];
  return tp ? { traceparent: tp } : {};
}

/** Queues the changed object's own key on add, update and delete. */
export function enqueueObject<T extends KubeObject>(q: Enqueuer): ResourceEventHandler<T> {
  return {
    onAdd: (o, i) => q.enqueue(keyOf(o), triggerMeta(o, i)),
    onUpdate: (_old, o, i) => q.enqueue(keyOf(o), triggerMeta(o, i)),
    onDelete: (o, i) => q.enqueue(keyOf(o), triggerMeta(o, i)),
  };
}

/**
 * Queues the controlling owner of a dependent (e.g. a ReplicaSet when one of its Pods
 * changes). Only the `controller: true` ownerReference of the given kind counts, as in
 * kube-controller-manager; on an update where the owner changed, both owners are queued.
 */
export function enqueueOwner<T extends KubeObject>(q: Enqueuer, owner: { kind: string; group?: string }): ResourceEventHandler<T> {
  const ownerKey = (o: KubeObject): string | undefined => {
    const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller && r.kind === owner.kind && groupOf(r.apiVersion) === (owner.group ?? ''));
    if (!ref) return undefined;
    // Owners are in the dependent's namespace, or cluster-scoped when the dependent is.
    return o.metadata.namespace ? `${o.metadata.namespace}/${ref.name}` : ref.name;
  };
  const add = (o: KubeObject, i: EventInfo): void => {
    const k = ownerKey(o);
    if (k) q.enqueue(k, triggerMeta(o, i));
  };
  return {
    onAdd: add,
    onUpdate: (old, o, i) => {
      const before = ownerKey(old);
      if (before && before !== ownerKey(o)) q.enqueue(before, triggerMeta(o, i));
      add(o, i);
    },
    onDelete: add,
  };
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}
