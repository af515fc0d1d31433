// storage.k8s.io/v1 StorageClass (pkg/registry/storage/storageclass): how volumes of a class
// are provisioned. Cluster-scoped; provisioner, parameters, reclaimPolicy and
// volumeBindingMode are fixed at creation. `(default)` marks the annotated default class.

import type { SchemaNode } from '../../schema/types';
import { obj, str, bool, ref, item, arr, strArr, strMap, gvk, META, CORE } from '../../schema/dsl';
import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { IMMUTABLE_MSG, arr as list, jsonEqual, rec, str as text, strMap as stringMap, tooLong } from '../../validation/field-errors';
import { isQualifiedName, isValidLabelValue } from '../../validation/names';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { bool as pbool, type Descriptor, msg, msgs, str as pstr, strMap as pstrMap, strs } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

const STORAGE = 'io.k8s.api.storage.v1.';

const SCHEMAS: Record<string, SchemaNode> = {
  [STORAGE + 'StorageClass']: obj("StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned. StorageClasses are non-namespaced; the name of the storage class according to etcd is in ObjectMeta.Name.", {
    allowedTopologies: arr(item(CORE + 'TopologySelectorTerm'), "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. Each volume plugin defines its own supported topology specifications. An empty TopologySelectorTerm list means there is no topology restriction. This field is only honored by servers that enable the VolumeScheduling feature.", { 'x-kubernetes-list-type': 'atomic' }),
    allowVolumeExpansion: bool("allowVolumeExpansion shows whether the storage class allow volume expand."),
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    mountOptions: strArr("mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. e.g. [\"ro\", \"soft\"]. Not validated - mount of the PVs will simply fail if one is invalid.", { 'x-kubernetes-list-type': 'atomic' }),
    parameters: strMap("parameters holds the parameters for the provisioner that should create volumes of this storage class."),
    provisioner: str("provisioner indicates the type of the provisioner."),
    reclaimPolicy: str("reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
    volumeBindingMode: str("volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
  }, ['provisioner'], gvk('storage.k8s.io', 'v1', 'StorageClass')),
  [STORAGE + 'StorageClassList']: obj("StorageClassList is a collection of storage classes.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(STORAGE + 'StorageClass'), "items is the list of StorageClasses"),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('storage.k8s.io', 'v1', 'StorageClassList')),
  [CORE + 'TopologySelectorTerm']: obj("A topology selector term represents the result of label queries. A null or empty topology selector term matches no objects. The requirements of them are ANDed. It provides a subset of functionality as NodeSelectorTerm. This is an alpha feature and may change in the future.", {
    matchLabelExpressions: arr(item(CORE + 'TopologySelectorLabelRequirement'), "A list of topology selector requirements by labels.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [CORE + 'TopologySelectorLabelRequirement']: obj("A topology selector requirement is a selector that matches given label. This is an alpha feature and may change in the future.", {
    key: str("The label key that the selector applies to."),
    values: strArr("An array of string values. One value must match the label to be selected. Each entry in Values is ORed.", { 'x-kubernetes-list-type': 'atomic' }),
  }, ['key','values']),
};

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

function validateParameters(params: Record<string, string>): StatusCause[] {
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) return [tooLong('parameters', MAX_PARAMETERS)];
  const out: StatusCause[] = [];
  let size = 0;
  for (const k of keys) {
    if (k.length < 1) out.push(causes.invalid('parameters', k, 'field can not be empty.'));
    size += Buffer.byteLength(k) + Buffer.byteLength(params[k]);
  }
  if (size > MAX_PARAMETERS_SIZE) out.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  return out;
}

/** ValidateTopologySelectorTerm for each allowed topology; identical terms are duplicates. */
function validateAllowedTopologies(terms: unknown[]): StatusCause[] {
  const out: StatusCause[] = [];
  const seen: unknown[] = [];
  terms.forEach((t, i) => {
    const path = `allowedTopologies[${i}]`;
    const exprs = list(rec(t)?.matchLabelExpressions);
    const view: Record<string, string[]> = {};
    exprs.forEach((e, j) => {
      const expr = rec(e) ?? {};
      const ep = `${path}.matchLabelExpressions[${j}]`;
      const key = text(expr.key) ?? '';
      for (const m of isQualifiedName(key)) out.push(causes.invalid(`${ep}.key`, key, m));
      const values = list(expr.values).map((v) => text(v) ?? '');
      if (values.length === 0) out.push(causes.required(`${ep}.values`, 'Required value: must specify as least one value'));
      values.forEach((v, k) => {
        for (const m of isValidLabelValue(v)) out.push(causes.invalid(`${ep}.values[${k}]`, v, m));
      });
      if (key in view) out.push(causes.duplicate(`${ep}.key`, key));
      view[key] = [...values].sort();
    });
    if (seen.some((s) => jsonEqual(s, view))) out.push(causes.duplicate(`${path}.matchLabelExpressions`, ''));
    seen.push(view);
  });
  return out;
}

/** ValidateStorageClass / ValidateStorageClassUpdate. */
export function validateStorageClass(sc: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const provisioner = text(sc.provisioner) ?? '';
  if (!provisioner) out.push(causes.required('provisioner'));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) out.push(causes.invalid('provisioner', provisioner.toLowerCase(), m));
  out.push(...validateParameters(stringMap(sc.parameters)));
  const reclaimPolicy = text(sc.reclaimPolicy) ?? '';
  if (reclaimPolicy && !RECLAIM_POLICIES.includes(reclaimPolicy)) out.push(causes.notSupported('reclaimPolicy', reclaimPolicy, RECLAIM_POLICIES));
  const mode = text(sc.volumeBindingMode);
  if (mode === undefined) out.push(causes.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(mode)) out.push(causes.notSupported('volumeBindingMode', mode, BINDING_MODES));
  out.push(...validateAllowedTopologies(list(sc.allowedTopologies)));
  if (old) {
    if (!jsonEqual(sc.parameters ?? {}, old.parameters ?? {})) out.push(causes.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (provisioner !== (text(old.provisioner) ?? '')) out.push(causes.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (reclaimPolicy !== (text(old.reclaimPolicy) ?? '')) out.push(causes.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (mode !== text(old.volumeBindingMode)) out.push(causes.invalid('volumeBindingMode', mode ?? null, IMMUTABLE_MSG));
  }
  return out;
}

/** storageutil.IsDefaultAnnotation: the GA or the beta annotation says "true". */
export function isDefaultStorageClass(sc: KubeObject): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.'),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  print: (sc, now) => ({
    cells: [
      `${sc.metadata?.name ?? ''}${isDefaultStorageClass(sc) ? ' (default)' : ''}`,
      text(sc.provisioner) ?? '',
      text(sc.reclaimPolicy) ?? 'Delete',
      text(sc.volumeBindingMode) ?? 'Immediate',
      sc.allowVolumeExpansion === true,
      timestampSince(sc.metadata?.creationTimestamp, now),
    ],
  }),
};

// ---- protobuf (staging/src/k8s.io/api/storage/v1/generated.proto) ----
const TopologySelectorLabelRequirement: Descriptor = { 1: pstr('key', true), 2: strs('values') };
const TopologySelectorTerm: Descriptor = { 1: msgs('matchLabelExpressions', () => TopologySelectorLabelRequirement) };
export const StorageClassProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: pstr('provisioner', true),
  3: pstrMap('parameters'),
  4: pstr('reclaimPolicy', true),
  5: strs('mountOptions'),
  6: pbool('allowVolumeExpansion', true),
  7: pstr('volumeBindingMode', true),
  8: msgs('allowedTopologies', () => TopologySelectorTerm),
};

export const storageClassStrategy: KindStrategy = {
  info: resourceInfo({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', singular: 'storageclass', kind: 'StorageClass',
    namespaced: false, shortNames: ['sc'], schemaRef: STORAGE + 'StorageClass' }),
  schemas: SCHEMAS,
  // SetDefaults_StorageClass.
  defaults(sc) {
    if (sc.reclaimPolicy === undefined || sc.reclaimPolicy === null) sc.reclaimPolicy = 'Delete';
    if (sc.volumeBindingMode === undefined || sc.volumeBindingMode === null) sc.volumeBindingMode = 'Immediate';
  },
  validate: validateStorageClass,
  printer,
  protobuf: StorageClassProto,
};
