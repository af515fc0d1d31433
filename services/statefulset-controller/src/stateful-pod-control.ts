// The API calls of a StatefulSet's pods and claims (stateful_pod_control.go), with upstream's
// Events: "create Pod web-0 in StatefulSet web successful", "create Claim data-web-0 Pod web-0
// in StatefulSet web success", and their Failed<Verb> counterparts.
import type { KubeObject, OwnerReference } from '@keelson/api';
import { isAlreadyExists, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { EventRecorder, ReadOnlyCache } from '@keelson/controller-runtime';
import { getOrdinal, persistentVolumeClaims, podInOrdinalRange } from './stateful-set-utils';
import { PERSISTENTVOLUMECLAIMS, PODS, type PersistentVolumeClaim, type Pod, type StatefulSet } from './types';

type Verb = 'Create' | 'Delete' | 'Update';

export class StatefulPodControl {
  constructor(
    private readonly client: Pick<KeelsonClient, 'create' | 'delete' | 'update' | 'patch'>,
    private readonly claims: ReadOnlyCache<PersistentVolumeClaim>,
    private readonly recorder: Pick<EventRecorder, 'event'>,
  ) {}

  /** CreateStatefulPod: the pod's missing claims first (a pod never starts without its storage), then the pod. */
  async createStatefulPod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    await this.createMissingClaims(set, pod, signal);
    try {
      await this.client.create(PODS, pod, { signal });
      this.podEvent(set, pod, 'Create');
    } catch (err) {
      if (!signal?.aborted) this.podEvent(set, pod, 'Create', err);
      throw err;
    }
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid }, signal });
      this.podEvent(set, pod, 'Delete');
    } catch (err) {
      if (isNotFound(err)) return;
      if (!signal?.aborted) this.podEvent(set, pod, 'Delete', err);
      throw err;
    }
  }

  /** UpdateStatefulPod: restores identity and storage (creating missing claims first). */
  async updateStatefulPod(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    await this.createMissingClaims(set, pod, signal);
    try {
      await this.client.update(PODS, pod, { signal });
      this.podEvent(set, pod, 'Update');
    } catch (err) {
      if (!signal?.aborted) this.podEvent(set, pod, 'Update', err);
      throw err;
    }
  }

  /** createPersistentVolumeClaims: claims the cache does not hold yet; one another sync made is fine. */
  async createMissingClaims(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    for (const claim of persistentVolumeClaims(set, getOrdinal(pod)).values()) {
      if (this.claims.getByName(claim.metadata.namespace, claim.metadata.name!)) continue;
      const owners = desiredClaimOwners(set, pod, []);
      if (owners.length) claim.metadata.ownerReferences = owners;
      try {
        await this.client.create(PERSISTENTVOLUMECLAIMS, claim, { signal });
        this.claimEvent(set, pod, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        if (!signal?.aborted) this.claimEvent(set, pod, claim, err);
        throw err;
      }
    }
  }

  /**
   * updateClaimOwnerRefForSetAndPod: persistentVolumeClaimRetentionPolicy as owner references
   * the garbage collector acts on: whenDeleted=Delete makes the set an owner of every claim,
   * whenScaled=Delete makes a condemned pod (ordinal past replicas) the owner of its claims.
   */
  async updateClaimOwners(set: StatefulSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    for (const want of persistentVolumeClaims(set, getOrdinal(pod)).values()) {
      const claim = this.claims.getByName(want.metadata.namespace, want.metadata.name!);
      if (!claim) continue;
      const refs = claim.metadata.ownerReferences ?? [];
      const next = desiredClaimOwners(set, pod, refs);
      if (JSON.stringify(next) === JSON.stringify(refs)) continue;
      try {
        await this.client.patch(PERSISTENTVOLUMECLAIMS, claim.metadata.namespace, claim.metadata.name!, {
          metadata: { ownerReferences: next.length ? next : null, resourceVersion: claim.metadata.resourceVersion },
        }, { type: 'merge', signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private podEvent(set: StatefulSet, pod: Pod, verb: Verb, err?: unknown): void {
    const what = `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    if (err === undefined) this.recorder.event(set, 'Normal', `Successful${verb}`, `${what} successful`);
    else this.recorder.event(set, 'Warning', `Failed${verb}`, `${what} failed error: ${messageOf(err)}`);
  }

  private claimEvent(set: StatefulSet, pod: Pod, claim: KubeObject, err?: unknown): void {
    const what = `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    if (err === undefined) this.recorder.event(set, 'Normal', 'SuccessfulCreate', `${what} success`);
    else this.recorder.event(set, 'Warning', 'FailedCreate', `${what} failed error: ${messageOf(err)}`);
  }
}

const ownerRef = (o: KubeObject, apiVersion: string, kind: string): OwnerReference => ({ apiVersion, kind, name: o.metadata.name!, uid: o.metadata.uid! });

/** The claim's owner references under the set's retention policy (others' references kept). */
export function desiredClaimOwners(set: StatefulSet, pod: Pod, current: readonly OwnerReference[]): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const scaledDown = !podInOrdinalRange(pod, set);
  const ownedBySet = policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown);
  const ownedByPod = policy.whenScaled === 'Delete' && scaledDown && !!pod.metadata.uid;
  const others = current.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
  const keep = (uid: string | undefined): OwnerReference | undefined => current.find((r) => r.uid === uid);
  return [
    ...others,
    ...(ownedBySet ? [keep(set.metadata.uid) ?? ownerRef(set, 'apps/v1', 'StatefulSet')] : []),
    ...(ownedByPod ? [keep(pod.metadata.uid) ?? ownerRef(pod, 'v1', 'Pod')] : []),
  ];
}
