// core/v1 Pod (pkg/registry/core/pod/strategy.go): SetDefaults_Pod (the pod spec defaulting
// every pod template shares, plus what only pods get), a Pending status with its QoS class on
// create, a /status strategy that keeps the spec, the owners and the QoS class, ValidatePod
// and ValidatePodUpdate (validation/pod.ts, shared with templates), and printPod's columns.
// The schema lives in schema/core-pod.ts.

import { defaultPodSpec, objAt, podQOSClass, setOrDelete } from '../../defaults';
import { bool, num, rec as recAt, recs, str, type JsonRecord } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { metaTime } from '../../meta-time';
import { timestampSince } from '../../printers/duration';
import { Pod } from '../../protobuf/pod';
import { CORE } from '../../schema/dsl';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { Printer, PrintedRow, TableRowCondition } from '../../table';
import { isRecord, type KubeObject, type ObjectMeta } from '../../types';
import { rec } from '../../validation/field-errors';
import { validateEphemeralContainersUpdate, validatePodCreate, validatePodSpec, validatePodSpecUpdate } from '../../validation/pod';

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
  // kubectl debug: ephemeral containers are added to a running pod only through this.
  { name: 'ephemeralcontainers', kind: 'Pod', group: '', version: 'v1', verbs: ['get', 'patch', 'update'] },
];

/** podStrategy.PrepareForCreate: a new pod is Pending, with its QoS class; gated pods say why they wait. */
function prepareForCreate(obj: KubeObject): void {
  const status: Record<string, unknown> = { phase: 'Pending', qosClass: podQOSClass(obj.spec) };
  const gates = rec(obj.spec)?.schedulingGates;
  if (Array.isArray(gates) && gates.some((g) => rec(g) !== undefined)) {
    status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: metaTime() }];
  }
  obj.status = status;
}

// --- printPod: READY, STATUS and RESTARTS computed exactly as kube-apiserver's ---------------

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** Reason the node lifecycle controller sets on pods of an unreachable node. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

/** Sidecars: init containers with `restartPolicy: Always` keep running beside the app. */
const isRestartable = (c: JsonRecord | undefined) => str(c, 'restartPolicy') === 'Always';

function conditionTrue(status: JsonRecord, type: string): boolean {
  return recs(status, 'conditions').some((c) => str(c, 'type') === type && str(c, 'status') === 'True');
}

/** The latest `lastState.terminated.finishedAt` seen, as epoch ms (0 when none). */
function laterFinish(current: number, cs: JsonRecord): number {
  const t = Date.parse(str(recAt(cs, 'lastState', 'terminated'), 'finishedAt'));
  return Number.isNaN(t) ? current : Math.max(current, t);
}

function terminatedReason(t: JsonRecord, prefix: string): string {
  if (str(t, 'reason')) return prefix + str(t, 'reason');
  return num(t, 'signal') !== 0 ? `${prefix}Signal:${num(t, 'signal')}` : `${prefix}ExitCode:${num(t, 'exitCode')}`;
}

function printPod(pod: KubeObject, now: Date): PrintedRow {
  const spec = recAt(pod, 'spec');
  const status = recAt(pod, 'status');
  const meta: ObjectMeta = pod.metadata ?? {};
  const phase = str(status, 'phase');
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = recs(spec, 'containers').length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  // The API defaults phase to Pending on create; an object stored without it reads the same.
  let reason = str(status, 'reason') || phase || 'Pending';
  for (const c of recs(status, 'conditions')) {
    if (str(c, 'type') === 'PodScheduled' && str(c, 'reason') === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, JsonRecord>();
  const initContainers = recs(spec, 'initContainers');
  for (const c of initContainers) {
    initSpecs.set(str(c, 'name'), c);
    if (isRestartable(c)) totalContainers++;
  }

  // Init containers run in order: the first one not done explains the status.
  let initializing = false;
  const initStatuses = recs(status, 'initContainerStatuses');
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartable(initSpecs.get(str(cs, 'name')));
    restarts += num(cs, 'restartCount');
    lastRestart = laterFinish(lastRestart, cs);
    if (sidecar) {
      sidecarRestarts += num(cs, 'restartCount');
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const state = recAt(cs, 'state');
    const terminated = isRecord(state.terminated) ? state.terminated : undefined;
    const waitingReason = str(recAt(state, 'waiting'), 'reason');
    if (terminated && num(terminated, 'exitCode') === 0) continue;
    if (sidecar && bool(cs, 'started')) {
      if (bool(cs, 'ready')) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waitingReason && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = recs(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += num(cs, 'restartCount');
      lastRestart = laterFinish(lastRestart, cs);
      const state = recAt(cs, 'state');
      const waitingReason = str(recAt(state, 'waiting'), 'reason');
      if (waitingReason) reason = waitingReason;
      else if (isRecord(state.terminated)) reason = terminatedReason(state.terminated, '');
      else if (bool(cs, 'ready') && isRecord(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A completed container beside a running one does not make the pod Completed.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  if (meta.deletionTimestamp) {
    if (str(status, 'reason') === NODE_UNREACHABLE_REASON) reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  const restartsCell = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${timestampSince(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  const podIP = str(recs(status, 'podIPs')[0], 'ip') || str(status, 'podIP');

  const row: PrintedRow = {
    cells: [
      meta.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      timestampSince(meta.creationTimestamp, now),
      podIP || '<none>',
      str(spec, 'nodeName') || '<none>',
      str(status, 'nominatedNodeName') || '<none>',
      readinessGates(spec, status),
    ],
  };
  if (phase === 'Succeeded') row.conditions = SUCCEEDED;
  else if (phase === 'Failed') row.conditions = FAILED;
  return row;
}

/** `true/total` of spec.readinessGates conditions, `<none>` without gates. */
function readinessGates(spec: JsonRecord, status: JsonRecord): string {
  const gates = recs(spec, 'readinessGates');
  if (gates.length === 0) return '<none>';
  const conditions = recs(status, 'conditions');
  const satisfied = gates.filter((g) => {
    const c = conditions.find((x) => str(x, 'type') === str(g, 'conditionType'));
    return c !== undefined && str(c, 'status') === 'True';
  }).length;
  return `${satisfied}/${gates.length}`;
}

const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'string', 'IP address allocated to the pod.', 1),
    column('Node', 'string', 'NodeName is the node the pod is scheduled onto.', 1),
    column('Nominated Node', 'string', 'nominatedNodeName is set when this pod preempts other pods on a node.', 1),
    column('Readiness Gates', 'string', 'Conditions evaluated for pod readiness.', 1),
  ],
  print: printPod,
};

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
  validate: (obj, old, subresource) => {
    if (old && subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(obj.spec, old.spec);
    // podStatusStrategy: ValidatePodStatusUpdate leaves the spec alone (PrepareForUpdate reset it to the stored one).
    if (old && subresource === 'status') return [];
    return [...validatePodSpec(obj.spec, 'spec'), ...(old ? validatePodSpecUpdate(obj.spec, old.spec) : validatePodCreate(obj.spec))];
  },
  printer: podPrinter,
  protobuf: Pod,
};
