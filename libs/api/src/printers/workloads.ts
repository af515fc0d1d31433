// `kubectl get deployments` and `kubectl get replicasets`.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow } from '../table';
import { formatLabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../selectors/labels';
import { isRecord } from '../types';
import { num, rec, recs, str, type JsonRecord } from './access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from './columns';
import { timestampSince } from './duration';

/** Comma-joined container names and images of a pod template spec. */
export function containerCells(spec: JsonRecord): [string, string] {
  const containers = recs(rec(spec, 'template', 'spec'), 'containers');
  return [containers.map((c) => str(c, 'name')).join(','), containers.map((c) => str(c, 'image')).join(',')];
}

function selectorOf(spec: JsonRecord): LabelSelectorObject | undefined {
  const sel = spec.selector;
  return isRecord(sel) ? (sel as LabelSelectorObject) : undefined;
}

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

export const deploymentPrinter: Printer = {
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

export const replicaSetPrinter: Printer = {
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
