// Adoption and release (PodControllerRefManager.ClaimPods): the ReplicaSet owns the pods
// that have its controllerRef and match its selector; it adopts orphans that match (unless
// it is being deleted) and releases pods of its own that no longer match. Pods controlled
// by anything else are never touched.
import { ApiError, type LabelSelector } from '@keelson/api';
import type { KeelsonClient } from '@keelson/client';
import { controllerRef, isNotFound } from './pod-control';
import { PODS, REPLICASETS, type Pod, type ReplicaSet } from './types';

export function controllerOf(pod: Pod): { kind: string; name: string; uid: string; apiVersion: string } | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller);
}

export class PodClaimer {
  private adoptable?: Promise<void>;

  constructor(
    private readonly client: Pick<KeelsonClient, 'get' | 'patch'>,
    private readonly rs: ReplicaSet,
    private readonly selector: LabelSelector,
  ) {}

  /** The pods the ReplicaSet owns after adopting and releasing; the first error is thrown after all were tried. */
  async claim(pods: Pod[], signal?: AbortSignal): Promise<Pod[]> {
    const uid = this.rs.metadata.uid;
    const rsDeleting = !!this.rs.metadata.deletionTimestamp;
    const claimed: Pod[] = [];
    const errors: unknown[] = [];
    await Promise.all(pods.map(async (pod) => {
      const ref = controllerOf(pod);
      const matches = this.selector.matches(pod.metadata.labels);
      try {
        if (ref) {
          if (ref.uid !== uid) return; // someone else's
          if (matches) claimed.push(pod);
          else if (!rsDeleting) await this.release(pod, signal); // a deleting owner keeps what it has
          return;
        }
        // An orphan: adopt it if it matches and neither side is going away.
        if (rsDeleting || !matches || pod.metadata.deletionTimestamp) return;
        if (await this.adopt(pod, signal)) claimed.push(pod);
      } catch (err) {
        errors.push(err);
      }
    }));
    if (errors.length) throw errors[0];
    return claimed;
  }

  /**
   * Adoption re-reads the ReplicaSet from the API once (RecheckDeletionTimestamp): a cached
   * ReplicaSet may already be deleted or replaced by one with the same name.
   */
  private canAdopt(signal?: AbortSignal): Promise<void> {
    this.adoptable ??= (async () => {
      const fresh = await this.client.get<ReplicaSet>(REPLICASETS, this.rs.metadata.namespace, this.rs.metadata.name!, { signal });
      if (fresh.metadata.uid !== this.rs.metadata.uid) throw new Error(`original ReplicaSet ${this.rs.metadata.namespace}/${this.rs.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${this.rs.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`ReplicaSet ${this.rs.metadata.namespace}/${this.rs.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })();
    return this.adoptable;
  }

  /** Patches our controllerRef in; the pod's uid in the patch guards against a replaced pod. */
  private async adopt(pod: Pod, signal?: AbortSignal): Promise<boolean> {
    await this.canAdopt(signal);
    try {
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, {
        metadata: { ownerReferences: [controllerRef(this.rs)], uid: pod.metadata.uid },
      }, { type: 'strategic', signal });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false; // gone: nothing to adopt
      throw err;
    }
  }

  /** Removes our ownerReference (by uid) so the pod is an orphan again. */
  private async release(pod: Pod, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, {
        metadata: { ownerReferences: [{ $patch: 'delete', uid: this.rs.metadata.uid }], uid: pod.metadata.uid },
      }, { type: 'strategic', signal });
    } catch (err) {
      // Gone, or (422) already released/replaced: either way it is not ours any more.
      if (isNotFound(err) || (err instanceof ApiError && err.code === 422)) return;
      throw err;
    }
  }
}
