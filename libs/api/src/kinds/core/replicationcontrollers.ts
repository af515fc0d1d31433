// core/v1 ReplicationController (pkg/registry/core/replicationcontroller): storage only (no
// controller acts on it), with SetDefaults_ReplicationController, ValidateReplicationController,
// the status and scale subresources, and printReplicationController.
import { defaultTemplate } from '../../defaults';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { num as numAt, rec as recAt, recs, str as strAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { arr, int32, int64, item, listMap, mergeBy, obj, ref, str, strMap, mapAtomic, CORE, META } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { labelSelectorFromSet } from '../../selectors/labels';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { goStringMap, nonNegative, rec, strMap as strMapOf } from '../../validation/field-errors';
import { validateLabels } from '../../validation/metadata';
import { validatePodTemplateSpec } from '../../validation/pod';
import { kindSchema, listSchema } from './object-schemas';

const SELECTOR_DOC = 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const schemas: Record<string, SchemaNode> = {
  [CORE + 'ReplicationController']: kindSchema('ReplicationController', 'ReplicationController represents the configuration of a replication controller.',
    'Spec defines the specification of the desired behavior of the replication controller. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    'Status is the most recently observed status of the replication controller. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
  ...listSchema('ReplicationController', 'ReplicationControllerList is a collection of replication controllers.', 'List of replication controllers. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller'),
  [CORE + 'ReplicationControllerSpec']: obj('ReplicationControllerSpec is the specification of a replication controller.', {
    minReadySeconds: int32("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)"),
    replicas: int32('Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
    selector: strMap(SELECTOR_DOC, mapAtomic),
    template: ref(CORE + 'PodTemplateSpec', 'Template is the object that describes the pod that will be created if insufficient replicas are detected. This takes precedence over a TemplateRef. The only allowed template.spec.restartPolicy value is "Always". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template'),
  }),
  [CORE + 'ReplicationControllerStatus']: obj('ReplicationControllerStatus represents the current status of a replication controller.', {
    availableReplicas: int32('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
    conditions: arr(item(CORE + 'ReplicationControllerCondition'), "Represents the latest available observations of a replication controller's current state.", { ...mergeBy('type'), ...listMap('type') }),
    fullyLabeledReplicas: int32('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
    observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
    readyReplicas: int32('The number of ready replicas for this replication controller.'),
    replicas: int32('Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
  }, ['replicas']),
  [CORE + 'ReplicationControllerCondition']: obj('ReplicationControllerCondition describes the state of a replication controller at a certain point.', {
    lastTransitionTime: ref(META + 'Time', 'The last time the condition transitioned from one status to another.'),
    message: str('A human readable message indicating details about the transition.'),
    reason: str("The reason for the condition's last transition."),
    status: str('Status of the condition, one of True, False, Unknown.'),
    type: str('Type of replication controller condition.'),
  }, ['type', 'status']),
};

/** SetDefaults_ReplicationController: selector and labels from the template's labels, one replica. */
export function defaultReplicationController(o: KubeObject): void {
  const spec = rec(o.spec) ?? (o.spec = {});
  const labels = rec(rec(rec(spec.template)?.metadata)?.labels);
  if (labels) {
    if (Object.keys(rec(spec.selector) ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = strMapOf(labels);
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (rec(spec.template)) defaultTemplate(spec);
}

export function validateReplicationController(o: KubeObject): StatusCause[] {
  const spec = rec(o.spec) ?? {};
  const out: StatusCause[] = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = strMapOf(spec.selector);
  if (Object.keys(selector).length === 0) out.push(causes.required('spec.selector'));
  else out.push(...validateLabels(selector, 'spec.selector'));
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const template = rec(spec.template);
  if (!template) return [...out, causes.required('spec.template')];
  const templateLabels = strMapOf(rec(template.metadata)?.labels);
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => templateLabels[k] === v)) {
    out.push({ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: `Invalid value: ${goStringMap(templateLabels)}: \`selector\` does not match template \`labels\`` });
  }
  out.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restart = rec(template.spec)?.restartPolicy;
  if (restart !== 'Always') out.push(causes.notSupported('spec.template.spec.restartPolicy', restart ?? '', ['Always']));
  const deadline = rec(template.spec)?.activeDeadlineSeconds;
  if (deadline !== undefined) out.push(causes.invalid('spec.template.spec.activeDeadlineSeconds', deadline, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return out;
}

const statusDoc = (f: string): string => schemas[CORE + 'ReplicationControllerStatus'].properties![f].description!;

export const replicationControllerStrategy: KindStrategy = {
  info: resourceInfo({
    group: '', version: 'v1', resource: 'replicationcontrollers', singular: 'replicationcontroller', kind: 'ReplicationController', namespaced: true, shortNames: ['rc'],
    categories: ['all'], subresources: [statusSubresource({ kind: 'ReplicationController', group: '', version: 'v1' }), scaleSubresource], schemaRef: CORE + 'ReplicationController',
  }),
  schemas,
  defaults: defaultReplicationController,
  prepareForCreate(o) {
    o.status = { replicas: 0 };
  },
  validate: validateReplicationController,
  generation: true,
  printer: {
    columns: [
      NAME_COLUMN,
      column('Desired', 'integer', schemas[CORE + 'ReplicationControllerSpec'].properties!.replicas.description!),
      column('Current', 'integer', statusDoc('replicas')),
      column('Ready', 'integer', statusDoc('readyReplicas')),
      AGE_COLUMN,
      ...TEMPLATE_COLUMNS,
      column('Selector', 'string', SELECTOR_DOC, 1),
    ],
    print(o, now) {
      const spec = recAt(o, 'spec');
      const status = recAt(o, 'status');
      const containers = recs(recAt(spec, 'template', 'spec'), 'containers');
      return {
        cells: [
          o.metadata?.name ?? '', numAt(spec, 'replicas'), numAt(status, 'replicas'), numAt(status, 'readyReplicas'),
          timestampSince(o.metadata?.creationTimestamp, now),
          containers.map((c) => strAt(c, 'name')).join(','), containers.map((c) => strAt(c, 'image')).join(','), labelSelectorFromSet(strMapOf(spec.selector)).toString() || '<none>',
        ],
      };
    },
  },
};
