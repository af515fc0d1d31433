// batch/v1 Job (pkg/registry/batch/job/strategy.go): defaults, a generated selector unless
// `manualSelector` is true, status through /status, generation on spec changes, and the
// STATUS COMPLETIONS DURATION columns of kube-apiserver's printJob.

import type { KindStrategy } from '../../strategy';
import { resourceInfo, statusSubresource } from '../../strategy';
import type { KubeObject } from '../../types';
import type { Printer, PrintedRow } from '../../table';
import { objAt } from '../../defaults';
import { nonNegative, rec as recOf } from '../../validation/field-errors';
import { formatLabelSelector, type LabelSelectorObject } from '../../selectors/labels';
import { num, rec, recs, str } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { humanDuration, timestampSince } from '../../printers/duration';
import { containerCells } from '../../printers/workloads';
import { BATCH, BATCH_SCHEMAS } from './schemas';
import { Job } from './protobuf';
import { CONTROLLER_UID_LABEL, defaultJobSpec, generateJobSelector, JOB_NAME_LABEL, validateJob, validateJobSpecUpdate } from './job-spec';

const info = resourceInfo({
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  singular: 'job',
  kind: 'Job',
  namespaced: true,
  categories: ['all'],
  schemaRef: BATCH + 'Job',
});
info.subresources = [statusSubresource(info)];

function hasCondition(status: Record<string, unknown>, type: string): boolean {
  return recs(status, 'conditions').some((c) => str(c, 'type') === type && str(c, 'status') === 'True');
}

/** printJob. */
export function printJob(job: KubeObject, now: Date): PrintedRow {
  const spec = rec(job, 'spec');
  const status = rec(job, 'status');
  const succeeded = num(status, 'succeeded');
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
  else {
    const parallelism = num(spec, 'parallelism');
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }
  const start = Date.parse(str(status, 'startTime'));
  const completion = Date.parse(str(status, 'completionTime'));
  let duration = '';
  if (!Number.isNaN(start)) duration = humanDuration((Number.isNaN(completion) ? now.getTime() : completion) - start);
  let state = 'Running';
  if (hasCondition(status, 'Complete')) state = 'Complete';
  else if (hasCondition(status, 'Failed')) state = 'Failed';
  else if (job.metadata?.deletionTimestamp) state = 'Terminating';
  else if (hasCondition(status, 'Suspended')) state = 'Suspended';
  else if (hasCondition(status, 'FailureTarget')) state = 'FailureTarget';
  return {
    cells: [
      job.metadata?.name ?? '',
      state,
      completions,
      duration,
      timestampSince(job.metadata?.creationTimestamp, now),
      ...containerCells(spec),
      formatLabelSelector(spec.selector as LabelSelectorObject | undefined),
    ],
  };
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.', 1),
  ],
  print: printJob,
};

/** SetDefaults_Job: a Job without labels takes its template's. */
function labelsFromTemplate(job: KubeObject): void {
  const templateLabels = recOf(recOf(recOf(recOf(job.spec)?.template)?.metadata)?.labels);
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...(templateLabels as Record<string, string>) };
}

export const jobStrategy: KindStrategy = {
  info,
  schemas: BATCH_SCHEMAS,
  defaults(obj) {
    defaultJobSpec(objAt(obj, 'spec'));
    labelsFromTemplate(obj);
  },
  prepareForCreate(obj) {
    if (recOf(obj.spec)?.manualSelector !== true) generateJobSelector(obj);
    // Kubernetes defaults again when it reads the new Job back from storage: a Job that
    // still has no labels then takes the generated template labels.
    labelsFromTemplate(obj);
    obj.status = {};
  },
  validate(obj, old) {
    // Jobs created before the prefixed labels existed keep passing validation.
    const oldLabels = recOf(recOf(recOf(recOf(old?.spec)?.template)?.metadata)?.labels) ?? {};
    const requirePrefixed = !old || (JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels);
    const out = validateJob(obj, requirePrefixed);
    if (old) out.push(...validateJobSpecUpdate(obj, old));
    // validateJobStatus: the counters are never negative.
    const status = recOf(obj.status) ?? {};
    for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) out.push(...nonNegative(status[f], `status.${f}`));
    return out;
  },
  generation: true,
  // batch/v1 keeps its old default: deleting a Job without a propagation policy orphans its pods.
  defaultGarbageCollectionPolicy: 'OrphanDependents',
  printer: jobPrinter,
  protobuf: Job,
};
