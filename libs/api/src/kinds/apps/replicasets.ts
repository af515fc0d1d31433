// apps/v1 ReplicaSet (pkg/registry/apps/replicaset/strategy.go): SetDefaults_ReplicaSet,
// ValidateReplicaSet with an immutable selector, status and labels written only through
// /status, generation on spec changes, and printReplicaSet's columns (printers/workloads.ts).
// The schema lives in schema/apps.ts.

import { def, defaultTemplate, objAt, setOrDelete } from '../../defaults';
import { replicaSetPrinter } from '../../printers/workloads';
import { ReplicaSet } from '../../protobuf/workloads';
import { APPS } from '../../schema/dsl';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../../strategy';
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
