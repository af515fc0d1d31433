// JobSpec rules shared by Job and CronJob's jobTemplate (pkg/apis/batch/v1/defaults.go and
// pkg/apis/batch/validation): defaulting, the spec's own validation, and the selector and
// labels the job strategy generates when `manualSelector` is not true.

import { causes, type StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import { def, defaultTemplate, objAt } from '../../defaults';
import { arr, goLabelSelector, goStringMap, IMMUTABLE_MSG, invalidRendered, type Json, jsonEqual, nonNegative, num, rec, str, strMap } from '../../validation/field-errors';
import { isDNS1123Label, isQualifiedName } from '../../validation/names';
import { selectorMatches, validateLabelSelector } from '../../validation/metadata';
import { validatePodTemplateSpec } from '../../validation/pod';
import { copyJson } from '../../json-copy';

/** Labels the job strategy puts on the template (the legacy pair, then the prefixed pair). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000;
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100_000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
const MAX_ON_EXIT_CODES_VALUES = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS = 20;
const MAX_MANAGED_BY_LENGTH = 63;
const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const ON_EXIT_CODES_OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const POD_REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

const quoted = (values: string[]): string => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** SetDefaults_Job on a JobSpec, plus the pod template defaults. */
export function defaultJobSpec(spec: Json): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  def(spec, 'parallelism', 1);
  def(spec, 'backoffLimit', spec.backoffLimitPerIndex != null ? 2147483647 : 6);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
  for (const rule of arr(rec(spec.podFailurePolicy)?.rules)) {
    for (const pattern of arr(rec(rule)?.onPodConditions)) {
      const p = rec(pattern);
      if (p) def(p, 'status', 'True');
    }
  }
  def(spec, 'podReplacementPolicy', spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed');
  def(spec, 'manualSelector', false);
  defaultTemplate(spec);
}

/** generateSelector: template labels naming this job, and a selector on its uid. */
export function generateJobSelector(job: KubeObject): void {
  const spec = objAt(job, 'spec');
  const templateMeta = objAt(objAt(spec, 'template'), 'metadata');
  const labels = objAt(templateMeta, 'labels');
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  // A label the user already set is kept: a conflicting value fails validation instead.
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (labels[key] === undefined) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (labels[key] === undefined) labels[key] = uid;
  const selector = objAt(spec, 'selector');
  const matchLabels = objAt(selector, 'matchLabels');
  if (matchLabels[CONTROLLER_UID_LABEL] === undefined) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

/** ValidateHasLabel. */
function hasLabel(meta: unknown, path: string, key: string, expected: string): StatusCause[] {
  const labels = strMap(rec(meta)?.labels);
  const field = `${path}.labels[${key}]`;
  if (!(key in labels)) return [causes.required(field)];
  return labels[key] === expected ? [] : [causes.invalid(field, labels[key], `must be '${expected}'`)];
}

/** validateGeneratedSelector: the generated labels are present and the selector still selects them. */
export function validateGeneratedSelector(job: KubeObject, requirePrefixedLabels: boolean): StatusCause[] {
  const spec = rec(job.spec) ?? {};
  const selector = rec(spec.selector);
  if (spec.manualSelector === true || !selector) return [];
  const out: StatusCause[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) out.push(causes.required('metadata.uid'));
  const meta = rec(spec.template)?.metadata;
  const path = 'spec.template.metadata';
  out.push(...hasLabel(meta, path, LEGACY_CONTROLLER_UID_LABEL, uid), ...hasLabel(meta, path, LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = { [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (requirePrefixedLabels) {
    out.push(...hasLabel(meta, path, CONTROLLER_UID_LABEL, uid), ...hasLabel(meta, path, JOB_NAME_LABEL, name));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  if (!selectorMatches(selector, expected)) out.push(invalidRendered('spec.selector', `&${goLabelSelector(selector)}`, '`selector` not auto-generated'));
  return out;
}

function validatePodFailurePolicy(spec: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const rules = arr(rec(spec.podFailurePolicy)?.rules);
  const rulesPath = `${path}.rules`;
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) {
    out.push({ reason: 'FieldValueTooMany', message: `Too many: ${rules.length}: must have at most ${MAX_POD_FAILURE_POLICY_RULES} items`, field: rulesPath });
  }
  const podSpec = rec(rec(spec.template)?.spec) ?? {};
  const containerNames = new Set([...arr(podSpec.containers), ...arr(podSpec.initContainers)].map((c) => str(rec(c)?.name) ?? ''));
  rules.forEach((item, i) => {
    const rule = rec(item) ?? {};
    const rulePath = `${rulesPath}[${i}]`;
    const action = str(rule.action) ?? '';
    if (!action) out.push(causes.required(`${rulePath}.action`, `Required value: valid values: ${quoted(POD_FAILURE_ACTIONS)}`));
    else if (action === 'FailIndex') {
      if (spec.backoffLimitPerIndex == null) out.push(causes.invalid(`${rulePath}.action`, action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!POD_FAILURE_ACTIONS.includes(action)) out.push(causes.notSupported(`${rulePath}.action`, action, POD_FAILURE_ACTIONS));
    const onExitCodes = rec(rule.onExitCodes);
    const onPodConditions = arr(rule.onPodConditions);
    if (onExitCodes) out.push(...validateOnExitCodes(onExitCodes, `${rulePath}.onExitCodes`, containerNames));
    if (onPodConditions.length > MAX_ON_POD_CONDITIONS_PATTERNS) {
      out.push({ reason: 'FieldValueTooMany', message: `Too many: ${onPodConditions.length}: must have at most ${MAX_ON_POD_CONDITIONS_PATTERNS} items`, field: `${rulePath}.onPodConditions` });
    }
    onPodConditions.forEach((p, j) => {
      const pattern = rec(p) ?? {};
      const patternPath = `${rulePath}.onPodConditions[${j}]`;
      const type = str(pattern.type) ?? '';
      for (const m of isQualifiedName(type)) out.push(causes.invalid(`${patternPath}.type`, type, m));
      const status = str(pattern.status) ?? '';
      if (!status) out.push(causes.required(`${patternPath}.status`, `Required value: valid values: ${quoted(CONDITION_STATUSES)}`));
      else if (!CONDITION_STATUSES.includes(status)) out.push(causes.notSupported(`${patternPath}.status`, status, CONDITION_STATUSES));
    });
    if (onExitCodes && onPodConditions.length > 0) out.push(invalidRendered(rulePath, '"null"', 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!onExitCodes && onPodConditions.length === 0) out.push(invalidRendered(rulePath, '"null"', 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return out;
}

function validateOnExitCodes(req: Json, path: string, containerNames: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  const op = str(req.operator) ?? '';
  if (!op) out.push(causes.required(`${path}.operator`, `Required value: valid values: ${quoted(ON_EXIT_CODES_OPERATORS)}`));
  else if (!ON_EXIT_CODES_OPERATORS.includes(op)) out.push(causes.notSupported(`${path}.operator`, op, ON_EXIT_CODES_OPERATORS));
  const containerName = str(req.containerName);
  if (containerName !== undefined && !containerNames.has(containerName)) {
    out.push(causes.invalid(`${path}.containerName`, containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const values = arr(req.values).map((v) => num(v) ?? 0);
  const valuesPath = `${path}.values`;
  if (values.length === 0) out.push(invalidRendered(valuesPath, '[]int32(nil)', 'at least one value is required'));
  else if (values.length > MAX_ON_EXIT_CODES_VALUES) {
    out.push({ reason: 'FieldValueTooMany', message: `Too many: ${values.length}: must have at most ${MAX_ON_EXIT_CODES_VALUES} items`, field: valuesPath });
  }
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((v, j) => {
    if (op === 'In' && v === 0) out.push(causes.invalid(`${valuesPath}[${j}]`, v, 'must not be 0 for the In operator'));
    if (seen.has(v)) out.push(causes.duplicate(`${valuesPath}[${j}]`, v));
    seen.add(v);
    if (j > 0 && values[j - 1] > v) ordered = false;
  });
  if (!ordered) out.push(invalidRendered(valuesPath, `[]int32{${values.join(', ')}}`, 'must be ordered'));
  return out;
}

/**
 * validateJobSpec: the rules a JobSpec obeys wherever it appears. `path` is `spec` for a
 * Job and `spec.jobTemplate.spec` for a CronJob.
 */
export function validateJobSpecFields(specValue: unknown, path: string): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out: StatusCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) {
    out.push(...nonNegative(spec[f], `${path}.${f}`));
  }
  if (spec.maxFailedIndexes != null) {
    out.push(...nonNegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`));
    if (spec.backoffLimitPerIndex == null) out.push(causes.required(`${path}.backoffLimitPerIndex`, 'Required value: when maxFailedIndexes is specified'));
  }
  const managedBy = str(spec.managedBy);
  if (managedBy !== undefined) {
    const slash = managedBy.indexOf('/');
    if (slash <= 0) out.push(causes.invalid(`${path}.managedBy`, managedBy, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    if (managedBy.length > MAX_MANAGED_BY_LENGTH) {
      out.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${MAX_MANAGED_BY_LENGTH} bytes`, field: `${path}.managedBy` });
    }
  }
  const mode = str(spec.completionMode);
  const indexed = mode === 'Indexed';
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') out.push(causes.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (indexed) {
      const completions = num(spec.completions);
      const parallelism = num(spec.parallelism);
      const maxFailed = num(spec.maxFailedIndexes);
      if (spec.completions == null) out.push(causes.required(`${path}.completions`, 'Required value: when completion mode is Indexed'));
      if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        out.push(causes.invalid(`${path}.parallelism`, parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
      }
      if (completions !== undefined && maxFailed !== undefined && maxFailed > completions) {
        out.push(causes.invalid(`${path}.maxFailedIndexes`, maxFailed, 'must be less than or equal to completions'));
      }
      if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
        out.push(causes.invalid(`${path}.maxFailedIndexes`, maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_FOR_INDEXED_JOB}`));
      }
    }
  }
  if (!indexed) {
    if (spec.backoffLimitPerIndex != null) out.push(causes.invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes != null) out.push(causes.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy != null) out.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
  if (spec.successPolicy != null) {
    if (!indexed) out.push(invalidRendered(`${path}.successPolicy`, 'batch.SuccessPolicy{...}', 'requires indexed completion mode'));
    else if (arr(rec(spec.successPolicy)?.rules).length === 0) {
      out.push(causes.required(`${path}.successPolicy.rules`, 'Required value: at least one rules must be specified when the successPolicy is specified'));
    }
  }
  const replacement = str(spec.podReplacementPolicy);
  if (replacement !== undefined) {
    if (spec.podFailurePolicy != null) {
      if (replacement !== 'Failed') out.push(causes.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed']));
    } else if (!POD_REPLACEMENT_POLICIES.includes(replacement)) out.push(causes.notSupported(`${path}.podReplacementPolicy`, replacement, POD_REPLACEMENT_POLICIES));
  }
  out.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  // restartPolicy is defaulted to Always for every pod template, so a Job that names none lands here.
  const restart = str(rec(rec(spec.template)?.spec)?.restartPolicy) ?? '';
  const restartPath = `${path}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === '') out.push(causes.required(restartPath, 'Required value: valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') out.push(causes.notSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy != null && restart !== 'Never') out.push(causes.invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return out;
}

/** ValidateJob (create and update) for a whole Job. */
export function validateJob(job: KubeObject, requirePrefixedLabels: boolean): StatusCause[] {
  const spec = rec(job.spec) ?? {};
  const out = [...validateGeneratedSelector(job, requirePrefixedLabels), ...validateJobSpecFields(spec, 'spec')];
  const selector = rec(spec.selector);
  if (!selector) out.push(causes.required('spec.selector'));
  else {
    out.push(...validateLabelSelector(selector, 'spec.selector'));
    const rawLabels = rec(rec(rec(spec.template)?.metadata)?.labels);
    if (!selectorMatches(selector, strMap(rawLabels))) {
      out.push(invalidRendered('spec.template.metadata.labels', goStringMap(rawLabels ? strMap(rawLabels) : undefined), '`selector` does not match template `labels`'));
    }
  }
  const completions = num(spec.completions);
  if (spec.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const hostname = `${job.metadata.name ?? ''}-${completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      out.push(causes.invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return out;
}

/** Scheduling directives a suspended Job that never started may change (AllowMutableSchedulingDirectives). */
function schedulingDirectivesReset(template: Json, newTemplate: Json): Json {
  const t = copyJson(template);
  const spec = objAt(t, 'spec');
  const newSpec = rec(newTemplate.spec) ?? {};
  const meta = objAt(t, 'metadata');
  const newMeta = rec(newTemplate.metadata) ?? {};
  const affinity = rec(spec.affinity);
  const newAffinity = rec(newSpec.affinity);
  if (!newAffinity && affinity) {
    delete affinity.nodeAffinity;
    if (Object.keys(affinity).length === 0) delete spec.affinity;
  } else if (newAffinity) {
    spec.affinity = { ...(affinity ?? {}), nodeAffinity: newAffinity.nodeAffinity };
  }
  for (const key of ['nodeSelector', 'tolerations', 'schedulingGates']) spec[key] = newSpec[key];
  for (const key of ['annotations', 'labels']) meta[key] = newMeta[key];
  return t;
}

/** ValidateJobSpecUpdate: what may change on a Job once created. */
export function validateJobSpecUpdate(job: KubeObject, old: KubeObject): StatusCause[] {
  const spec = rec(job.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  const out: StatusCause[] = [];
  const immutable = (key: string, rendered: (v: unknown) => string): void => {
    if (!jsonEqual(spec[key], oldSpec[key])) out.push(invalidRendered(`spec.${key}`, rendered(spec[key]), IMMUTABLE_MSG));
  };
  const scalar = (v: unknown): string => (v === undefined || v === null ? 'null' : JSON.stringify(v));
  // Elastic Indexed Jobs: completions may change, in tandem with parallelism.
  if (!jsonEqual(spec.completions, oldSpec.completions)) {
    if (spec.completionMode !== 'Indexed') immutable('completions', scalar);
    else if (spec.completions != null && spec.completions !== spec.parallelism) {
      out.push(causes.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  immutable('selector', (v) => (rec(v) ? `&${goLabelSelector(rec(v)!)}` : 'null'));
  const oldTemplate = rec(oldSpec.template) ?? {};
  const newTemplate = rec(spec.template) ?? {};
  const mutableScheduling = oldSpec.suspend === true && rec(old.status)?.startTime == null;
  const comparable = mutableScheduling ? schedulingDirectivesReset(oldTemplate, newTemplate) : oldTemplate;
  if (!jsonEqual(newTemplate, comparable)) out.push(invalidRendered('spec.template', 'core.PodTemplateSpec{...}', IMMUTABLE_MSG));
  immutable('completionMode', scalar);
  immutable('podFailurePolicy', () => 'batch.PodFailurePolicy{...}');
  immutable('backoffLimitPerIndex', scalar);
  immutable('managedBy', scalar);
  immutable('successPolicy', () => 'batch.SuccessPolicy{...}');
  return out;
}
