// meta/v1 descriptors (apimachinery/pkg/apis/meta/v1/generated.proto).

import { bool, type Descriptor, int, msg, msgs, special, str, strMap, strs, time } from './decode';

export const OwnerReference: Descriptor = {
  1: str('kind', true),
  3: str('name', true),
  4: str('uid', true),
  5: str('apiVersion', true),
  6: bool('controller', true),
  7: bool('blockOwnerDeletion', true),
};

export const ManagedFieldsEntry: Descriptor = {
  1: str('manager'),
  2: str('operation'),
  3: str('apiVersion'),
  4: time('time'),
  6: str('fieldsType'),
  7: special('fieldsV1', 'json'), // FieldsV1{Raw=1} → parsed JSON object
  8: str('subresource'),
};

export const ObjectMeta: Descriptor = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  4: str('selfLink'),
  5: str('uid'),
  6: str('resourceVersion'),
  7: int('generation'),
  8: time('creationTimestamp'),
  9: time('deletionTimestamp'),
  10: int('deletionGracePeriodSeconds', true),
  11: strMap('labels'),
  12: strMap('annotations'),
  13: msgs('ownerReferences', () => OwnerReference),
  14: strs('finalizers'),
  17: msgs('managedFields', () => ManagedFieldsEntry),
};

export const LabelSelectorRequirement: Descriptor = {
  1: str('key', true),
  2: str('operator', true),
  3: strs('values'),
};

export const LabelSelector: Descriptor = {
  1: strMap('matchLabels'),
  2: msgs('matchExpressions', () => LabelSelectorRequirement),
};

export const Preconditions: Descriptor = {
  1: str('uid', true),
  2: str('resourceVersion', true),
};

export const DeleteOptions: Descriptor = {
  1: int('gracePeriodSeconds', true),
  2: msg('preconditions', () => Preconditions),
  3: bool('orphanDependents', true),
  4: str('propagationPolicy', true),
  5: strs('dryRun'),
  6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', true),
};

/** Condition (metav1.Condition), used by several status types. */
export const Condition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  3: int('observedGeneration'),
  4: time('lastTransitionTime'),
  5: str('reason', true),
  6: str('message', true),
};
