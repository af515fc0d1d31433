// apps/v1 StatefulSet, DaemonSet and ControllerRevision OpenAPI components (descriptions
// shortened), with the core/v1 PersistentVolumeClaim a StatefulSet's volumeClaimTemplates
// embed. List types and patch keys are upstream's: apply and strategic merge depend on them.

import type { SchemaNode } from '../../schema/types';
import { APPS, arr, atomic, gvk, int32, int64, INT_OR_STRING, item, listMap, map, mergeBy, obj, QUANTITY, ref, str, strArr, CORE, META, API_VERSION_PROPERTY, KIND_PROPERTY } from '../../schema/dsl';

const INT_OR_STRING_DESCRIPTION = 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.';

/** A `type`-keyed condition list, as the apps statuses declare theirs. */
const conditions = (kind: string, description: string): SchemaNode => arr(item(APPS + kind), description, { ...mergeBy('type'), ...listMap('type') });

const condition = (description: string, what: string): SchemaNode => obj(description, {
  lastTransitionTime: ref(META + 'Time', 'Last time the condition transitioned from one status to another.'),
  message: str('A human readable message indicating details about the transition.'),
  reason: str("The reason for the condition's last transition."),
  status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
  type: str(`Type of ${what} condition.`, { default: '' }),
}, ['type', 'status']);

const list = (kind: string, description: string, itemsDescription: string): SchemaNode => obj(description, {
  apiVersion: API_VERSION_PROPERTY,
  items: arr(item(APPS + kind), itemsDescription),
  kind: KIND_PROPERTY,
  metadata: ref(META + 'ListMeta', 'Standard list metadata.'),
}, ['items'], gvk('apps', 'v1', `${kind}List`));

export const APPS_WORKLOAD_SCHEMAS: Record<string, SchemaNode> = {
  [APPS + 'ControllerRevision']: obj('ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated.', {
    apiVersion: API_VERSION_PROPERTY,
    data: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'Data is the serialized representation of the state.'),
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    revision: int64('Revision indicates the revision of the state represented by Data.', { default: 0 }),
  }, ['revision'], gvk('apps', 'v1', 'ControllerRevision')),
  [APPS + 'ControllerRevisionList']: list('ControllerRevision', 'ControllerRevisionList is a resource containing a list of ControllerRevision objects.', 'Items is the list of ControllerRevisions'),
  [APPS + 'DaemonSet']: obj('DaemonSet represents the configuration of a daemon set.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(APPS + 'DaemonSetSpec', 'The desired behavior of this daemon set.'),
    status: ref(APPS + 'DaemonSetStatus', 'The current status of this daemon set. This data may be out of date by some window of time. Populated by the system. Read-only.'),
  }, undefined, gvk('apps', 'v1', 'DaemonSet')),
  [APPS + 'DaemonSetCondition']: condition('DaemonSetCondition describes the state of a DaemonSet at a certain point.', 'DaemonSet'),
  [APPS + 'DaemonSetList']: list('DaemonSet', 'DaemonSetList is a collection of daemon sets.', 'A list of daemon sets.'),
  [APPS + 'DaemonSetSpec']: obj('DaemonSetSpec is the specification of a daemon set.', {
    minReadySeconds: int32('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready).'),
    revisionHistoryLimit: int32('The number of old history to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.'),
    selector: ref(META + 'LabelSelector', "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels."),
    template: ref(CORE + 'PodTemplateSpec', 'An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template\'s node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is "Always".'),
    updateStrategy: ref(APPS + 'DaemonSetUpdateStrategy', 'An update strategy to replace existing DaemonSet pods with new pods.'),
  }, ['selector', 'template']),
  [APPS + 'DaemonSetStatus']: obj('DaemonSetStatus represents the current status of a daemon set.', {
    collisionCount: int32('Count of hash collisions for the DaemonSet. The DaemonSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.'),
    conditions: conditions('DaemonSetCondition', "Represents the latest available observations of a DaemonSet's current state."),
    currentNumberScheduled: int32('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { default: 0 }),
    desiredNumberScheduled: int32('The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', { default: 0 }),
    numberAvailable: int32('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    numberMisscheduled: int32('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.', { default: 0 }),
    numberReady: int32('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { default: 0 }),
    numberUnavailable: int32('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    observedGeneration: int64('The most recent generation observed by the daemon set controller.'),
    updatedNumberScheduled: int32('The total number of nodes that are running updated daemon pod'),
  }, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady']),
  [APPS + 'DaemonSetUpdateStrategy']: obj('DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.', {
    rollingUpdate: ref(APPS + 'RollingUpdateDaemonSet', 'Rolling update config params. Present only if type = "RollingUpdate".'),
    type: str('Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'),
  }),
  [APPS + 'RollingUpdateDaemonSet']: obj('Spec to control the desired behavior of daemon set rolling update.', {
    maxSurge: ref(INT_OR_STRING, INT_OR_STRING_DESCRIPTION),
    maxUnavailable: ref(INT_OR_STRING, INT_OR_STRING_DESCRIPTION),
  }),
  [APPS + 'RollingUpdateStatefulSetStrategy']: obj('RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.', {
    maxUnavailable: ref(INT_OR_STRING, INT_OR_STRING_DESCRIPTION),
    partition: int32('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. During a rolling update, all pods from ordinal Replicas-1 to Partition are updated. All pods from ordinal Partition-1 to 0 remain untouched. The default value is 0.'),
  }),
  [APPS + 'StatefulSet']: obj('StatefulSet represents a set of pods with consistent identities. Identities are defined as:\n  - Network: A single stable DNS and hostname.\n  - Storage: As many VolumeClaims as requested.\n\nThe StatefulSet guarantees that a given network identity will always map to the same storage identity.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(APPS + 'StatefulSetSpec', 'Spec defines the desired identities of pods in this set.'),
    status: ref(APPS + 'StatefulSetStatus', 'Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.'),
  }, undefined, gvk('apps', 'v1', 'StatefulSet')),
  [APPS + 'StatefulSetCondition']: condition('StatefulSetCondition describes the state of a statefulset at a certain point.', 'statefulset'),
  [APPS + 'StatefulSetList']: list('StatefulSet', 'StatefulSetList is a collection of StatefulSets.', 'Items is the list of stateful sets.'),
  [APPS + 'StatefulSetOrdinals']: obj('StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.', {
    start: int32("start is the number representing the first replica's index. It may be used to number replicas from an alternate index (eg: 1-indexed) over the default 0-indexed names. If unset, defaults to 0."),
  }),
  [APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy']: obj('StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.', {
    whenDeleted: str('WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted. The default policy of `Retain` causes PVCs to not be affected by StatefulSet deletion. The `Delete` policy causes those PVCs to be deleted.'),
    whenScaled: str('WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down. The default policy of `Retain` causes PVCs to not be affected by a scaledown. The `Delete` policy causes the associated PVCs for any excess pods above the replica count to be deleted.'),
  }),
  [APPS + 'StatefulSetSpec']: obj('A StatefulSetSpec is the specification of a StatefulSet.', {
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
    ordinals: ref(APPS + 'StatefulSetOrdinals', 'ordinals controls the numbering of replica indices in a StatefulSet. The default ordinals behavior assigns a "0" index to the first replica and increments the index by one for each additional replica requested.'),
    persistentVolumeClaimRetentionPolicy: ref(APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy', 'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates. By default, all persistent volume claims are created as needed and retained until manually deleted.'),
    podManagementPolicy: str('podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. The default policy is `OrderedReady`, where pods are created in increasing order (pod-0, then pod-1, etc) and the controller will wait until each pod is ready before continuing. The alternative policy is `Parallel`.'),
    replicas: int32('replicas is the desired number of replicas of the given Template. These are replicas in the sense that they are instantiations of the same Template, but individual replicas also have a consistent identity. If unspecified, defaults to 1.'),
    revisionHistoryLimit: int32("revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. The default value is 10."),
    selector: ref(META + 'LabelSelector', "selector is a label query over pods that should match the replica count. It must match the pod template's labels."),
    serviceName: str('serviceName is the name of the service that governs this StatefulSet. This service must exist before the StatefulSet, and is responsible for the network identity of the set. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local where "pod-specific-string" is managed by the StatefulSet controller.'),
    template: ref(CORE + 'PodTemplateSpec', 'template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet. Each pod will be named with the format <statefulsetname>-<podindex>. The only allowed template.spec.restartPolicy value is "Always".'),
    updateStrategy: ref(APPS + 'StatefulSetUpdateStrategy', 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.'),
    volumeClaimTemplates: arr(item(CORE + 'PersistentVolumeClaim'), 'volumeClaimTemplates is a list of claims that pods are allowed to reference. The StatefulSet controller is responsible for mapping network identities to claims in a way that maintains the identity of a pod. Every claim in this list must have at least one matching (by name) volumeMount in one container in the template.', atomic),
  }, ['selector', 'template']),
  [APPS + 'StatefulSetStatus']: obj('StatefulSetStatus represents the current state of a StatefulSet.', {
    availableReplicas: int32('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
    collisionCount: int32('collisionCount is the count of hash collisions for the StatefulSet. The StatefulSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.'),
    conditions: conditions('StatefulSetCondition', "Represents the latest available observations of a statefulset's current state."),
    currentReplicas: int32('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
    currentRevision: str('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
    observedGeneration: int64("observedGeneration is the most recent generation observed for this StatefulSet. It corresponds to the StatefulSet's generation, which is updated on mutation by the API Server."),
    readyReplicas: int32('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
    replicas: int32('replicas is the number of Pods created by the StatefulSet controller.', { default: 0 }),
    updateRevision: str('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'),
    updatedReplicas: int32('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
  }, ['replicas']),
  [APPS + 'StatefulSetUpdateStrategy']: obj('StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates. It includes any additional parameters necessary to perform the update for the indicated strategy.', {
    rollingUpdate: ref(APPS + 'RollingUpdateStatefulSetStrategy', 'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.'),
    type: str('Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.'),
  }),

  // core/v1 PersistentVolumeClaim, as StatefulSet volumeClaimTemplates embed it.
  [CORE + 'PersistentVolumeClaim']: obj("PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(CORE + 'PersistentVolumeClaimSpec', 'spec defines the desired characteristics of a volume requested by a pod author.'),
    status: ref(CORE + 'PersistentVolumeClaimStatus', 'status represents the current information/status of a persistent volume claim. Read-only.'),
  }, undefined, gvk('', 'v1', 'PersistentVolumeClaim')),
  [CORE + 'PersistentVolumeClaimCondition']: obj('PersistentVolumeClaimCondition contains details about state of pvc', {
    lastProbeTime: ref(META + 'Time', 'lastProbeTime is the time we probed the condition.'),
    lastTransitionTime: ref(META + 'Time', 'lastTransitionTime is the time the condition transitioned from one status to another.'),
    message: str('message is the human-readable message indicating details about last transition.'),
    reason: str("reason is a unique, this should be a short, machine understandable string that gives the reason for condition's last transition."),
    status: str('Status is the status of the condition.', { default: '' }),
    type: str('Type is the type of the condition.', { default: '' }),
  }, ['type', 'status']),
  [CORE + 'PersistentVolumeClaimStatus']: obj('PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
    accessModes: strArr('accessModes contains the actual access modes the volume backing the PVC has.', atomic),
    allocatedResourceStatuses: map({ type: 'string' }, 'allocatedResourceStatuses stores status of resource being resized for the given PVC.', { 'x-kubernetes-map-type': 'granular' }),
    allocatedResources: map(item(QUANTITY), 'allocatedResources tracks the resources allocated to a PVC including its capacity.'),
    capacity: map(item(QUANTITY), 'capacity represents the actual resources of the underlying volume.'),
    conditions: arr(item(CORE + 'PersistentVolumeClaimCondition'), "conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'.", { ...mergeBy('type'), ...listMap('type') }),
    currentVolumeAttributesClassName: str('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
    modifyVolumeStatus: ref(CORE + 'ModifyVolumeStatus', 'ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.'),
    phase: str('phase represents the current phase of PersistentVolumeClaim.'),
  }),
  [CORE + 'ModifyVolumeStatus']: obj('ModifyVolumeStatus represents the status object of ControllerModifyVolume operation', {
    status: str('status is the status of the ControllerModifyVolume operation.', { default: '' }),
    targetVolumeAttributesClassName: str('targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled'),
  }, ['status']),
};
