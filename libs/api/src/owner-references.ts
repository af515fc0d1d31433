// Controller references (apimachinery's metav1.NewControllerRef and GetControllerOf): the one
// ownerReference with controller=true names the object that manages this one. Shared by
// every controller that creates or adopts dependents, so the reference they write is the same.
import type { KubeObject, OwnerReference } from './types';

/** What names an owner's type in a reference: `apps/v1` + `ReplicaSet`. */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/**
 * The reference a controller puts on what it creates or adopts: controller=true, and
 * blockOwnerDeletion so foreground deletion of the owner waits for the dependent.
 */
export function newControllerRef(owner: Pick<KubeObject, 'metadata'>, gvk: GroupVersionKind): OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name || !uid) throw new Error(`newControllerRef: the ${gvk.kind} has no ${name ? 'uid' : 'name'} yet`);
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** The object's controlling owner reference, if any (validation allows at most one). */
export function getControllerOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}
