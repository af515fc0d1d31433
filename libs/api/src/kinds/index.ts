// Every built-in kind, each in a strategy file of its own (see ../strategy.ts).
// Adding a kind: write `kinds/<group>/<resource>.ts` exporting its KindStrategy and list it here.
// The order of this list is the order of discovery (`kubectl api-resources`): append new kinds.
import type { KindStrategy } from '../strategy';
import { leaseStrategy } from './coordination/leases';
import { customResourceDefinitions } from './apiextensions/customresourcedefinitions';
import { deploymentStrategy } from './apps/deployments';
import { replicaSetStrategy } from './apps/replicasets';
import { controllerRevisionStrategy } from './apps/controllerrevisions';
import { daemonSetStrategy } from './apps/daemonsets';
import { statefulSetStrategy } from './apps/statefulsets';
import { cronJobStrategy } from './batch/cronjobs';
import { jobStrategy } from './batch/jobs';
import { configMapStrategy } from './core/configmaps';
import { eventStrategy } from './core/events';
import { serviceAccountStrategy } from './core/serviceaccounts';
import { podStrategy } from './core/pods';
import { namespaceStrategy } from './core/namespaces';
import { nodeStrategy } from './core/nodes';
import { secretStrategy } from './core/secrets';
import { podDisruptionBudgetStrategy } from './policy/poddisruptionbudgets';
import { serviceStrategy } from './core/services';
import { endpointsStrategy } from './core/endpoints';
import { limitRangeStrategy } from './core/limitranges';
import { persistentVolumeClaimStrategy } from './core/persistentvolumeclaims';
import { persistentVolumeStrategy } from './core/persistentvolumes';
import { replicationControllerStrategy } from './core/replicationcontrollers';
import { resourceQuotaStrategy } from './core/resourcequotas';
import { horizontalPodAutoscalerStrategy } from './autoscaling/horizontalpodautoscalers';
import { horizontalPodAutoscalerV1Strategy } from './autoscaling/horizontalpodautoscalers-v1';
import { endpointSliceStrategy } from './discovery/endpointslices';
import { eventsV1Strategy } from './events/events';
import { ingressClassStrategy } from './networking/ingressclasses';
import { ingressStrategy } from './networking/ingresses';
import { networkPolicyStrategy } from './networking/networkpolicies';
import { priorityClassStrategy } from './scheduling/priorityclasses';
import { storageClassStrategy } from './storage/storageclasses';
import { roleStrategy } from './rbac/roles';
import { clusterRoleStrategy } from './rbac/clusterroles';
import { roleBindingStrategy } from './rbac/rolebindings';
import { clusterRoleBindingStrategy } from './rbac/clusterrolebindings';
import { apiServiceStrategy } from './apiregistration/apiservices';

export const BUILTIN_KINDS: KindStrategy[] = [
  namespaceStrategy,
  nodeStrategy,
  podStrategy,
  eventStrategy,
  serviceAccountStrategy,
  configMapStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  leaseStrategy,
  secretStrategy,
  serviceStrategy,
  endpointsStrategy,
  persistentVolumeStrategy,
  persistentVolumeClaimStrategy,
  resourceQuotaStrategy,
  limitRangeStrategy,
  replicationControllerStrategy,
  customResourceDefinitions,
  jobStrategy,
  cronJobStrategy,
  statefulSetStrategy,
  daemonSetStrategy,
  controllerRevisionStrategy,
  podDisruptionBudgetStrategy,
  endpointSliceStrategy,
  ingressStrategy,
  ingressClassStrategy,
  networkPolicyStrategy,
  horizontalPodAutoscalerStrategy,
  horizontalPodAutoscalerV1Strategy,
  priorityClassStrategy,
  storageClassStrategy,
  eventsV1Strategy,
  clusterRoleBindingStrategy,
  apiServiceStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
];
