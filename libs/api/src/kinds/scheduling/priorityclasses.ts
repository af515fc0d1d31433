// scheduling.k8s.io/v1 PriorityClass (pkg/registry/scheduling/priorityclass): a name for a pod
// priority. Cluster-scoped; value and preemptionPolicy are immutable; the `system-` prefix is
// reserved for the two classes the API server creates at start (SYSTEM_PRIORITY_CLASSES).

import type { SchemaNode } from '../../schema/types';
import { obj, str, bool, int32, ref, item, arr, gvk, META } from '../../schema/dsl';
import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { IMMUTABLE_MSG, num, str as text } from '../../validation/field-errors';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { bool as pbool, type Descriptor, int, msg, str as pstr } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

const SCHEDULING = 'io.k8s.api.scheduling.v1.';

const SCHEMAS: Record<string, SchemaNode> = {
  [SCHEDULING + 'PriorityClass']: obj("PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    description: str("description is an arbitrary string that usually provides guidelines on when this priority class should be used."),
    globalDefault: bool("globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    preemptionPolicy: str("preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
    value: int32("value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
  }, undefined, gvk('scheduling.k8s.io', 'v1', 'PriorityClass')),
  [SCHEDULING + 'PriorityClassList']: obj("PriorityClassList is a collection of priority classes.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(SCHEDULING + 'PriorityClass'), "items is the list of PriorityClasses"),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('scheduling.k8s.io', 'v1', 'PriorityClassList')),
};

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** scheduling.HighestUserDefinablePriority. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;

/** pkg/apis/scheduling/v1 systemPriorityClasses: what kube-apiserver bootstraps. */
export const SYSTEM_PRIORITY_CLASSES: readonly { name: string; value: number; description: string }[] = [
  { name: 'system-node-critical', value: SYSTEM_CRITICAL_PRIORITY + 1000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: SYSTEM_CRITICAL_PRIORITY, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** IsKnownSystemPriorityClass: undefined when it is one, else why not. */
function systemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

/** ValidatePriorityClass / ValidatePriorityClassUpdate. */
export function validatePriorityClass(pc: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const name = pc.metadata.name ?? '';
  const value = num(pc.value) ?? 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = systemClassError(name, value, pc.globalDefault === true);
    if (err) out.push(causes.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    out.push(causes.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const policy = text(pc.preemptionPolicy);
  if (policy === '') out.push(causes.required('preemptionPolicy'));
  else if (policy !== undefined && !PREEMPTION_POLICIES.includes(policy)) out.push(causes.notSupported('preemptionPolicy', policy, PREEMPTION_POLICIES));
  if (old) {
    if (value !== (num(old.value) ?? 0)) out.push(causes.forbidden('value', 'may not be changed in an update.'));
    if (policy !== text(old.preemptionPolicy)) out.push(causes.invalid('preemptionPolicy', policy ?? null, IMMUTABLE_MSG));
  }
  return out;
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Value', 'integer', 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'),
  ],
  print: (pc, now) => ({
    cells: [pc.metadata?.name ?? '', num(pc.value) ?? 0, pc.globalDefault === true, timestampSince(pc.metadata?.creationTimestamp, now), text(pc.preemptionPolicy) ?? ''],
  }),
};

// ---- protobuf (staging/src/k8s.io/api/scheduling/v1/generated.proto) ----
export const PriorityClassProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: int('value', true),
  3: pbool('globalDefault'),
  4: pstr('description'),
  5: pstr('preemptionPolicy', true),
};

export const priorityClassStrategy: KindStrategy = {
  info: resourceInfo({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', singular: 'priorityclass', kind: 'PriorityClass',
    namespaced: false, shortNames: ['pc'], schemaRef: SCHEDULING + 'PriorityClass' }),
  schemas: SCHEMAS,
  // SetDefaults_PriorityClass.
  defaults(pc) {
    if (pc.preemptionPolicy === undefined || pc.preemptionPolicy === null) pc.preemptionPolicy = 'PreemptLowerPriority';
  },
  prepareForCreate(pc) {
    pc.metadata.generation = 1;
  },
  validate: validatePriorityClass,
  refuseDelete: (pc) => (SYSTEM_PRIORITY_CLASSES.some((c) => c.name === pc.metadata.name) ? 'this is a system priority class and cannot be deleted' : undefined),
  printer,
  protobuf: PriorityClassProto,
};
