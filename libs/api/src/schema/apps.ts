// apps/v1 Deployment and ReplicaSet.
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, bool, int32, int64, ref, item, arr, mergeBy, gvk, META, CORE, APPS, INT_OR_STRING } from './dsl';

export const APPS_SCHEMAS: Record<string, SchemaNode> = {
  [APPS + 'Deployment']: obj("Deployment enables declarative updates for Pods and ReplicaSets.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object metadata."),
    spec: ref(APPS + 'DeploymentSpec', "Specification of the desired behavior of the Deployment."),
    status: ref(APPS + 'DeploymentStatus', "Most recently observed status of the Deployment."),
  }, undefined, gvk('apps', 'v1', 'Deployment')),
  [APPS + 'DeploymentCondition']: obj("DeploymentCondition describes the state of a deployment at a certain point.", {
    lastTransitionTime: ref(META + 'Time', "Last time the condition transitioned from one status to another."),
    lastUpdateTime: ref(META + 'Time', "The last time this condition was updated."),
    message: str("A human readable message indicating details about the transition."),
    reason: str("The reason for the condition's last transition."),
    status: str("Status of the condition, one of True, False, Unknown."),
    type: str("Type of deployment condition."),
  }, ['status', 'type']),
  [APPS + 'DeploymentList']: obj("DeploymentList is a list of Deployments.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(APPS + 'Deployment'), "Items is the list of Deployments."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('apps', 'v1', 'DeploymentList')),
  [APPS + 'DeploymentSpec']: obj("DeploymentSpec is the specification of the desired behavior of the Deployment.", {
    minReadySeconds: int32("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)"),
    paused: bool("Indicates that the deployment is paused."),
    progressDeadlineSeconds: int32("The maximum time in seconds for a deployment to make progress before it is considered to be failed. The deployment controller will continue to process failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in the deployment status."),
    replicas: int32("Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1."),
    revisionHistoryLimit: int32("The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10."),
    selector: ref(META + 'LabelSelector', "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels."),
    strategy: ref(APPS + 'DeploymentStrategy', "The deployment strategy to use to replace existing pods with new ones.", { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    template: ref(CORE + 'PodTemplateSpec', "Template describes the pods that will be created."),
  }, ['selector', 'template']),
  [APPS + 'DeploymentStatus']: obj("DeploymentStatus is the most recently observed status of the Deployment.", {
    availableReplicas: int32("Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
    collisionCount: int32("Count of hash collisions for the Deployment. The Deployment controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ReplicaSet."),
    conditions: arr(item(APPS + 'DeploymentCondition'), "Represents the latest available observations of a deployment's current state.", mergeBy('type')),
    observedGeneration: int64("The generation observed by the deployment controller."),
    readyReplicas: int32("Total number of non-terminating pods targeted by this Deployment with a Ready Condition."),
    replicas: int32("Total number of non-terminating pods targeted by this deployment (their labels match the selector)."),
    terminatingReplicas: int32("Total number of terminating pods targeted by this deployment. Terminating pods have a non-null .metadata.deletionTimestamp and have not yet reached the Failed or Succeeded .status.phase.  This is an alpha field. Enable DeploymentReplicaSetTerminatingReplicas to be able to use this field."),
    unavailableReplicas: int32("Total number of unavailable pods targeted by this deployment. This is the total number of pods that are still required for the deployment to have 100% available capacity. They may either be pods that are running but not yet available or pods that still have not been created."),
    updatedReplicas: int32("Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
  }),
  [APPS + 'DeploymentStrategy']: obj("DeploymentStrategy describes how to replace existing pods with new ones.", {
    rollingUpdate: ref(APPS + 'RollingUpdateDeployment', "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate."),
    type: str("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
  }),
  [APPS + 'ReplicaSet']: obj("ReplicaSet ensures that a specified number of pod replicas are running at any given time.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "If the Labels of a ReplicaSet are empty, they are defaulted to be the same as the Pod(s) that the ReplicaSet manages. Standard object's metadata."),
    spec: ref(APPS + 'ReplicaSetSpec', "Spec defines the specification of the desired behavior of the ReplicaSet."),
    status: ref(APPS + 'ReplicaSetStatus', "Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only."),
  }, undefined, gvk('apps', 'v1', 'ReplicaSet')),
  [APPS + 'ReplicaSetCondition']: obj("ReplicaSetCondition describes the state of a replica set at a certain point.", {
    lastTransitionTime: ref(META + 'Time', "The last time the condition transitioned from one status to another."),
    message: str("A human readable message indicating details about the transition."),
    reason: str("The reason for the condition's last transition."),
    status: str("Status of the condition, one of True, False, Unknown."),
    type: str("Type of replica set condition."),
  }, ['status', 'type']),
  [APPS + 'ReplicaSetList']: obj("ReplicaSetList is a collection of ReplicaSets.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(APPS + 'ReplicaSet'), "List of ReplicaSets."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('apps', 'v1', 'ReplicaSetList')),
  [APPS + 'ReplicaSetSpec']: obj("ReplicaSetSpec is the specification of a ReplicaSet.", {
    minReadySeconds: int32("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)"),
    replicas: int32("Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1."),
    selector: ref(META + 'LabelSelector', "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels."),
    template: ref(CORE + 'PodTemplateSpec', "Template is the object that describes the pod that will be created if insufficient replicas are detected."),
  }, ['selector']),
  [APPS + 'ReplicaSetStatus']: obj("ReplicaSetStatus represents the current status of a ReplicaSet.", {
    availableReplicas: int32("The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set."),
    conditions: arr(item(APPS + 'ReplicaSetCondition'), "Represents the latest available observations of a replica set's current state.", mergeBy('type')),
    fullyLabeledReplicas: int32("The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset."),
    observedGeneration: int64("ObservedGeneration reflects the generation of the most recently observed ReplicaSet."),
    readyReplicas: int32("The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
    replicas: int32("Replicas is the most recently observed number of non-terminating pods."),
    terminatingReplicas: int32("The number of terminating pods for this replica set. Terminating pods have a non-null .metadata.deletionTimestamp and have not yet reached the Failed or Succeeded .status.phase.  This is an alpha field. Enable DeploymentReplicaSetTerminatingReplicas to be able to use this field."),
  }, ['replicas']),
  [APPS + 'RollingUpdateDeployment']: obj("Spec to control the desired behavior of rolling update.", {
    maxSurge: ref(INT_OR_STRING, "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number."),
    maxUnavailable: ref(INT_OR_STRING, "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number."),
  }),
};
