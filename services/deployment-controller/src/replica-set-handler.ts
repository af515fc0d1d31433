// ReplicaSet events → Deployment keys (deployment_controller.go add/update/deleteReplicaSet):
// the controlling Deployment; for an orphan, every Deployment in its namespace whose
// selector matches (one of them may adopt it).
import { getControllerOf, labelSelectorFromObject } from '@keelson/api';
import { enqueueOwner, keyOf, triggerMeta, type Enqueuer, type EventInfo, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import type { Deployment, ReplicaSet } from './types';

export function replicaSetHandler(q: Enqueuer, deployments: ReadOnlyCache<Deployment>): ResourceEventHandler<ReplicaSet> {
  const owner = enqueueOwner<ReplicaSet>(q, { kind: 'Deployment', group: 'apps' });
  const orphan = (rs: ReplicaSet, info: EventInfo): void => {
    if (getControllerOf(rs) || rs.metadata.deletionTimestamp) return;
    for (const d of deployments.byNamespace(rs.metadata.namespace ?? '')) {
      if (labelSelectorFromObject(d.spec.selector).matches(rs.metadata.labels)) q.enqueue(keyOf(d), triggerMeta(rs, info));
    }
  };
  return {
    onAdd: (rs, i) => {
      owner.onAdd?.(rs, i);
      orphan(rs, i);
    },
    onUpdate: (old, rs, i) => {
      owner.onUpdate?.(old, rs, i);
      orphan(rs, i);
    },
    onDelete: (rs, i) => owner.onDelete?.(rs, i),
  };
}
