// batch/v1 CronJob (pkg/registry/batch/cronjob/strategy.go): defaults, the schedule and
// time zone rules of ValidateCronJobCreate/Update, the jobTemplate's JobSpec rules, status
// through /status, and printCronJob's columns.

import type { KindStrategy } from '../../strategy';
import { resourceInfo, statusSubresource } from '../../strategy';
import type { KubeObject } from '../../types';
import { causes, type StatusCause } from '../../status';
import type { Printer, PrintedRow } from '../../table';
import { def, defaultTemplate, objAt } from '../../defaults';
import { goLabelSelector, nonNegative, rec as recOf, str as strOf } from '../../validation/field-errors';
import { formatLabelSelector, type LabelSelectorObject } from '../../selectors/labels';
import { rec, recs, str } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { containerCells } from '../../printers/workloads';
import { isValidTimeZone, scheduleError } from '../../cron/schedule';
import { BATCH, BATCH_SCHEMAS } from './schemas';
import { CronJob } from './protobuf';
import { validateJobSpecFields } from './job-spec';

/** The cronjob controller appends `-<11 digits>` to Job names, which are DNS labels (63). */
const MAX_CRONJOB_NAME_LENGTH = 52;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
/** One IANA path component, with the digits and '+' of legacy names tolerated. */
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

const info = resourceInfo({
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  singular: 'cronjob',
  kind: 'CronJob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  schemaRef: BATCH + 'CronJob',
});
info.subresources = [statusSubresource(info)];

/** validateScheduleFormat: parses as robfig/cron's ParseStandard, and no TZ inside. */
function validateSchedule(schedule: string, allowTZInSchedule: boolean, timeZone: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  const field = 'spec.schedule';
  const err = scheduleError(schedule);
  if (err) out.push(causes.invalid(field, schedule, err));
  if (allowTZInSchedule && schedule.includes('TZ') && timeZone != null) {
    out.push(causes.invalid(field, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZInSchedule && schedule.includes('TZ')) {
    out.push(causes.invalid(field, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return out;
}

/** validateTimeZone: an explicit IANA name that loads. */
export function validateTimeZone(timeZone: unknown): StatusCause[] {
  if (timeZone == null) return [];
  const field = 'spec.timeZone';
  const tz = String(timeZone);
  if (tz === '') return [causes.invalid(field, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) return [causes.invalid(field, tz, `unknown time zone ${tz}`)];
  }
  const out: StatusCause[] = [];
  if (tz.toLowerCase() === 'local') out.push(causes.invalid(field, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  else if (!isValidTimeZone(tz)) out.push(causes.invalid(field, tz, `unknown time zone ${tz}`));
  return out;
}

/** validateCronJobSpec (oldSpec on update). */
export function validateCronJobSpec(specValue: unknown, oldSpecValue?: unknown): StatusCause[] {
  const spec = recOf(specValue) ?? {};
  const oldSpec = recOf(oldSpecValue);
  const out: StatusCause[] = [];
  const schedule = strOf(spec.schedule) ?? '';
  if (!schedule) out.push(causes.required('spec.schedule'));
  else out.push(...validateSchedule(schedule, (strOf(oldSpec?.schedule) ?? '').includes('TZ'), spec.timeZone));
  out.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) out.push(...validateTimeZone(spec.timeZone));
  const policy = strOf(spec.concurrencyPolicy) ?? '';
  if (!policy) out.push(causes.required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(policy)) out.push(causes.notSupported('spec.concurrencyPolicy', policy, CONCURRENCY_POLICIES));
  // ValidateJobTemplateSpec: the cronjob controller generates each Job's selector.
  const jobSpec = recOf(recOf(spec.jobTemplate)?.spec) ?? {};
  out.push(...validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec'));
  const selector = recOf(jobSpec.selector);
  if (selector) out.push({ reason: 'FieldValueInvalid', field: 'spec.jobTemplate.spec.selector', message: `Invalid value: &${goLabelSelector(selector)}: \`selector\` will be auto-generated` });
  if (jobSpec.manualSelector === true) out.push(causes.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  out.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  out.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return out;
}

/** printCronJob. */
export function printCronJob(cj: KubeObject, now: Date): PrintedRow {
  const spec = rec(cj, 'spec');
  const status = rec(cj, 'status');
  const jobSpec = rec(spec, 'jobTemplate', 'spec');
  const last = str(status, 'lastScheduleTime');
  return {
    cells: [
      cj.metadata?.name ?? '',
      str(spec, 'schedule'),
      typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
      typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>',
      recs(status, 'active').length,
      last ? timestampSince(last, now) : '<none>',
      timestampSince(cj.metadata?.creationTimestamp, now),
      ...containerCells(jobSpec),
      formatLabelSelector(jobSpec.selector as LabelSelectorObject | undefined),
    ],
  };
}

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.', 1),
  ],
  print: printCronJob,
};

export const cronJobStrategy: KindStrategy = {
  info,
  schemas: BATCH_SCHEMAS,
  defaults(obj) {
    const spec = objAt(obj, 'spec');
    def(spec, 'concurrencyPolicy', 'Allow');
    def(spec, 'suspend', false);
    def(spec, 'successfulJobsHistoryLimit', 3);
    def(spec, 'failedJobsHistoryLimit', 1);
    // SetDefaults_Job is for Jobs only: a jobTemplate gets just the pod template defaults.
    defaultTemplate(objAt(objAt(spec, 'jobTemplate'), 'spec'));
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj, old) {
    const out = validateCronJobSpec(obj.spec, old?.spec);
    const name = obj.metadata.name ?? '';
    // Only on create, so older CronJobs with longer names can still be updated and deleted.
    if (!old && name.length > MAX_CRONJOB_NAME_LENGTH) out.push(causes.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
    return out;
  },
  generation: true,
  printer: cronJobPrinter,
  protobuf: CronJob,
};
