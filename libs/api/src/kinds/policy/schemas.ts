// policy/v1 PodDisruptionBudget and Eviction OpenAPI components (descriptions shortened),
// with meta/v1 Condition, which the budget's status conditions use.

import type { SchemaNode } from '../../schema/types';
import { arr, gvk, int32, int64, INT_OR_STRING, item, listMap, map, mergeBy, obj, ref, str, META, API_VERSION_PROPERTY, KIND_PROPERTY } from '../../schema/dsl';

export const POLICY = 'io.k8s.api.policy.v1.';


export const POLICY_SCHEMAS: Record<string, SchemaNode> = {
  [POLICY + 'Eviction']: obj('Eviction evicts a pod from its node subject to certain policies and safety constraints. This is a subresource of Pod.  A request to cause such an eviction is created by POSTing to .../pods/<pod name>/evictions.', {
    apiVersion: API_VERSION_PROPERTY,
    deleteOptions: ref(META + 'DeleteOptions', 'DeleteOptions may be provided'),
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', 'ObjectMeta describes the pod that is being evicted.'),
  }, undefined, gvk('policy', 'v1', 'Eviction')),
  [POLICY + 'PodDisruptionBudget']: obj('PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(POLICY + 'PodDisruptionBudgetSpec', 'Specification of the desired behavior of the PodDisruptionBudget.'),
    status: ref(POLICY + 'PodDisruptionBudgetStatus', 'Most recently observed status of the PodDisruptionBudget.'),
  }, undefined, gvk('policy', 'v1', 'PodDisruptionBudget')),
  [POLICY + 'PodDisruptionBudgetList']: obj('PodDisruptionBudgetList is a collection of PodDisruptionBudgets.', {
    apiVersion: API_VERSION_PROPERTY,
    items: arr(item(POLICY + 'PodDisruptionBudget'), 'Items is a list of PodDisruptionBudgets'),
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ListMeta', 'Standard object\'s metadata.'),
  }, ['items'], gvk('policy', 'v1', 'PodDisruptionBudgetList')),
  [POLICY + 'PodDisruptionBudgetSpec']: obj('PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.', {
    maxUnavailable: ref(INT_OR_STRING, 'An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod. For example, one can prevent all voluntary evictions by specifying 0. This is a mutually exclusive setting with "minAvailable".'),
    minAvailable: ref(INT_OR_STRING, 'An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.  So for example you can prevent all voluntary evictions by specifying "100%".'),
    selector: ref(META + 'LabelSelector', 'Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.', { 'x-kubernetes-patch-strategy': 'replace' }),
    unhealthyPodEvictionPolicy: str('UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Current implementation considers healthy pods, as pods that have status.conditions item with type="Ready",status="True". Valid policies are IfHealthyBudget and AlwaysAllow. If no policy is specified, the default behavior will be used, which corresponds to the IfHealthyBudget policy.'),
  }),
  [POLICY + 'PodDisruptionBudgetStatus']: obj('PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget. Status may trail the actual state of a system.', {
    conditions: arr(item(META + 'Condition'), 'Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition.', { ...mergeBy('type'), ...listMap('type') }),
    currentHealthy: int32('current number of healthy pods', { default: 0 }),
    desiredHealthy: int32('minimum desired number of healthy pods', { default: 0 }),
    disruptedPods: map(item(META + 'Time'), 'DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller. A pod will be in this map from the time when the API server processed the eviction request to the time when the pod is seen by PDB controller as having been marked for deletion (or after a timeout). The key in the map is the name of the pod and the value is the time when the API server processed the eviction request.'),
    disruptionsAllowed: int32('Number of pod disruptions that are currently allowed.', { default: 0 }),
    expectedPods: int32('total number of pods counted by this disruption budget', { default: 0 }),
    observedGeneration: int64("Most recent generation observed when updating this PDB status. DisruptionsAllowed and other status information is valid only if observedGeneration equals to PDB's object generation."),
  }, ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']),
  [META + 'Condition']: obj('Condition contains details for one aspect of the current state of this API Resource.', {
    lastTransitionTime: ref(META + 'Time', 'lastTransitionTime is the last time the condition transitioned from one status to another.'),
    message: str('message is a human readable message indicating details about the transition. This may be an empty string.', { default: '' }),
    observedGeneration: int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
    reason: str("reason contains a programmatic identifier indicating the reason for the condition's last transition.", { default: '' }),
    status: str('status of the condition, one of True, False, Unknown.', { default: '' }),
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.', { default: '' }),
  }, ['type', 'status', 'lastTransitionTime', 'reason', 'message']),
};
