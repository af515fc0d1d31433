// core/v1 PersistentVolumeClaim (pkg/registry/core/persistentvolumeclaim): defaults
// (Filesystem, phase Pending), validation of access modes and the storage request, a spec that
// only grows its storage request after creation, printPersistentVolumeClaim.
import { parseQuantity } from '../../defaults';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { rec as recAt, str as strAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { arr, item, listMap, map, mergeBy, obj, ref, str, strArr, atomic, CORE, META, QUANTITY } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { jsonEqual, rec } from '../../validation/field-errors';
import { validateLabelSelector } from '../../validation/metadata';
import { kindSchema, listSchema } from './object-schemas';
import { accessModesText, storageClassOf, validateAccessModes, validateVolumeMode } from './volume-access';

const schemas: Record<string, SchemaNode> = {
  [CORE + 'PersistentVolumeClaim']: kindSchema('PersistentVolumeClaim', "PersistentVolumeClaim is a user's request for and claim to a persistent volume",
    'spec defines the desired characteristics of a volume requested by a pod author. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims',
    'status represents the current information/status of a persistent volume claim. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims'),
  ...listSchema('PersistentVolumeClaim', 'PersistentVolumeClaimList is a list of PersistentVolumeClaim items.', 'items is a list of persistent volume claims. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims'),
  [CORE + 'PersistentVolumeClaimStatus']: obj('PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
    accessModes: strArr('accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1', atomic),
    allocatedResourceStatuses: map({ type: 'string', default: '' }, 'allocatedResourceStatuses stores status of resource being resized for the given PVC.', { 'x-kubernetes-map-type': 'granular' }),
    allocatedResources: map(item(QUANTITY), 'allocatedResources tracks the resources allocated to a PVC including its capacity.'),
    capacity: map(item(QUANTITY), 'capacity represents the actual resources of the underlying volume.'),
    conditions: arr(item(CORE + 'PersistentVolumeClaimCondition'), "conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'.", { ...mergeBy('type'), ...listMap('type') }),
    currentVolumeAttributesClassName: str('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
    modifyVolumeStatus: ref(CORE + 'ModifyVolumeStatus', 'ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.'),
    phase: str('phase represents the current phase of PersistentVolumeClaim.', { enum: ['Bound', 'Lost', 'Pending'] }),
  }),
  [CORE + 'PersistentVolumeClaimCondition']: obj('PersistentVolumeClaimCondition contains details about state of pvc', {
    lastProbeTime: ref(META + 'Time', 'lastProbeTime is the time we probed the condition.'),
    lastTransitionTime: ref(META + 'Time', 'lastTransitionTime is the time the condition transitioned from one status to another.'),
    message: str('message is the human-readable message indicating details about last transition.'),
    reason: str('reason is a unique, this should be a short, machine understandable string that gives the reason for condition\'s last transition.'),
    status: str('Status is the status of the condition. Can be True, False, Unknown.'),
    type: str('Type is the type of the condition.'),
  }, ['type', 'status']),
  [CORE + 'ModifyVolumeStatus']: obj('ModifyVolumeStatus represents the status object of ControllerModifyVolume operation', {
    status: str('status is the status of the ControllerModifyVolume operation.', { enum: ['InProgress', 'Infeasible', 'Pending'] }),
    targetVolumeAttributesClassName: str('targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled'),
  }, ['status']),
};

/** The update rule: once created, only resources.requests (expansion) and volumeAttributesClassName change. */
const MUTABLE_SPEC_FIELDS = ['resources', 'volumeAttributesClassName'];
export const PVC_SPEC_IMMUTABLE_MSG = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

export function validatePersistentVolumeClaim(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = rec(o.spec) ?? {};
  out.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required'));
  const selector = rec(spec.selector);
  if (selector) out.push(...validateLabelSelector(selector, 'spec.selector'));
  const requests = rec(rec(spec.resources)?.requests) ?? {};
  if (!('storage' in requests)) out.push(causes.required('spec.resources[storage]'));
  else {
    const q = parseQuantity(requests.storage);
    if (q === undefined || q <= 0) out.push(causes.invalid('spec.resources[storage]', String(requests.storage), 'must be greater than zero'));
  }
  out.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (old) {
    const oldSpec = rec(old.spec) ?? {};
    const frozen = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !MUTABLE_SPEC_FIELDS.includes(k)));
    if (!jsonEqual(frozen(spec), frozen(oldSpec)) || !jsonEqual(rec(spec.resources)?.limits, rec(oldSpec.resources)?.limits)) {
      out.push(causes.forbidden('spec', PVC_SPEC_IMMUTABLE_MSG));
    }
    const before = parseQuantity(rec(rec(oldSpec.resources)?.requests)?.storage) ?? 0;
    const after = parseQuantity(requests.storage) ?? 0;
    if (after < before && !rec(old.status)?.allocatedResourceStatuses) {
      out.push(causes.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  return out;
}

const statusDoc = (f: string): string => schemas[CORE + 'PersistentVolumeClaimStatus'].properties![f].description!;

export const persistentVolumeClaimStrategy: KindStrategy = {
  info: resourceInfo({
    group: '', version: 'v1', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'],
    subresources: [statusSubresource({ kind: 'PersistentVolumeClaim', group: '', version: 'v1' })], schemaRef: CORE + 'PersistentVolumeClaim',
  }),
  schemas,
  defaults(o) {
    const spec = rec(o.spec) ?? (o.spec = {});
    if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  },
  prepareForCreate(o) {
    o.status = { phase: 'Pending' };
  },
  validate: validatePersistentVolumeClaim,
  returnDeletedObject: true, // kube's registry sets ReturnDeletedObject
  printer: {
    columns: [
      NAME_COLUMN,
      column('Status', 'string', statusDoc('phase')),
      column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      column('Capacity', 'string', statusDoc('capacity')),
      column('Access Modes', 'string', statusDoc('accessModes')),
      column('StorageClass', 'string', 'StorageClass of the pvc'),
      column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
      AGE_COLUMN,
      column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 1),
    ],
    print(o, now) {
      const spec = recAt(o, 'spec');
      const status = recAt(o, 'status');
      const bound = strAt(spec, 'volumeName') !== '';
      return {
        cells: [
          o.metadata?.name ?? '',
          o.metadata?.deletionTimestamp ? 'Terminating' : strAt(status, 'phase'),
          strAt(spec, 'volumeName'),
          bound ? strAt(recAt(status, 'capacity'), 'storage') : '',
          bound ? accessModesText(status.accessModes) : '',
          storageClassOf(o),
          strAt(spec, 'volumeAttributesClassName') || '<unset>',
          timestampSince(o.metadata?.creationTimestamp, now),
          strAt(spec, 'volumeMode') || '<unset>',
        ],
      };
    },
  },
};
