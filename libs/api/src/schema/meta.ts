// Object metadata, lists, Status, DeleteOptions and WatchEvent (meta.k8s.io/v1).
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, bool, int32, int64, ref, item, arr, strArr, map, strMap, mergeBy, atomic, mapAtomic, gvk, sharedKindGVKs, META, QUANTITY, INT_OR_STRING } from './dsl';

export const META_SCHEMAS: Record<string, SchemaNode> = {
  [META + 'DeleteOptions']: obj("DeleteOptions may be provided when deleting an API object.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    dryRun: strArr("When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
    gracePeriodSeconds: int64("The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately."),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool("if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    orphanDependents: bool("Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both."),
    preconditions: ref(META + 'Preconditions', "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned."),
    propagationPolicy: str("Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy."),
  }, undefined, sharedKindGVKs('DeleteOptions')),
  [META + 'LabelSelector']: obj("A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.", {
    matchExpressions: arr(item(META + 'LabelSelectorRequirement'), "matchExpressions is a list of label selector requirements. The requirements are ANDed.", atomic),
    matchLabels: strMap("matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is \"key\", the operator is \"In\", and the values array contains only \"value\". The requirements are ANDed."),
  }, undefined, mapAtomic),
  [META + 'LabelSelectorRequirement']: obj("A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.", {
    key: str("key is the label key that the selector applies to."),
    operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
    values: strArr("values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.", atomic),
  }, ['key', 'operator']),
  [META + 'ListMeta']: obj("ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.", {
    _continue: str("continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects."),
    remainingItemCount: int64("remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization."),
    resourceVersion: str("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only."),
    selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
  }),
  [META + 'ManagedFieldsEntry']: obj("ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.", {
    apiVersion: str("APIVersion defines the version of this resource that this field set applies to. The format is \"group/version\" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted."),
    fieldsType: str("FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\""),
    fieldsV1: ref(META + 'FieldsV1', "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."),
    manager: str("Manager is an identifier of the workflow managing these fields."),
    operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
    subresource: str("Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name."),
    time: ref(META + 'Time', "Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over."),
  }),
  [META + 'ObjectMeta']: obj("ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.", {
    annotations: strMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects."),
    creationTimestamp: ref(META + 'Time', "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.  Populated by the system. Read-only. Null for lists."),
    deletionGracePeriodSeconds: int64("Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only."),
    deletionTimestamp: ref(META + 'Time', "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client."),
    finalizers: strArr("Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.", { 'x-kubernetes-patch-strategy': 'merge' }),
    generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix."),
    generation: int64("A sequence number representing a specific generation of the desired state. Populated by the system. Read-only."),
    labels: strMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services."),
    managedFields: arr(item(META + 'ManagedFieldsEntry'), "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like \"ci-cd\"."),
    name: str("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated."),
    namespace: str("Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.  Must be a DNS_LABEL."),
    ownerReferences: arr(item(META + 'OwnerReference'), "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.", mergeBy('uid')),
    resourceVersion: str("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources."),
    selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
    uid: str("UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.  Populated by the system. Read-only."),
  }),
  [META + 'OwnerReference']: obj("OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.", {
    apiVersion: str("API version of the referent."),
    blockOwnerDeletion: bool("If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."),
    controller: bool("If true, this reference points to the managing controller."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
    uid: str("UID of the referent."),
  }, ['apiVersion', 'kind', 'name', 'uid'], mapAtomic),
  [META + 'Preconditions']: obj("Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.", {
    resourceVersion: str("Specifies the target ResourceVersion"),
    uid: str("Specifies the target UID."),
  }),
  [META + 'Status']: obj("Status is a return value for calls that don't return other objects.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    code: int32("Suggested HTTP return code for this status, 0 if not set."),
    details: ref(META + 'StatusDetails', "Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    message: str("A human-readable description of the status of this operation."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
    reason: str("A machine-readable description of why this operation is in the \"Failure\" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it."),
    status: str("Status of the operation. One of: \"Success\" or \"Failure\"."),
  }, undefined, gvk('', 'v1', 'Status')),
  [META + 'StatusCause']: obj("StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.", {
    field: str("The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional."),
    message: str("A human-readable description of the cause of the error.  This field may be presented as-is to a reader."),
    reason: str("A machine-readable description of the cause of the error. If this value is empty there is no information available."),
  }),
  [META + 'StatusDetails']: obj("StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set.", {
    causes: arr(item(META + 'StatusCause'), "The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes."),
    group: str("The group attribute of the resource associated with the status StatusReason."),
    kind: str("The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind."),
    name: str("The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)."),
    retryAfterSeconds: int32("If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action."),
    uid: str("UID of the resource. (when there is a single resource which can be described)."),
  }),
  [META + 'WatchEvent']: obj("Event represents a single event to a watched resource.", {
    object: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', "Object is:  * If Type is Added or Modified: the new state of the object.  * If Type is Deleted: the state of the object immediately before deletion.  * If Type is Error: *Status is recommended; other types may make sense    depending on context."),
    type: str(""),
  }, ['object', 'type'], sharedKindGVKs('WatchEvent')),
  // Scalar and opaque types, written by hand: they have no fields of their own.
  [META + 'Time']: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON (RFC 3339).', type: 'string', format: 'date-time' },
  [META + 'MicroTime']: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  [META + 'FieldsV1']: {
    description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format. Each key is either a '.' representing the field itself, or a sub-field or item ('f:<name>', 'v:<value>', 'i:<index>', 'k:<keys>').",
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [META + 'Patch']: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
  ['io.k8s.apimachinery.pkg.runtime.RawExtension']: {
    description: 'RawExtension is used to hold extensions in external versions: an embedded object of any kind.',
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  // A Quantity is a string ("500m", "1Gi") or a plain JSON number (`cpu: 1`).
  [QUANTITY]: {
    description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. Examples: "100m", "1.5", "1Gi", "500Mi".',
    oneOf: [{ type: 'string' }, { type: 'number' }],
    'x-kubernetes-int-or-string': true,
  },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
};
