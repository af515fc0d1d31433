// Which ReplicaSets belong to a Deployment (ReplicaSetControllerRefManager.ClaimReplicaSets):
// those it controls whose labels still match its selector, plus orphans that match, which
// it adopts; ones it controls that stopped matching are released.
import { ApiError, labelSelectorFromObject } from '@keelson/api';
import type { KeelsonClient } from '@keelson/client';
import { controllerRefTo } from './new-replica-set';
import { DEPLOYMENTS, REPLICASETS, type Deployment, type ReplicaSet } from './types';

export const controllerOf = (rs: ReplicaSet): NonNullable<ReplicaSet['metadata']['ownerReferences']>[number] | undefined =>
  rs.metadata.ownerReferences?.find((r) => r.controller);

export async function claimReplicaSets(client: KeelsonClient, d: Deployment, candidates: ReplicaSet[]): Promise<ReplicaSet[]> {
  const selector = labelSelectorFromObject(d.spec.selector);
  const claimed: ReplicaSet[] = [];
  let canAdopt: boolean | undefined;
  for (const rs of candidates) {
    const ref = controllerOf(rs);
    const matches = selector.matches(rs.metadata.labels);
    if (ref) {
      if (ref.uid !== d.metadata.uid) continue;
      if (matches) claimed.push(rs);
      else if (!d.metadata.deletionTimestamp) await release(client, d, rs);
      continue;
    }
    if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
    // Adopt only for a Deployment that still exists as this object (not a recreated namesake).
    canAdopt ??= await client.get<Deployment>(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!).then(
      (fresh) => fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp,
      () => false,
    );
    if (!canAdopt) continue;
    claimed.push(await client.patch<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, {
      metadata: { ownerReferences: [controllerRefTo(d)], uid: rs.metadata.uid },
    }, { type: 'strategic' }));
  }
  return claimed;
}

async function release(client: KeelsonClient, d: Deployment, rs: ReplicaSet): Promise<void> {
  await client.patch(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, {
    metadata: { ownerReferences: [{ $patch: 'delete', uid: d.metadata.uid }], uid: rs.metadata.uid },
  }, { type: 'strategic' }).catch((err: unknown) => {
    // Gone or changed meanwhile: the next reconcile sees the new state.
    if (!(err instanceof ApiError && [404, 409, 422].includes(err.code))) throw err;
  });
}
