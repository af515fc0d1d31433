// apps/v1 ReplicaSet (pkg/registry/apps/replicaset/strategy.go): SetDefaults_ReplicaSet,
// ValidateReplicaSet with an immutable selector, status and labels written only through
// /status, generation on spec changes, and printReplicaSet's columns. The schema lives in
// schema/apps.ts.

import { def, defaultTemplate, objAt, setOrDelete } from '../../defaults';
import { num, rec } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { containerCells, selectorOf } from '../../printers/workloads';
import { ReplicaSet } from '../../protobuf/workloads';
import { APPS } from '../../schema/dsl';
import { formatLabelSelector } from '../../selectors/labels';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../../strategy';
import type { Printer, PrintedRow } from '../../table';
import type { KubeObject } from '../../types';
import { validateReplicaSetSpec, validateSelectorUpdate } from '../../validation/workloads';

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  schemaRef: APPS + 'ReplicaSet',
});
info.subresources = [statusSubresource(info), scaleSubresource];

/** printReplicaSet. */
function printReplicaSet(obj: KubeObject, now: Date): PrintedRow {
  const spec = rec(obj, 'spec');
  const status = rec(obj, 'status');
  return {
    cells: [
      obj.metadata?.name ?? '',
      num(spec, 'replicas'),
      num(status, 'replicas'),
      num(status, 'readyReplicas'),
      timestampSince(obj.metadata?.creationTimestamp, now),
      ...containerCells(spec),
      formatLabelSelector(selectorOf(spec)),
    ],
  };
}

const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of pods targeted by this ReplicaSet with a Ready Condition.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    column('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
  ],
  print: printReplicaSet,
};

export const replicaSetStrategy: KindStrategy = {
  info,
  defaults(o) {
    const spec = objAt(o, 'spec');
    def(spec, 'replicas', 1);
    defaultTemplate(spec);
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  prepareForUpdate(obj, old, subresource) {
    if (subresource !== 'status') return;
    // The status strategy keeps the labels too.
    setOrDelete(obj.metadata, 'labels', old.metadata?.labels);
  },
  validate: (obj, old) => [...validateReplicaSetSpec(obj.spec), ...(old ? validateSelectorUpdate(obj.spec, old.spec) : [])],
  generation: true,
  printer: replicaSetPrinter,
  protobuf: ReplicaSet,
};
