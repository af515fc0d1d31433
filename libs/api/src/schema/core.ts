// core/v1 kinds other than Pod and Node: Namespace, Binding, Event, ServiceAccount, ConfigMap.
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, bool, int32, int64, ref, item, arr, strArr, map, strMap, mergeBy, atomic, mapAtomic, gvk, META, CORE } from './dsl';

export const CORE_SCHEMAS: Record<string, SchemaNode> = {
  [CORE + 'Binding']: obj("Binding ties one object to another; for example, a pod is bound to a node by a scheduler.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    target: ref(CORE + 'ObjectReference', "The target object that you want to bind to the standard object."),
  }, ['target'], gvk('', 'v1', 'Binding')),
  [CORE + 'ConfigMap']: obj("ConfigMap holds configuration data for pods to consume.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    binaryData: map({ type: 'string', format: 'byte' }, "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process."),
    data: strMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    immutable: bool("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
  }, undefined, gvk('', 'v1', 'ConfigMap')),
  [CORE + 'ConfigMapList']: obj("ConfigMapList is a resource containing a list of ConfigMap objects.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(CORE + 'ConfigMap'), "Items is the list of ConfigMaps."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "More info: https://git.k8s.io/community/contributors/devel/api-conventions.md#metadata"),
  }, ['items'], gvk('', 'v1', 'ConfigMapList')),
  [CORE + 'Event']: obj("Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.", {
    action: str("What action was taken/failed regarding to the Regarding object."),
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    count: int32("The number of times this event has occurred."),
    eventTime: ref(META + 'MicroTime', "MicroTime is version of Time with microsecond level precision."),
    firstTimestamp: ref(META + 'Time', "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
    involvedObject: ref(CORE + 'ObjectReference', "The object that this event is about."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    lastTimestamp: ref(META + 'Time', "The time at which the most recent occurrence of this event was recorded."),
    message: str("A human-readable description of the status of this operation."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    related: ref(CORE + 'ObjectReference', "Optional secondary object for more complex actions."),
    reportingComponent: str("Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`."),
    reportingInstance: str("ID of the controller instance, e.g. `kubelet-xyzf`."),
    series: ref(CORE + 'EventSeries', "Data about the Event series this event represents or nil if it's a singleton Event."),
    source: ref(CORE + 'EventSource', "The component reporting this event. Should be a short machine understandable string."),
    type: str("Type of this event (Normal, Warning), new types could be added in the future"),
  }, ['involvedObject', 'metadata'], gvk('', 'v1', 'Event')),
  [CORE + 'EventList']: obj("EventList is a list of events.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(CORE + 'Event'), "List of events"),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('', 'v1', 'EventList')),
  [CORE + 'EventSeries']: obj("EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.", {
    count: int32("Number of occurrences in this series up to the last heartbeat time"),
    lastObservedTime: ref(META + 'MicroTime', "MicroTime is version of Time with microsecond level precision."),
  }),
  [CORE + 'EventSource']: obj("EventSource contains information for an event.", {
    component: str("Component from which the event is generated."),
    host: str("Node name on which the event is generated."),
  }),
  [CORE + 'Namespace']: obj("Namespace provides a scope for Names. Use of multiple namespaces is optional.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(CORE + 'NamespaceSpec', "Spec defines the behavior of the Namespace."),
    status: ref(CORE + 'NamespaceStatus', "Status describes the current status of a Namespace."),
  }, undefined, gvk('', 'v1', 'Namespace')),
  [CORE + 'NamespaceCondition']: obj("NamespaceCondition contains details about state of namespace.", {
    lastTransitionTime: ref(META + 'Time', "Last time the condition transitioned from one status to another."),
    message: str("Human-readable message indicating details about last transition."),
    reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    status: str("Status of the condition, one of True, False, Unknown."),
    type: str("Type of namespace controller condition."),
  }, ['status', 'type']),
  [CORE + 'NamespaceList']: obj("NamespaceList is a list of Namespaces.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(CORE + 'Namespace'), "Items is the list of Namespace objects in the list."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('', 'v1', 'NamespaceList')),
  [CORE + 'NamespaceSpec']: obj("NamespaceSpec describes the attributes on a Namespace.", {
    finalizers: strArr("Finalizers is an opaque list of values that must be empty to permanently remove object from storage.", atomic),
  }),
  [CORE + 'NamespaceStatus']: obj("NamespaceStatus is information about the current status of a Namespace.", {
    conditions: arr(item(CORE + 'NamespaceCondition'), "Represents the latest available observations of a namespace's current state.", mergeBy('type')),
    phase: str("Phase is the current lifecycle phase of the namespace."),
  }),
  [CORE + 'ObjectReference']: obj("ObjectReference contains enough information to let you inspect or modify the referred object.", {
    apiVersion: str("API version of the referent."),
    fieldPath: str("If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
    namespace: str("Namespace of the referent."),
    resourceVersion: str("Specific resourceVersion to which this reference is made, if any."),
    uid: str("UID of the referent."),
  }, undefined, mapAtomic),
  [CORE + 'ServiceAccount']: obj("ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    automountServiceAccountToken: bool("AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level."),
    imagePullSecrets: arr(item(CORE + 'LocalObjectReference'), "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet.", atomic),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    secrets: arr(item(CORE + 'ObjectReference'), "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\".", mergeBy('name')),
  }, undefined, gvk('', 'v1', 'ServiceAccount')),
  [CORE + 'ServiceAccountList']: obj("ServiceAccountList is a list of ServiceAccount objects", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(CORE + 'ServiceAccount'), "List of ServiceAccounts."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('', 'v1', 'ServiceAccountList')),
  [CORE + 'ServiceAccountTokenProjection']: obj("ServiceAccountTokenProjection represents a projected service account token volume. This projection can be used to insert a service account token into the pods runtime filesystem for use against APIs (Kubernetes API Server or otherwise).", {
    audience: str("audience is the intended audience of the token. A recipient of a token must identify itself with an identifier specified in the audience of the token, and otherwise should reject the token. The audience defaults to the identifier of the apiserver."),
    expirationSeconds: int64("expirationSeconds is the requested duration of validity of the service account token. As the token approaches expiration, the kubelet volume plugin will proactively rotate the service account token."),
    path: str("path is the path relative to the mount point of the file to project the token into."),
  }, ['path']),
};
