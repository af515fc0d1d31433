// apps/v1 Deployment (pkg/registry/apps/deployment/strategy.go): SetDefaults_Deployment,
// ValidateDeployment with an immutable selector, status and labels written only through
// /status, a generation that grows on spec and on annotation changes (annotations are copied
// to the ReplicaSets), and printDeployment's columns. The schema lives in schema/apps.ts.

import { def, defaultTemplate, objAt, setOrDelete } from '../../defaults';
import { num, rec } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { containerCells, selectorOf } from '../../printers/workloads';
import { Deployment } from '../../protobuf/workloads';
import { APPS } from '../../schema/dsl';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../../strategy';
import { labelSelectorFromObject } from '../../selectors/labels';
import type { Printer, PrintedRow } from '../../table';
import type { KubeObject } from '../../types';
import { jsonEqual } from '../../validation/field-errors';
import { validateDeploymentSpec, validateSelectorUpdate } from '../../validation/workloads';

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  schemaRef: APPS + 'Deployment',
});
info.subresources = [statusSubresource(info), scaleSubresource];

/** SetDefaults_Deployment. */
function defaultDeployment(o: KubeObject): void {
  const spec = objAt(o, 'spec');
  def(spec, 'replicas', 1);
  const strategy = objAt(spec, 'strategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = objAt(strategy, 'rollingUpdate');
    def(ru, 'maxUnavailable', '25%');
    def(ru, 'maxSurge', '25%');
  }
  def(spec, 'revisionHistoryLimit', 10);
  def(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

/** printDeployment. */
function printDeployment(obj: KubeObject, now: Date): PrintedRow {
  const spec = rec(obj, 'spec');
  const status = rec(obj, 'status');
  // printDeployment prints the selector bare: '' when empty, `<invalid>` when bad.
  let selector: string;
  try {
    selector = labelSelectorFromObject(selectorOf(spec)).toString();
  } catch {
    selector = '<invalid>';
  }
  return {
    cells: [
      obj.metadata?.name ?? '',
      `${num(status, 'readyReplicas')}/${num(spec, 'replicas')}`,
      num(status, 'updatedReplicas'),
      num(status, 'availableReplicas'),
      timestampSince(obj.metadata?.creationTimestamp, now),
      ...containerCells(spec),
      selector,
    ],
  };
}

const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  print: printDeployment,
};

export const deploymentStrategy: KindStrategy = {
  info,
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate(obj, old, subresource) {
    const meta = obj.metadata;
    const oldMeta = old.metadata ?? {};
    if (subresource === 'status') {
      // The status strategy keeps the labels too.
      setOrDelete(meta, 'labels', oldMeta.labels);
      return;
    }
    // The generic step bumps the generation on spec changes; annotation changes bump it too.
    if (!jsonEqual(meta.annotations ?? {}, oldMeta.annotations ?? {})) {
      meta.generation = (typeof oldMeta.generation === 'number' ? oldMeta.generation : 0) + 1;
    }
  },
  validate: (obj, old) => [...validateDeploymentSpec(obj.spec), ...(old ? validateSelectorUpdate(obj.spec, old.spec) : [])],
  generation: true,
  printer: deploymentPrinter,
  protobuf: Deployment,
};
