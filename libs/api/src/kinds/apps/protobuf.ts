// apps/v1 StatefulSet, DaemonSet and ControllerRevision protobuf field numbers
// (staging/src/k8s.io/api/apps/v1/generated.proto), with the core/v1 PersistentVolumeClaim
// that volumeClaimTemplates embed. `true` marks Go pointer fields (an explicit zero is kept).

import { type Descriptor, int, intstr, msg, msgs, quantityMap, special, str, strMap, strs, time } from '../../protobuf/decode';
import { LabelSelector, ObjectMeta } from '../../protobuf/meta';
import { PodTemplateSpec } from '../../protobuf/pod';

const metadata = msg('metadata', () => ObjectMeta);
const condition: Descriptor = { 1: str('type', true), 2: str('status', true), 3: time('lastTransitionTime'), 4: str('reason'), 5: str('message') };

// ---- core/v1 PersistentVolumeClaim ----
const TypedLocalObjectReference: Descriptor = { 1: str('apiGroup', true), 2: str('kind', true), 3: str('name', true) };
const TypedObjectReference: Descriptor = { 1: str('apiGroup', true), 2: str('kind', true), 3: str('name', true), 4: str('namespace', true) };
const PersistentVolumeClaimSpec: Descriptor = {
  1: strs('accessModes'),
  2: msg('resources', () => ({ 1: quantityMap('limits'), 2: quantityMap('requests') })),
  3: str('volumeName'),
  4: msg('selector', () => LabelSelector),
  5: str('storageClassName', true),
  6: str('volumeMode', true),
  7: msg('dataSource', () => TypedLocalObjectReference),
  8: msg('dataSourceRef', () => TypedObjectReference),
  9: str('volumeAttributesClassName', true),
};
const PersistentVolumeClaimStatus: Descriptor = {
  1: str('phase'),
  2: strs('accessModes'),
  3: quantityMap('capacity'),
  4: msgs('conditions', () => ({ 1: str('type', true), 2: str('status', true), 3: time('lastProbeTime'), 4: time('lastTransitionTime'), 5: str('reason'), 6: str('message') })),
  5: quantityMap('allocatedResources'),
  7: strMap('allocatedResourceStatuses'),
  8: str('currentVolumeAttributesClassName', true),
  9: msg('modifyVolumeStatus', () => ({ 1: str('targetVolumeAttributesClassName'), 2: str('status', true) })),
};
export const PersistentVolumeClaim: Descriptor = {
  1: metadata,
  2: msg('spec', () => PersistentVolumeClaimSpec),
  3: msg('status', () => PersistentVolumeClaimStatus),
};

// ---- StatefulSet ----
const StatefulSetSpec: Descriptor = {
  1: int('replicas', true),
  2: msg('selector', () => LabelSelector),
  3: msg('template', () => PodTemplateSpec),
  4: msgs('volumeClaimTemplates', () => PersistentVolumeClaim),
  5: str('serviceName'),
  6: str('podManagementPolicy'),
  7: msg('updateStrategy', () => ({ 1: str('type'), 2: msg('rollingUpdate', () => ({ 1: int('partition', true), 2: intstr('maxUnavailable') })) })),
  8: int('revisionHistoryLimit', true),
  9: int('minReadySeconds'),
  10: msg('persistentVolumeClaimRetentionPolicy', () => ({ 1: str('whenDeleted'), 2: str('whenScaled') })),
  11: msg('ordinals', () => ({ 1: int('start') })),
};
const StatefulSetStatus: Descriptor = {
  1: int('observedGeneration'),
  2: int('replicas', true),
  3: int('readyReplicas'),
  4: int('currentReplicas'),
  5: int('updatedReplicas'),
  6: str('currentRevision'),
  7: str('updateRevision'),
  9: int('collisionCount', true),
  10: msgs('conditions', () => condition),
  11: int('availableReplicas'),
};
export const StatefulSet: Descriptor = { 1: metadata, 2: msg('spec', () => StatefulSetSpec), 3: msg('status', () => StatefulSetStatus) };

// ---- DaemonSet ----
const DaemonSetSpec: Descriptor = {
  1: msg('selector', () => LabelSelector),
  2: msg('template', () => PodTemplateSpec),
  3: msg('updateStrategy', () => ({ 1: str('type'), 2: msg('rollingUpdate', () => ({ 1: intstr('maxUnavailable'), 2: intstr('maxSurge') })) })),
  4: int('minReadySeconds'),
  6: int('revisionHistoryLimit', true),
};
const DaemonSetStatus: Descriptor = {
  1: int('currentNumberScheduled', true),
  2: int('numberMisscheduled', true),
  3: int('desiredNumberScheduled', true),
  4: int('numberReady', true),
  5: int('observedGeneration'),
  6: int('updatedNumberScheduled'),
  7: int('numberAvailable'),
  8: int('numberUnavailable'),
  9: int('collisionCount', true),
  10: msgs('conditions', () => condition),
};
export const DaemonSet: Descriptor = { 1: metadata, 2: msg('spec', () => DaemonSetSpec), 3: msg('status', () => DaemonSetStatus) };

// ---- ControllerRevision (data is a RawExtension: raw JSON bytes in field 1) ----
export const ControllerRevision: Descriptor = { 1: metadata, 2: special('data', 'json'), 3: int('revision', true) };
