// core/v1 Pod (pkg/registry/core/pod/strategy.go): SetDefaults_Pod (the pod spec defaulting
// every pod template shares, plus what only pods get), a Pending status with its QoS class on
// create, a /status strategy that keeps the spec, the owners and the QoS class, ValidatePod
// and ValidatePodUpdate (validation/pod.ts, shared with templates), and printPod's columns
// (printers/pods.ts). The schema lives in schema/core-pod.ts.

import { defaultPodSpec, objAt, podQOSClass, setOrDelete } from '../../defaults';
import { podPrinter } from '../../printers/pods';
import { Pod } from '../../protobuf/pod';
import { CORE } from '../../schema/dsl';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { rec } from '../../validation/field-errors';
import { validatePodSpec, validatePodSpecUpdate } from '../../validation/pod';

const info = resourceInfo({
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  schemaRef: CORE + 'Pod',
});
info.subresources = [
  statusSubresource(info),
  { name: 'binding', kind: 'Binding', group: '', version: 'v1', verbs: ['create'] },
  { name: 'log', kind: 'Pod', group: '', version: 'v1', verbs: ['get'] },
  { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
];

/** podStrategy.PrepareForCreate: a new pod is Pending, with its QoS class; gated pods say why they wait. */
function prepareForCreate(obj: KubeObject): void {
  const status: Record<string, unknown> = { phase: 'Pending', qosClass: podQOSClass(obj.spec) };
  const gates = rec(obj.spec)?.schedulingGates;
  if (Array.isArray(gates) && gates.some((g) => rec(g) !== undefined)) {
    status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }];
  }
  obj.status = status;
}

export const podStrategy: KindStrategy = {
  info,
  defaults: (obj) => defaultPodSpec(objAt(obj, 'spec'), true),
  prepareForCreate,
  prepareForUpdate(obj, old, subresource) {
    if (subresource !== 'status') return;
    // podStatusStrategy: owners are not the kubelet's to change, and the QoS class is fixed at creation.
    setOrDelete(obj.metadata, 'ownerReferences', old.metadata?.ownerReferences);
    const status = rec(obj.status);
    const oldQos = rec(old.status)?.qosClass;
    if (status && !status.qosClass && oldQos) status.qosClass = oldQos;
  },
  validate: (obj, old) => [...validatePodSpec(obj.spec, 'spec'), ...(old ? validatePodSpecUpdate(obj.spec, old.spec) : [])],
  printer: podPrinter,
  protobuf: Pod,
};
