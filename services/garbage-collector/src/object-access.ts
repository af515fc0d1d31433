// The garbage collector's API writes and reads, by identity. Deletes carry a uid
// precondition; reference and finalizer edits are read-modify-update with the object's
// resourceVersion, retried on conflict, and give up quietly when the object is gone or
// replaced by another with the same name (its uid differs).
import type { KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient, type ResourceRef } from '@keelson/client';
import type { KindResolver, ObjectIdentity } from './identity';

export type DeletionPropagation = 'Background' | 'Foreground' | 'Orphan';

/** What the decisions need from the API (a fake in unit tests). */
export interface ObjectAccess {
  /** The live object, or undefined when it does not exist. */
  get(id: ObjectIdentity): Promise<KubeObject | undefined>;
  delete(id: ObjectIdentity, policy: DeletionPropagation): Promise<void>;
  /** Drops the ownerReferences to these owner uids. */
  removeOwnerReferences(id: ObjectIdentity, ownerUids: readonly string[]): Promise<void>;
  /** Sets blockOwnerDeletion=false on every blocking ownerReference. */
  unblockOwnerReferences(id: ObjectIdentity): Promise<void>;
  removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void>;
}

const CONFLICT_RETRIES = 5;

export class ApiObjectAccess implements ObjectAccess {
  constructor(
    private readonly client: Pick<KeelsonClient, 'get' | 'delete' | 'update'>,
    private readonly resolver: KindResolver,
  ) {}

  async get(id: ObjectIdentity): Promise<KubeObject | undefined> {
    const at = this.locate(id);
    if (!at) return undefined;
    const { ref, namespace } = at;
    try {
      return await this.client.get(ref, namespace, id.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(id: ObjectIdentity, policy: DeletionPropagation): Promise<void> {
    const at = this.locate(id);
    if (!at) return;
    const { ref, namespace } = at;
    try {
      await this.client.delete(ref, namespace, id.name, { propagationPolicy: policy, preconditions: { uid: id.uid } });
    } catch (err) {
      // Already gone, or the name now belongs to another object: nothing of ours to delete.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  removeOwnerReferences(id: ObjectIdentity, ownerUids: readonly string[]): Promise<void> {
    const drop = new Set(ownerUids);
    return this.edit(id, (obj) => {
      const refs = obj.metadata.ownerReferences ?? [];
      const kept = refs.filter((r) => !drop.has(r.uid));
      if (kept.length === refs.length) return undefined;
      const { ownerReferences: _dropped, ...rest } = obj.metadata;
      return { ...obj, metadata: kept.length > 0 ? { ...rest, ownerReferences: kept } : rest };
    });
  }

  unblockOwnerReferences(id: ObjectIdentity): Promise<void> {
    return this.edit(id, (obj) => {
      const refs = obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.blockOwnerDeletion)) return undefined;
      const ownerReferences = refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
      return { ...obj, metadata: { ...obj.metadata, ownerReferences } };
    });
  }

  removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    return this.edit(id, (obj) => {
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return undefined;
      return { ...obj, metadata: { ...obj.metadata, finalizers: finalizers.filter((f) => f !== finalizer) } };
    });
  }

  /** Applies `change` to the live object (undefined = nothing to change) and updates it. */
  private async edit(id: ObjectIdentity, change: (obj: KubeObject) => KubeObject | undefined): Promise<void> {
    const ref = this.locate(id)?.ref;
    if (!ref) return;
    for (let attempt = 0; ; attempt++) {
      const live = await this.get(id);
      if (!live || live.metadata.uid !== id.uid) return;
      const next = change(live);
      if (!next) return;
      try {
        await this.client.update(ref, next);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err) && attempt < CONFLICT_RETRIES) continue;
        throw err;
      }
    }
  }

  /** undefined for a namespaced kind without a namespace: no such object can exist. */
  private locate(id: ObjectIdentity): { ref: ResourceRef; namespace: string | undefined } | undefined {
    const info = this.resolver.resolve(id.apiVersion, id.kind);
    if (info.namespaced && !id.namespace) return undefined;
    return { ref: info, namespace: info.namespaced ? id.namespace : undefined };
  }
}
