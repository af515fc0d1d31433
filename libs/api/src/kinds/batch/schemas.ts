// batch/v1 Job and CronJob OpenAPI components, as kube-apiserver serves them (descriptions
// shortened); list types and patch keys are upstream's, since apply and strategic merge
// patch depend on them.

import type { SchemaNode } from '../../schema/types';
import { arr, atomic, bool, gvk, int32, int64, item, listSet, mergeBy, obj, ref, str, strArr, CORE, META, API_VERSION_PROPERTY, KIND_PROPERTY } from '../../schema/dsl';

export const BATCH = 'io.k8s.api.batch.v1.';


export const BATCH_SCHEMAS: Record<string, SchemaNode> = {
  [BATCH + 'CronJob']: obj('CronJob represents the configuration of a single cron job.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(BATCH + 'CronJobSpec', 'Specification of the desired behavior of a cron job, including the schedule.'),
    status: ref(BATCH + 'CronJobStatus', 'Current status of a cron job.'),
  }, undefined, gvk('batch', 'v1', 'CronJob')),
  [BATCH + 'CronJobList']: obj('CronJobList is a collection of cron jobs.', {
    apiVersion: API_VERSION_PROPERTY,
    items: arr(item(BATCH + 'CronJob'), 'items is the list of CronJobs.'),
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ListMeta', 'Standard list metadata.'),
  }, ['items'], gvk('batch', 'v1', 'CronJobList')),
  [BATCH + 'CronJobSpec']: obj('CronJobSpec describes how the job execution will look like and when it will actually run.', {
    concurrencyPolicy: str('Specifies how to treat concurrent executions of a Job. Valid values are:\n\n- "Allow" (default): allows CronJobs to run concurrently; - "Forbid": forbids concurrent runs, skipping next run if previous run hasn\'t finished yet; - "Replace": cancels currently running job and replaces it with a new one'),
    failedJobsHistoryLimit: int32('The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.'),
    jobTemplate: ref(BATCH + 'JobTemplateSpec', 'Specifies the job that will be created when executing a CronJob.'),
    schedule: str('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', { default: '' }),
    startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.  Missed jobs executions will be counted as failed ones.'),
    successfulJobsHistoryLimit: int32('The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.'),
    suspend: bool('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    timeZone: str('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process.'),
  }, ['schedule', 'jobTemplate']),
  [BATCH + 'CronJobStatus']: obj('CronJobStatus represents the current state of a cron job.', {
    active: arr(item(CORE + 'ObjectReference'), 'A list of pointers to currently running jobs.', atomic),
    lastScheduleTime: ref(META + 'Time', 'Information when was the last time the job was successfully scheduled.'),
    lastSuccessfulTime: ref(META + 'Time', 'Information when was the last time the job successfully completed.'),
  }),
  [BATCH + 'Job']: obj('Job represents the configuration of a single job.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(BATCH + 'JobSpec', 'Specification of the desired behavior of a job.'),
    status: ref(BATCH + 'JobStatus', 'Current status of a job.'),
  }, undefined, gvk('batch', 'v1', 'Job')),
  [BATCH + 'JobCondition']: obj('JobCondition describes current state of a job.', {
    lastProbeTime: ref(META + 'Time', 'Last time the condition was checked.'),
    lastTransitionTime: ref(META + 'Time', 'Last time the condition transit from one status to another.'),
    message: str('Human readable message indicating details about last transition.'),
    reason: str("(brief) reason for the condition's last transition."),
    status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
    type: str('Type of job condition, Complete or Failed.', { default: '' }),
  }, ['type', 'status']),
  [BATCH + 'JobList']: obj('JobList is a collection of jobs.', {
    apiVersion: API_VERSION_PROPERTY,
    items: arr(item(BATCH + 'Job'), 'items is the list of Jobs.'),
    kind: KIND_PROPERTY,
    metadata: ref(META + 'ListMeta', 'Standard list metadata.'),
  }, ['items'], gvk('batch', 'v1', 'JobList')),
  [BATCH + 'JobSpec']: obj('JobSpec describes how the job execution will look like.', {
    activeDeadlineSeconds: int64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.'),
    backoffLimit: int32('Specifies the number of retries before marking this job failed. Defaults to 6, unless backoffLimitPerIndex (only Indexed Job) is specified. When backoffLimitPerIndex is specified, backoffLimit defaults to 2147483647.'),
    backoffLimitPerIndex: int32('Specifies the limit for the number of retries within an index before marking this index as failed. It can only be set when Job\'s completionMode=Indexed, and the Pod\'s restart policy is Never. The field is immutable.'),
    completionMode: str('completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.'),
    completions: int32('Specifies the desired number of successfully finished pods the job should be run with.  Setting to null means that the success of any pod signals the success of all pods, and allows parallelism to have any positive value.  Setting to 1 means that parallelism is limited to 1 and the success of that pod signals the success of the job. More info: https://kubernetes.io/docs/concepts/workloads/controllers/jobs-run-to-completion/'),
    managedBy: str('ManagedBy field indicates the controller that manages a Job. The k8s Job controller reconciles jobs which don\'t have this field at all or the field value is the reserved string `kubernetes.io/job-controller`, but skips reconciling Jobs with a custom value for this field. This field is immutable.'),
    manualSelector: bool('manualSelector controls generation of pod labels and pod selectors. Leave `manualSelector` unset unless you are certain what you are doing. When false or unset, the system pick labels unique to this job and appends those labels to the pod template.  When true, the user is responsible for picking unique labels and specifying the selector.'),
    maxFailedIndexes: int32('Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set. It can only be specified when backoffLimitPerIndex is set.'),
    parallelism: int32('Specifies the maximum desired number of pods the job should run at any given time. The actual number of pods running in steady state will be less than this number when ((.spec.completions - .status.successful) < .spec.parallelism), i.e. when the work left to do is less than max parallelism.'),
    podFailurePolicy: ref(BATCH + 'PodFailurePolicy', 'Specifies the policy of handling failed pods. In particular, it allows to specify the set of actions and conditions which need to be satisfied to take the associated action. This field cannot be used in combination with restartPolicy=OnFailure.'),
    podReplacementPolicy: str('podReplacementPolicy specifies when to create replacement Pods. Possible values are: - TerminatingOrFailed means that we recreate pods when they are terminating (has a metadata.deletionTimestamp) or failed. - Failed means to wait until a previously created Pod is fully terminated (has phase Failed or Succeeded) before creating a replacement Pod.'),
    selector: ref(META + 'LabelSelector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.'),
    successPolicy: ref(BATCH + 'SuccessPolicy', 'successPolicy specifies the policy when the Job can be declared as succeeded. If empty, the default behavior applies - the Job is declared as succeeded only when the number of succeeded pods equals to the completions. When the field is specified, it must be immutable and works only for the Indexed Jobs.'),
    suspend: bool('suspend specifies whether the Job controller should create Pods or not. If a Job is created with suspend set to true, no Pods are created by the Job controller. Defaults to false.'),
    template: ref(CORE + 'PodTemplateSpec', 'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".'),
    ttlSecondsAfterFinished: int32('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed). If this field is set, ttlSecondsAfterFinished after the Job finishes, it is eligible to be automatically deleted.'),
  }, ['template']),
  [BATCH + 'JobStatus']: obj('JobStatus represents the current state of a Job.', {
    active: int32('The number of pending and running pods which are not terminating (without a deletionTimestamp). The value is zero for finished jobs.'),
    completedIndexes: str('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
    completionTime: ref(META + 'Time', 'Represents time when the job was completed.'),
    conditions: arr(item(BATCH + 'JobCondition'), "The latest available observations of an object's current state.", { ...mergeBy('type'), ...atomic }),
    failed: int32('The number of pods which reached phase Failed. The value increases monotonically.'),
    failedIndexes: str('FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set.'),
    ready: int32('The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp).'),
    startTime: ref(META + 'Time', 'Represents time when the job controller started processing a job.'),
    succeeded: int32('The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    terminating: int32('The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp).'),
    uncountedTerminatedPods: ref(BATCH + 'UncountedTerminatedPods', 'uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn\'t yet accounted for in the status counters.'),
  }),
  [BATCH + 'JobTemplateSpec']: obj('JobTemplateSpec describes the data a Job should have when created from a template', {
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata of the jobs created from this template."),
    spec: ref(BATCH + 'JobSpec', 'Specification of the desired behavior of the job.'),
  }),
  [BATCH + 'PodFailurePolicy']: obj('PodFailurePolicy describes how failed pods influence the backoffLimit.', {
    rules: arr(item(BATCH + 'PodFailurePolicyRule'), 'A list of pod failure policy rules. The rules are evaluated in order. Once a rule matches a Pod failure, the remaining of the rules are ignored. At most 20 elements are allowed.', atomic),
  }, ['rules']),
  [BATCH + 'PodFailurePolicyOnExitCodesRequirement']: obj('PodFailurePolicyOnExitCodesRequirement describes the requirement for handling a failed pod based on its container exit codes.', {
    containerName: str('Restricts the check for exit codes to the container with the specified name. When null, the rule applies to all containers.'),
    operator: str('Represents the relationship between the container exit code(s) and the specified values. Possible values are: In, NotIn.', { default: '' }),
    values: arr({ type: 'integer', format: 'int32', default: 0 }, 'Specifies the set of values. The list of values must be ordered and must not contain duplicates. Value \'0\' cannot be used for the In operator. At least one element is required. At most 255 elements are allowed.', listSet),
  }, ['operator', 'values']),
  [BATCH + 'PodFailurePolicyOnPodConditionsPattern']: obj('PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.', {
    status: str('Specifies the required Pod condition status. To match a pod condition it is required that the specified status equals the pod condition status. Defaults to True.', { default: '' }),
    type: str('Specifies the required Pod condition type. To match a pod condition it is required that specified type equals the pod condition type.', { default: '' }),
  }, ['type']),
  [BATCH + 'PodFailurePolicyRule']: obj('PodFailurePolicyRule describes how a pod failure is handled when the requirements are met. One of onExitCodes and onPodConditions, but not both, can be used in each rule.', {
    action: str('Specifies the action taken on a pod failure when the requirements are satisfied. Possible values are: Count, FailIndex, FailJob, Ignore.', { default: '' }),
    onExitCodes: ref(BATCH + 'PodFailurePolicyOnExitCodesRequirement', 'Represents the requirement on the container exit codes.'),
    onPodConditions: arr(item(BATCH + 'PodFailurePolicyOnPodConditionsPattern'), 'Represents the requirement on the pod conditions. At most 20 elements are allowed.', atomic),
  }, ['action']),
  [BATCH + 'SuccessPolicy']: obj('SuccessPolicy describes when a Job can be declared as succeeded based on the success of some indexes.', {
    rules: arr(item(BATCH + 'SuccessPolicyRule'), 'rules represents the list of alternative rules for the declaring the Jobs as successful before `.status.succeeded >= .spec.completions`. At most 20 elements are allowed.', atomic),
  }, ['rules']),
  [BATCH + 'SuccessPolicyRule']: obj('SuccessPolicyRule describes rule for declaring a Job as succeeded. Each rule must have at least one of the "succeededIndexes" or "succeededCount" specified.', {
    succeededCount: int32('succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job.'),
    succeededIndexes: str('succeededIndexes specifies the set of indexes which need to be contained in the actual set of the succeeded indexes for the Job.'),
  }),
  [BATCH + 'UncountedTerminatedPods']: obj("UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters.", {
    failed: strArr('failed holds UIDs of failed Pods.', listSet),
    succeeded: strArr('succeeded holds UIDs of succeeded Pods.', listSet),
  }),
};
