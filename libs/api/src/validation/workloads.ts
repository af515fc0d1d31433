// apps/v1 Deployment and ReplicaSet validation (pkg/apis/apps/validation):
// selector present, non-empty and matching the template; restartPolicy Always;
// rolling-update parameters; and an immutable selector on update.

import { causes } from '../status';
import type { StatusCause } from '../status';
import { regexError } from './names';
import { goLabelSelector, IMMUTABLE_MSG, intOrStringText, invalidRendered, Json, jsonEqual, nonNegative, num, rec, str } from './field-errors';
import { validateLabelSelector, validateSelectorMatchesTemplate } from './metadata';
import { validatePodTemplateSpec } from './pod';

const PERCENT_FMT = '[0-9]+%';
const PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'";

/**
 * The selector rules of the apps kinds: present, valid, not empty. Deployments and
 * ReplicaSets both print "for deployment", as Kubernetes does; `kind` names the others.
 */
export function validateSelector(spec: Json, kind = 'deployment'): StatusCause[] {
  const sel = rec(spec.selector);
  if (!sel) return [causes.required('spec.selector')];
  const out = validateLabelSelector(sel, 'spec.selector');
  if (Object.keys(rec(sel.matchLabels) ?? {}).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0) {
    out.push(invalidRendered('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kind}`));
  }
  return out;
}

/** ValidatePodTemplateSpecForReplicaSet. */
function validateTemplateForReplicaSet(spec: Json): StatusCause[] {
  const template = rec(spec.template);
  if (!template) return [causes.required('spec.template')];
  const out: StatusCause[] = [];
  const sel = rec(spec.selector);
  if (sel) out.push(...validateSelectorMatchesTemplate(sel, template.metadata, 'spec.template.metadata.labels'));
  out.push(...validatePodTemplateSpec(template, 'spec.template'));
  const podSpec = rec(template.spec) ?? {};
  const restart = podSpec.restartPolicy;
  // An absent restartPolicy is defaulted to Always before validation runs.
  if (restart !== undefined && restart !== 'Always') out.push(causes.notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    out.push(causes.invalid('spec.template.spec.activeDeadlineSeconds', podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return out;
}

export function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v)) return undefined;
  return Number(v.slice(0, -1));
}

export function intOrPercentValue(v: unknown): number {
  return typeof v === 'number' ? v : (percentValue(v) ?? 0);
}

/** ValidatePositiveIntOrPercent: a non-negative integer or a valid percent string. */
export function validatePositiveIntOrPercent(v: unknown, field: string): StatusCause[] {
  if (typeof v === 'string') {
    return percentValue(v) === undefined ? [invalidRendered(field, intOrStringText(v), regexError(PERCENT_ERR, PERCENT_FMT, '1%', '93%'))] : [];
  }
  return typeof v === 'number' && v < 0 ? [invalidRendered(field, String(v), 'must be greater than or equal to 0')] : [];
}

function validateStrategy(strategyValue: unknown): StatusCause[] {
  const strategy = rec(strategyValue) ?? {};
  const type = str(strategy.type) ?? '';
  const ru = rec(strategy.rollingUpdate);
  if (type === 'Recreate') {
    return ru ? [causes.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === 'RollingUpdate') {
    if (!ru) return [causes.required('spec.strategy.rollingUpdate', 'Required value: this should be defaulted and never be nil')];
    const path = 'spec.strategy.rollingUpdate';
    const out = [...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`)];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      out.push(invalidRendered(`${path}.maxUnavailable`, intOrStringText(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
    }
    const pct = percentValue(ru.maxUnavailable);
    if (pct !== undefined && pct > 100) out.push(invalidRendered(`${path}.maxUnavailable`, intOrStringText(ru.maxUnavailable), 'must not be greater than 100%'));
    return out;
  }
  // Kubernetes reports the whole strategy struct here.
  const rendered = `apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${ru ? '(*apps.RollingUpdateDeployment)(...)' : '(*apps.RollingUpdateDeployment)(nil)'}}`;
  return [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${rendered}: supported values: "Recreate", "RollingUpdate"`, field: 'spec.strategy' }];
}

export function validateDeploymentSpec(specValue: unknown): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out = [...nonNegative(spec.replicas, 'spec.replicas'), ...validateSelector(spec), ...validateTemplateForReplicaSet(spec)];
  out.push(...validateStrategy(spec.strategy));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = num(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    out.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(spec.minReadySeconds) ?? 0)) out.push(causes.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return out;
}

export function validateReplicaSetSpec(specValue: unknown): StatusCause[] {
  const spec = rec(specValue) ?? {};
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelector(spec),
    ...validateTemplateForReplicaSet(spec),
  ];
}

/** apps/v1 forbids changing the selector after creation. */
export function validateSelectorUpdate(newSpec: unknown, oldSpec: unknown): StatusCause[] {
  const a = rec(newSpec)?.selector;
  const b = rec(oldSpec)?.selector;
  if (jsonEqual(a, b)) return [];
  const sel = rec(a);
  return [invalidRendered('spec.selector', sel ? goLabelSelector(sel) : 'null', IMMUTABLE_MSG)];
}
