// batch/v1 protobuf field numbers (staging/src/k8s.io/api/batch/v1/generated.proto), for
// kubectl's typed commands: `create job`, `create cronjob`, `create job --from=cronjob/x`.

import { bool, type Descriptor, int, ints, msg, msgs, str, strs, time } from '../../protobuf/decode';
import { LabelSelector, ObjectMeta } from '../../protobuf/meta';
import { ObjectReference } from '../../protobuf/core';
import { PodTemplateSpec } from '../../protobuf/pod';

const metadata = msg('metadata', () => ObjectMeta);

const PodFailurePolicyOnExitCodesRequirement: Descriptor = { 1: str('containerName'), 2: str('operator', true), 3: ints('values') };
const PodFailurePolicyOnPodConditionsPattern: Descriptor = { 1: str('type', true), 2: str('status', true) };
const PodFailurePolicyRule: Descriptor = {
  1: str('action', true),
  2: msg('onExitCodes', () => PodFailurePolicyOnExitCodesRequirement),
  3: msgs('onPodConditions', () => PodFailurePolicyOnPodConditionsPattern),
};
const SuccessPolicyRule: Descriptor = { 1: str('succeededIndexes', true), 2: int('succeededCount', true) };

// `true` marks Go pointer fields: an explicit zero (completions: 0, suspend: false) is kept.
const JobSpec: Descriptor = {
  1: int('parallelism', true),
  2: int('completions', true),
  3: int('activeDeadlineSeconds', true),
  4: msg('selector', () => LabelSelector),
  5: bool('manualSelector', true),
  6: msg('template', () => PodTemplateSpec),
  7: int('backoffLimit', true),
  8: int('ttlSecondsAfterFinished', true),
  9: str('completionMode', true),
  10: bool('suspend', true),
  11: msg('podFailurePolicy', () => ({ 1: msgs('rules', () => PodFailurePolicyRule) })),
  12: int('backoffLimitPerIndex', true),
  13: int('maxFailedIndexes', true),
  14: str('podReplacementPolicy', true),
  15: str('managedBy', true),
  16: msg('successPolicy', () => ({ 1: msgs('rules', () => SuccessPolicyRule) })),
};
const JobCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  3: time('lastProbeTime'),
  4: time('lastTransitionTime'),
  5: str('reason'),
  6: str('message'),
};
const JobStatus: Descriptor = {
  1: msgs('conditions', () => JobCondition),
  2: time('startTime'),
  3: time('completionTime'),
  4: int('active'),
  5: int('succeeded'),
  6: int('failed'),
  7: str('completedIndexes'),
  8: msg('uncountedTerminatedPods', () => ({ 1: strs('succeeded'), 2: strs('failed') })),
  9: int('ready', true),
  10: str('failedIndexes', true),
  11: int('terminating', true),
};
export const Job: Descriptor = { 1: metadata, 2: msg('spec', () => JobSpec), 3: msg('status', () => JobStatus) };

const JobTemplateSpec: Descriptor = { 1: metadata, 2: msg('spec', () => JobSpec) };
const CronJobSpec: Descriptor = {
  1: str('schedule', true),
  2: int('startingDeadlineSeconds', true),
  3: str('concurrencyPolicy'),
  4: bool('suspend', true),
  5: msg('jobTemplate', () => JobTemplateSpec),
  6: int('successfulJobsHistoryLimit', true),
  7: int('failedJobsHistoryLimit', true),
  8: str('timeZone', true),
};
const CronJobStatus: Descriptor = {
  1: msgs('active', () => ObjectReference),
  4: time('lastScheduleTime'),
  5: time('lastSuccessfulTime'),
};
export const CronJob: Descriptor = { 1: metadata, 2: msg('spec', () => CronJobSpec), 3: msg('status', () => CronJobStatus) };
