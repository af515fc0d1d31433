// core/v1 ConfigMap (pkg/registry/core/configmap/strategy.go): ValidateConfigMap's key syntax,
// total size and `immutable`, and printConfigMap's DATA column. The schema lives in schema/core.ts.

import { size } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { ConfigMap } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { Printer } from '../../table';
import type { KubeObject } from '../../types';
import { jsonEqual, rec, tooLong } from '../../validation/field-errors';
import { isConfigMapKey } from '../../validation/names';

/** corev1.MaxConfigMapSize: `data` and the decoded `binaryData` together. */
const MAX_CONFIGMAP_SIZE = 1024 * 1024;
const IMMUTABLE_WHEN_SET_MSG = 'field is immutable when `immutable` is set';

/** ValidateConfigMap and, with `old`, ValidateConfigMapUpdate. */
function validateConfigMap(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const data = rec(obj.data) ?? {};
  const binary = rec(obj.binaryData) ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) out.push(causes.invalid(`data[${key}]`, key, m));
    if (Object.hasOwn(binary, key)) out.push(causes.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += typeof value === 'string' ? Buffer.byteLength(value) : 0;
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of isConfigMapKey(key)) out.push(causes.invalid(`binaryData[${key}]`, key, m));
    total += typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
  }
  if (total > MAX_CONFIGMAP_SIZE) out.push(tooLong('', MAX_CONFIGMAP_SIZE));
  if (old && old.immutable === true) {
    if (obj.immutable !== true) out.push(causes.forbidden('immutable', IMMUTABLE_WHEN_SET_MSG));
    if (!jsonEqual(obj.data, old.data)) out.push(causes.forbidden('data', IMMUTABLE_WHEN_SET_MSG));
    if (!jsonEqual(obj.binaryData, old.binaryData)) out.push(causes.forbidden('binaryData', IMMUTABLE_WHEN_SET_MSG));
  }
  return out;
}

const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  print: (obj, now) => ({ cells: [obj.metadata?.name ?? '', size(obj, 'data') + size(obj, 'binaryData'), timestampSince(obj.metadata?.creationTimestamp, now)] }),
};

export const configMapStrategy: KindStrategy = {
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    schemaRef: CORE + 'ConfigMap',
  }),
  validate: validateConfigMap,
  printer: configMapPrinter,
  protobuf: ConfigMap,
};
