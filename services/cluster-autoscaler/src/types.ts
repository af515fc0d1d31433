// The NodePool custom resource (autoscaling.keelson.dev/v1alpha1, cluster-scoped), whose types
// are generated from its CRD (config/nodepool-crd.yaml → src/generated/nodepool.ts with
// `npm run codegen`), and the labels and taints the autoscaler puts on the nodes it provisions.
import type { NodePoolStatusConditionsItem, NodePoolStatusLastDecision } from './generated/nodepool';

export { NODEPOOLS, type NodePool, type NodePoolSpec, type NodePoolStatus } from './generated/nodepool';

export const GROUP = 'autoscaling.keelson.dev';
/** Every node of a pool carries its pool's name. */
export const POOL_LABEL = `${GROUP}/node-pool`;
/** Upstream's taint on a node being scaled down (value: unix seconds). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export type PoolCondition = NodePoolStatusConditionsItem;
export type Decision = NodePoolStatusLastDecision;
