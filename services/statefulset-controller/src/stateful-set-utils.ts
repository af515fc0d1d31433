// Pod identity and storage of a StatefulSet (stateful_set_utils.go): pods are `<set>-<ordinal>`,
// labelled with their name and index, resolvable as `<pod>.<serviceName>` (hostname and
// subdomain), and mount one claim per volumeClaimTemplate named `<template>-<set>-<ordinal>`.
import { copyJson, getControllerOf, newControllerRef } from '@keelson/api';
import { CONTROLLER_REVISION_HASH_LABEL, templateOf, type ControllerRevision } from '@keelson/controller-runtime';
import { POD_INDEX_LABEL, POD_NAME_LABEL, STATEFULSET_KIND, type PersistentVolumeClaim, type Pod, type PodCondition, type StatefulSet, type Volume } from './types';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: the set's name and the ordinal a pod name carries (-1 when none). */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1], ordinal } : { parent: '', ordinal: -1 };
}

export const getOrdinal = (pod: Pod): number => parentAndOrdinal(pod).ordinal;
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;
export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (template: string, set: StatefulSet, ordinal: number): string => `${template}-${set.metadata.name}-${ordinal}`;

/** isMemberOf: the pod's name says it belongs to this set. */
export const isMemberOf = (set: StatefulSet, pod: Pod): boolean => parentAndOrdinal(pod).parent === set.metadata.name;

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o < startOrdinal(set) + replicasOf(set);
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name;
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((t) => {
    const name = t.metadata?.name ?? '';
    return volumes.get(name)?.persistentVolumeClaim?.claimName === claimName(name, set, ordinal);
  });
}

/** The claims a pod of `ordinal` mounts, by template name (getPersistentVolumeClaims). */
export function persistentVolumeClaims(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const template = t.metadata?.name ?? '';
    const { name: _n, namespace: _ns, uid: _u, resourceVersion: _rv, creationTimestamp: _c, ...meta } = copyJson(t.metadata ?? {});
    const spec = copyJson(t.spec ?? {});
    out.set(template, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...meta, name: claimName(template, set, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}), ...selectorLabels } },
      spec,
    });
  }
  return out;
}

/** updateStorage: one persistentVolumeClaim volume per template, replacing a template volume of that name. */
function updateStorage(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (!templates.length) return;
  const claimVolumes: Volume[] = templates.map((t) => ({ name: t.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', set, ordinal) } }));
  const names = new Set(claimVolumes.map((v) => v.name));
  pod.spec = { ...(pod.spec ?? {}), volumes: [...claimVolumes, ...(pod.spec?.volumes ?? []).filter((v) => !names.has(v.name))] };
}

/** updateIdentity: name, labels, and the DNS identity `<pod>.<serviceName>`. */
function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
  pod.spec = { ...(pod.spec ?? {}), hostname: pod.metadata.name };
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

/** A copy of `pod` with its identity and storage restored (what updateStatefulPod writes). */
export function withIdentityAndStorage(set: StatefulSet, pod: Pod): Pod {
  const copy = copyJson(pod);
  updateIdentity(set, copy);
  updateStorage(set, copy);
  return copy;
}

/** The set as of `revision`: its template replaced by the revision's (ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...(set.spec ?? {}), template: templateOf(revision) } };
}

/** newStatefulSetPod: the template's pod with the set's controllerRef, identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const t = set.spec?.template ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      ownerReferences: [newControllerRef(set, STATEFULSET_KIND)],
    },
    spec: copyJson(t.spec ?? {}),
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) pod.metadata.finalizers = [...t.metadata.finalizers];
  updateIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, without rollingUpdate, below the
 * current replicas) are made at the current revision, the rest at the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const atCurrent = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && (strategy?.rollingUpdate
    ? ordinal < start + (strategy.rollingUpdate.partition ?? 0)
    : ordinal < start + (currentSet.status?.currentReplicas ?? 0));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  pod.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = atCurrent ? currentRevision : updateRevision;
  return pod;
}

export const podRevision = (pod: Pod): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

// Pod predicates (isCreated, isRunningAndReady, ... in stateful_set_utils.go).
/** Stored by the API (the pods this controller builds but has not created have no uid). */
export const isCreated = (pod: Pod): boolean => !!pod.metadata.uid;
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;
export const isPending = (pod: Pod): boolean => (pod.status?.phase ?? 'Pending') === 'Pending';
const readyCondition = (pod: Pod): PodCondition | undefined => pod.status?.conditions?.find((c) => c.type === 'Ready');
export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && readyCondition(pod)?.status === 'True';

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now = Date.now()): boolean {
  if (!isRunningAndReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/** The pod's controllerRef names this set. */
export const isControlledBy = (pod: Pod, set: StatefulSet): boolean => getControllerOf(pod)?.uid === set.metadata.uid;
