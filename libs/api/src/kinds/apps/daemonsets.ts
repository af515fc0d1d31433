// apps/v1 DaemonSet (pkg/registry/apps/daemonset/strategy.go): SetDefaults_DaemonSet,
// ValidateDaemonSet with an immutable selector, the template generation kept in the
// `deprecated.daemonset.template.generation` annotation as apps/v1 stores it, status
// through /status, and printDaemonSet's columns.

import type { KindStrategy } from '../../strategy';
import { resourceInfo, statusSubresource } from '../../strategy';
import type { KubeObject } from '../../types';
import { causes, type StatusCause } from '../../status';
import type { Printer } from '../../table';
import { def, defaultTemplate, objAt } from '../../defaults';
import { APPS } from '../../schema/dsl';
import { intOrStringText, invalidRendered, jsonEqual, nonNegative, rec, str, strMap } from '../../validation/field-errors';
import { validateSelectorMatchesTemplate } from '../../validation/metadata';
import { validatePodTemplateSpec } from '../../validation/pod';
import { intOrPercentValue, percentValue, validatePositiveIntOrPercent, validateSelector, validateSelectorUpdate } from '../../validation/workloads';
import { formatLabelSelector, labelSelectorFromSet, type LabelSelectorObject } from '../../selectors/labels';
import { num, rec as cellRec } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { containerCells } from '../../printers/workloads';
import { APPS_WORKLOAD_SCHEMAS } from './schemas';
import { DaemonSet } from './protobuf';

/** apps/v1 keeps the internal spec.templateGeneration in this annotation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const STATUS_COUNTS = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  schemaRef: APPS + 'DaemonSet',
});
info.subresources = [statusSubresource(info)];

function defaultDaemonSet(obj: KubeObject): void {
  const spec = objAt(obj, 'spec');
  const strategy = objAt(spec, 'updateStrategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = objAt(strategy, 'rollingUpdate');
    def(rolling, 'maxUnavailable', 1);
    def(rolling, 'maxSurge', 0);
  }
  def(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
}

function templateGeneration(obj: KubeObject): number {
  const n = Number(obj.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(n) ? n : 0;
}

function setTemplateGeneration(obj: KubeObject, generation: number): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(generation) };
}

/** ValidateRollingUpdateDaemonSet: exactly one of maxUnavailable and maxSurge is non-zero. */
function validateRollingUpdate(rolling: Record<string, unknown>, path: string): StatusCause[] {
  const out = [...validatePositiveIntOrPercent(rolling.maxUnavailable, `${path}.maxUnavailable`), ...validatePositiveIntOrPercent(rolling.maxSurge, `${path}.maxSurge`)];
  for (const key of ['maxUnavailable', 'maxSurge']) {
    const pct = percentValue(rolling[key]);
    if (pct !== undefined && pct > 100) out.push(invalidRendered(`${path}.${key}`, intOrStringText(rolling[key]), 'must not be greater than 100%'));
  }
  const hasUnavailable = intOrPercentValue(rolling.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(rolling.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) out.push(invalidRendered(`${path}.maxSurge`, intOrStringText(rolling.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  else if (!hasUnavailable && !hasSurge) out.push(causes.required(`${path}.maxUnavailable`, 'Required value: cannot be 0 when maxSurge is 0'));
  return out;
}

/** ValidateDaemonSetSpec. */
export function validateDaemonSetSpec(specValue: unknown): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out: StatusCause[] = [];
  const selector = rec(spec.selector);
  if (selector) {
    out.push(...validateSelector(spec, 'daemonset'));
    out.push(...validateSelectorMatchesTemplate(selector, rec(spec.template)?.metadata, 'spec.template.metadata.labels'));
  }
  out.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const podSpec = rec(rec(spec.template)?.spec) ?? {};
  if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== 'Always') out.push(causes.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy, ['Always']));
  if (podSpec.activeDeadlineSeconds != null) out.push(causes.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const strategy = rec(spec.updateStrategy) ?? {};
  const type = str(strategy.type) ?? '';
  const rolling = rec(strategy.rollingUpdate);
  if (type === 'RollingUpdate') {
    if (!rolling) out.push(causes.required('spec.updateStrategy.rollingUpdate'));
    else out.push(...validateRollingUpdate(rolling, 'spec.updateStrategy.rollingUpdate'));
  } else if (type !== 'OnDelete') {
    const rendered = `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${rolling ? '(*apps.RollingUpdateDaemonSet)(...)' : '(*apps.RollingUpdateDaemonSet)(nil)'}}`;
    out.push({ reason: 'FieldValueNotSupported', field: 'spec.updateStrategy', message: `Unsupported value: ${rendered}: supported values: "RollingUpdate", "OnDelete"` });
  }
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return out;
}

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    column('Selector', 'string', "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.", 1),
  ],
  print: (obj, now) => {
    const spec = cellRec(obj, 'spec');
    const status = cellRec(obj, 'status');
    return {
      cells: [
        obj.metadata?.name ?? '',
        num(status, 'desiredNumberScheduled'),
        num(status, 'currentNumberScheduled'),
        num(status, 'numberReady'),
        num(status, 'updatedNumberScheduled'),
        num(status, 'numberAvailable'),
        // labels.FormatLabels: `<none>` when empty.
        labelSelectorFromSet(strMap(cellRec(spec, 'template', 'spec').nodeSelector)).toString() || '<none>',
        timestampSince(obj.metadata?.creationTimestamp, now),
        ...containerCells(spec),
        formatLabelSelector(spec.selector as LabelSelectorObject | undefined),
      ],
    };
  },
};

export const daemonSetStrategy: KindStrategy = {
  info,
  schemas: APPS_WORKLOAD_SCHEMAS,
  defaults: defaultDaemonSet,
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    if (templateGeneration(obj) < 1) setTemplateGeneration(obj, 1);
  },
  prepareForUpdate(obj, old, subresource) {
    // Clients cannot set the template generation; a template change moves it on.
    const previous = templateGeneration(old);
    if (subresource === 'status') {
      if (old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] !== undefined) setTemplateGeneration(obj, previous);
      return;
    }
    const changed = !jsonEqual(rec(obj.spec)?.template, rec(old.spec)?.template);
    setTemplateGeneration(obj, changed ? previous + 1 : previous);
  },
  validate(obj, old) {
    const out = validateDaemonSetSpec(obj.spec);
    if (old) out.push(...validateSelectorUpdate(obj.spec, old.spec));
    // validateDaemonSetStatus: the counts are never negative.
    const status = rec(obj.status) ?? {};
    for (const f of STATUS_COUNTS) out.push(...nonNegative(status[f], `status.${f}`));
    return out;
  },
  generation: true,
  printer: daemonSetPrinter,
  protobuf: DaemonSet,
};
