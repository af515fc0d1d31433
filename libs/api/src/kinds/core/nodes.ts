// core/v1 Node (pkg/registry/core/node/strategy.go): allocatable defaulted from capacity,
// status through /status, ValidateNode's taint rules, and printNode's columns. The schema
// lives in schema/core-node.ts.

import { bool, rec as recAt, recs, str as strAt } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { Node } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { Printer, PrintedRow } from '../../table';
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

// --- printNode: STATUS from the Ready condition, ROLES from role labels ---------------------

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` keys and a non-empty `kubernetes.io/role` value, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

function printNode(obj: KubeObject, now: Date): PrintedRow {
  const spec = recAt(obj, 'spec');
  const status = recAt(obj, 'status');
  const nodeInfo = recAt(status, 'nodeInfo');
  // The last Ready condition wins, as in the map printNode builds.
  const ready = recs(status, 'conditions').filter((c) => strAt(c, 'type') === 'Ready').pop();
  const states = [ready ? (strAt(ready, 'status') === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (bool(spec, 'unschedulable')) states.push('SchedulingDisabled');
  const address = (type: string) => strAt(recs(status, 'addresses').find((a) => strAt(a, 'type') === type), 'address') || '<none>';
  return {
    cells: [
      obj.metadata?.name ?? '',
      states.join(','),
      nodeRoles(obj.metadata?.labels).join(',') || '<none>',
      timestampSince(obj.metadata?.creationTimestamp, now),
      strAt(nodeInfo, 'kubeletVersion'),
      address('InternalIP'),
      address('ExternalIP'),
      strAt(nodeInfo, 'osImage') || '<unknown>',
      strAt(nodeInfo, 'kernelVersion') || '<unknown>',
      strAt(nodeInfo, 'containerRuntimeVersion') || '<unknown>',
    ],
  };
}

const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    column('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  print: printNode,
};

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
