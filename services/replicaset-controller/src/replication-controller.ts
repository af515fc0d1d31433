// ReplicationControllers run on the ReplicaSet logic, as kube-controller-manager's replication
// controller does (pkg/controller/replication wraps the ReplicaSet controller with conversions):
// an RC is seen as a ReplicaSet whose selector is `matchLabels: spec.selector`, its pods are
// owned as `v1 ReplicationController`, and its status is written back in the RC's own shape.
import type { KubeObject, ResourceCoordinates } from '@keelson/api';
import type { ReadOnlyCache } from '@keelson/controller-runtime';
import { PODS, type ReplicaSet, type WorkloadKind } from './types';

export const REPLICATIONCONTROLLERS: ResourceCoordinates = { group: '', version: 'v1', resource: 'replicationcontrollers' };

/** The RC as a ReplicaSet (the selector map becomes matchLabels). */
export function rcToReplicaSet(rc: KubeObject): ReplicaSet {
  const spec = (rc.spec ?? {}) as Record<string, unknown>;
  const selector = spec.selector as Record<string, string> | undefined;
  return { ...rc, spec: { ...spec, selector: selector ? { matchLabels: { ...selector } } : undefined } } as ReplicaSet;
}

/** Back to the RC's shape for writes (its status is the ReplicaSet's). */
export function replicaSetToRc(rs: ReplicaSet): KubeObject {
  const spec = (rs.spec ?? {}) as Record<string, unknown>;
  const selector = (spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  return { ...rs, spec: { ...spec, selector } } as KubeObject;
}

export const REPLICATIONCONTROLLER_KIND: WorkloadKind = {
  resource: REPLICATIONCONTROLLERS,
  gvk: { apiVersion: 'v1', kind: 'ReplicationController' },
  claims: { controllerResource: REPLICATIONCONTROLLERS, controllerKind: { apiVersion: 'v1', kind: 'ReplicationController' }, resource: PODS },
  fromStored: rcToReplicaSet,
  toStored: replicaSetToRc,
};

/** The RC informer's cache seen as ReplicaSets. */
export function replicaSetView(rcs: ReadOnlyCache<KubeObject>): ReadOnlyCache<ReplicaSet> {
  const one = (o: KubeObject | undefined) => (o ? rcToReplicaSet(o) : undefined);
  const many = (os: KubeObject[]) => os.map(rcToReplicaSet);
  return {
    get: (key) => one(rcs.get(key)),
    getByName: (ns, name) => one(rcs.getByName(ns, name)),
    list: () => many(rcs.list()),
    keys: () => rcs.keys(),
    size: () => rcs.size(),
    byNamespace: (ns) => many(rcs.byNamespace(ns)),
    byOwnerUid: (uid) => many(rcs.byOwnerUid(uid)),
    byNodeName: (n) => many(rcs.byNodeName(n)),
    bySelector: (s, ns) => many(rcs.bySelector(s, ns)),
    byIndex: (i, v) => many(rcs.byIndex(i, v)),
  };
}
