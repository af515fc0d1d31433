// core/v1 Node (pkg/registry/core/node/strategy.go): allocatable defaulted from capacity,
// status through /status, ValidateNode's taint rules, and printNode's columns
// (printers/nodes.ts). The schema lives in schema/core-node.ts.

import { nodePrinter } from '../../printers/nodes';
import { Node } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { arr, rec, str } from '../../validation/field-errors';
import { isQualifiedName, isValidLabelValue } from '../../validation/names';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

const info = resourceInfo({
  group: '',
  version: 'v1',
  resource: 'nodes',
  singular: 'node',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  schemaRef: CORE + 'Node',
});
info.subresources = [statusSubresource(info)];

/** ValidateNode's taints: qualified keys, label-like values, a known effect, unique key and effect pairs. */
function validateNode(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  arr(rec(obj.spec)?.taints).forEach((item, i) => {
    const t = rec(item) ?? {};
    const path = `spec.taints[${i}]`;
    const key = str(t.key) ?? '';
    const value = str(t.value) ?? '';
    const effect = str(t.effect) ?? '';
    for (const m of isQualifiedName(key)) out.push(causes.invalid(`${path}.key`, key, m));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length > 0) out.push(causes.invalid(`${path}.value`, value, valueErrs.join(';')));
    if (!effect) out.push(causes.required(`${path}.effect`));
    else if (!TAINT_EFFECTS.includes(effect)) out.push(causes.notSupported(`${path}.effect`, effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${key}`;
    if (seen.has(id)) out.push({ reason: 'FieldValueDuplicate', message: 'Duplicate value: taints must be unique by key and effect pair', field: path });
    seen.add(id);
  });
  return out;
}

export const nodeStrategy: KindStrategy = {
  info,
  defaults(o) {
    // SetDefaults_NodeStatus: a node reporting capacity but no allocatable can allocate all of it.
    const status = rec(o.status);
    if (status && status.allocatable === undefined && rec(status.capacity)) status.allocatable = { ...rec(status.capacity) };
  },
  validate: validateNode,
  printer: nodePrinter,
  protobuf: Node,
};
