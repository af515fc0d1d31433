// core/v1 PersistentVolume (pkg/registry/core/persistentvolume): defaults (Retain, Filesystem),
// phase Available on create (what the PV controller first reports for an unbound volume; Keelson
// has none yet), validation of capacity, access modes and the one volume source, printPersistentVolume.
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { rec as recAt, str as strAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { atomic, bool, item, map, mapAtomic, obj, ref, str, strArr, CORE, META, QUANTITY } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { IMMUTABLE_MSG, jsonEqual, rec, str as strOf } from '../../validation/field-errors';
import { parseQuantity } from '../../defaults';
import { metaTime } from '../../meta-time';
import { kindSchema, listSchema } from './object-schemas';
import { accessModesText, storageClassOf, validateAccessModes, validateVolumeMode } from './volume-access';

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

/** Volume sources a PersistentVolume may name (exactly one), with their schema components. */
const SOURCES: Record<string, string> = {
  awsElasticBlockStore: 'AWSElasticBlockStoreVolumeSource',
  azureDisk: 'AzureDiskVolumeSource',
  csi: 'CSIPersistentVolumeSource',
  fc: 'FCVolumeSource',
  flocker: 'FlockerVolumeSource',
  gcePersistentDisk: 'GCEPersistentDiskVolumeSource',
  hostPath: 'HostPathVolumeSource',
  local: 'LocalVolumeSource',
  nfs: 'NFSVolumeSource',
  photonPersistentDisk: 'PhotonPersistentDiskVolumeSource',
  portworxVolume: 'PortworxVolumeSource',
  quobyte: 'QuobyteVolumeSource',
  vsphereVolume: 'VsphereVirtualDiskVolumeSource',
};

const specProps: Record<string, SchemaNode> = {
  accessModes: strArr('accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes', atomic),
  capacity: map(item(QUANTITY), "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
  claimRef: ref(CORE + 'ObjectReference', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding', { 'x-kubernetes-map-type': 'granular' }),
  mountOptions: strArr('mountOptions is the list of mount options, e.g. ["ro", "soft"]. Not validated - mount will simply fail if one is invalid. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes/#mount-options', atomic),
  nodeAffinity: ref(CORE + 'VolumeNodeAffinity', 'nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.'),
  persistentVolumeReclaimPolicy: str('persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming', { enum: RECLAIM_POLICIES }),
  storageClassName: str('storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'),
  volumeAttributesClassName: str('Name of VolumeAttributesClass to which this persistent volume belongs.'),
  volumeMode: str('volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', { enum: ['Block', 'Filesystem'] }),
};
for (const [field, component] of Object.entries(SOURCES)) specProps[field] = ref(CORE + component, `${field} is a volume source of this persistent volume.`);

const schemas: Record<string, SchemaNode> = {
  [CORE + 'PersistentVolume']: kindSchema('PersistentVolume', 'PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes',
    'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes',
    'status represents the current information/status for the persistent volume. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes'),
  ...listSchema('PersistentVolume', 'PersistentVolumeList is a list of PersistentVolume items.', 'items is a list of persistent volumes. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes'),
  [CORE + 'PersistentVolumeSpec']: obj('PersistentVolumeSpec is the specification of a persistent volume.', specProps),
  [CORE + 'PersistentVolumeStatus']: obj('PersistentVolumeStatus is the current status of a persistent volume.', {
    lastPhaseTransitionTime: ref(META + 'Time', 'lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions.'),
    message: str('message is a human-readable message indicating details about why the volume is in this state.'),
    phase: str('phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase', { enum: ['Available', 'Bound', 'Failed', 'Pending', 'Released'] }),
    reason: str('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
  }),
  [CORE + 'VolumeNodeAffinity']: obj('VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.', {
    required: ref(CORE + 'NodeSelector', 'required specifies hard node constraints that must be met.'),
  }),
  [CORE + 'LocalVolumeSource']: obj('Local represents directly-attached storage with node affinity', {
    fsType: str('fsType is the filesystem type to mount. It applies only when the Path is a block device. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default value is to auto-select a filesystem if unspecified.'),
    path: str('path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).'),
  }, ['path']),
  [CORE + 'SecretReference']: obj('SecretReference represents a Secret Reference. It has enough information to retrieve secret in any namespace', {
    name: str('name is unique within a namespace to reference a secret resource.'),
    namespace: str('namespace defines the space within which the secret name must be unique.'),
  }, undefined, mapAtomic),
  [CORE + 'CSIPersistentVolumeSource']: obj('Represents storage that is managed by an external CSI volume driver', {
    controllerExpandSecretRef: ref(CORE + 'SecretReference', 'controllerExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerExpandVolume call.'),
    controllerPublishSecretRef: ref(CORE + 'SecretReference', 'controllerPublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerPublishVolume and ControllerUnpublishVolume calls.'),
    driver: str('driver is the name of the driver to use for this volume. Required.'),
    fsType: str('fsType to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs".'),
    nodeExpandSecretRef: ref(CORE + 'SecretReference', 'nodeExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeExpandVolume call.'),
    nodePublishSecretRef: ref(CORE + 'SecretReference', 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.'),
    nodeStageSecretRef: ref(CORE + 'SecretReference', 'nodeStageSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeStageVolume and NodeStageVolume and NodeUnstageVolume calls.'),
    readOnly: bool('readOnly value to pass to ControllerPublishVolumeRequest. Defaults to false (read/write).'),
    volumeAttributes: map({ type: 'string', default: '' }, 'volumeAttributes of the volume to publish.'),
    volumeHandle: str('volumeHandle is the unique volume name returned by the CSI volume plugin’s CreateVolume to refer to the volume on all subsequent calls. Required.'),
  }, ['driver', 'volumeHandle']),
};

/** ValidatePersistentVolumeSpec's core: capacity, access modes, one source, policies. */
export function validatePersistentVolume(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = rec(o.spec) ?? {};
  out.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const capacity = rec(spec.capacity);
  if (!capacity || Object.keys(capacity).length === 0) out.push(causes.required('spec.capacity'));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1) {
    out.push({ reason: 'FieldValueNotSupported', field: 'spec.capacity', message: `Unsupported value: ${JSON.stringify(capacity)}: supported values: "storage"` });
  } else {
    const q = parseQuantity(capacity.storage);
    if (q === undefined || q <= 0) out.push(causes.invalid('spec.capacity[storage]', String(capacity.storage), 'must be greater than zero'));
  }
  const sources = Object.keys(SOURCES).filter((s) => spec[s] !== undefined);
  if (sources.length === 0) out.push(causes.required('spec', 'Required value: must specify a volume type'));
  for (const s of sources.slice(1)) out.push(causes.forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  const hostPath = rec(spec.hostPath);
  if (hostPath && !strOf(hostPath.path)) out.push(causes.required('spec.hostPath.path'));
  const local = rec(spec.local);
  if (local && !rec(spec.nodeAffinity)) out.push(causes.required('spec.nodeAffinity', 'Required value: Local volume requires node affinity'));
  const policy = strOf(spec.persistentVolumeReclaimPolicy);
  if (policy !== undefined && !RECLAIM_POLICIES.includes(policy)) out.push(causes.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  out.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (old) {
    const oldSpec = rec(old.spec) ?? {};
    if (!Object.keys(SOURCES).every((s) => jsonEqual(spec[s], oldSpec[s]))) {
      out.push(causes.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
    }
    if (spec.volumeMode !== oldSpec.volumeMode) out.push(causes.invalid('spec.volumeMode', spec.volumeMode ?? null, IMMUTABLE_MSG));
  }
  return out;
}

const specDoc = (f: string): string => specProps[f].description!;

export const persistentVolumeStrategy: KindStrategy = {
  info: resourceInfo({
    group: '', version: 'v1', resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'],
    subresources: [statusSubresource({ kind: 'PersistentVolume', group: '', version: 'v1' })], schemaRef: CORE + 'PersistentVolume',
  }),
  schemas,
  defaults(o) {
    const spec = rec(o.spec) ?? (o.spec = {});
    if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
    if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  },
  prepareForCreate(o) {
    o.status = { phase: rec(o.spec)?.claimRef ? 'Pending' : 'Available', lastPhaseTransitionTime: metaTime() };
  },
  validate: validatePersistentVolume,
  returnDeletedObject: true, // kube's registry sets ReturnDeletedObject
  printer: {
    columns: [
      NAME_COLUMN,
      column('Capacity', 'string', specDoc('capacity')),
      column('Access Modes', 'string', specDoc('accessModes')),
      column('Reclaim Policy', 'string', specDoc('persistentVolumeReclaimPolicy')),
      column('Status', 'string', schemas[CORE + 'PersistentVolumeStatus'].properties!.phase.description!),
      column('Claim', 'string', specDoc('claimRef')),
      column('StorageClass', 'string', 'StorageClass of the pv'),
      column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
      column('Reason', 'string', schemas[CORE + 'PersistentVolumeStatus'].properties!.reason.description!),
      AGE_COLUMN,
      column('VolumeMode', 'string', specDoc('volumeMode'), 1),
    ],
    print(o, now) {
      const spec = recAt(o, 'spec');
      const status = recAt(o, 'status');
      const claim = rec(spec.claimRef);
      return {
        cells: [
          o.metadata?.name ?? '',
          strAt(recAt(spec, 'capacity'), 'storage'),
          accessModesText(spec.accessModes),
          strAt(spec, 'persistentVolumeReclaimPolicy'),
          o.metadata?.deletionTimestamp ? 'Terminating' : strAt(status, 'phase'),
          claim ? `${strAt(claim, 'namespace')}/${strAt(claim, 'name')}` : '',
          storageClassOf(o),
          strAt(spec, 'volumeAttributesClassName') || '<unset>',
          strAt(status, 'reason'),
          timestampSince(o.metadata?.creationTimestamp, now),
          strAt(spec, 'volumeMode') || '<unset>',
        ],
      };
    },
  },
};
