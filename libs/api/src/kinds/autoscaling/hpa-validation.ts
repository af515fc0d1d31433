// ValidateHorizontalPodAutoscaler(Update) of pkg/apis/autoscaling/validation, for autoscaling/v2
// objects: replica bounds, the scale target, each metric source and the scaling behavior.

import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import { parseQuantity } from '../../defaults';
import { arr as list, invalidRendered, num, rec, str as text, type Json } from '../../validation/field-errors';
import { isDNS1123Label } from '../../validation/names';
import { isPathSegmentName, validateReferenceKindAndName } from '../../validation/network-names';

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
/** Metric type → the field holding its source. */
const SOURCE_FIELDS: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];

/** ValidateCrossVersionObjectReference. */
export const validateCrossVersionObjectReference = (ref: Json, path: string): StatusCause[] => validateReferenceKindAndName(ref, path);

/** A quantity field must be > 0; Go prints the Quantity unquoted (it is a Stringer). */
function positiveQuantity(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  const q = parseQuantity(value);
  return q !== undefined && q > 0 ? [] : [invalidRendered(field, String(value), 'must be positive')];
}

function validateMetricTarget(target: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const type = text(target.type) ?? '';
  if (!type) out.push(causes.required(`${path}.type`, 'Required value: must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) out.push(causes.invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  out.push(...positiveQuantity(target.value, `${path}.value`), ...positiveQuantity(target.averageValue, `${path}.averageValue`));
  const utilization = num(target.averageUtilization);
  if (utilization !== undefined && utilization < 1) out.push(causes.invalid(`${path}.averageUtilization`, utilization, 'must be greater than 0'));
  return out;
}

function validateMetricIdentifier(id: Json, path: string): StatusCause[] {
  const name = text(id.name) ?? '';
  if (!name) return [causes.required(`${path}.name`, 'Required value: must specify a metric name')];
  return isPathSegmentName(name).map((m) => causes.invalid(`${path}.name`, name, m));
}

const has = (o: Json, key: string): boolean => o[key] !== undefined && o[key] !== null;

function validateSource(type: string, src: Json, path: string): StatusCause[] {
  const target = rec(src.target) ?? {};
  const targetPath = `${path}.target`;
  const out: StatusCause[] = [];
  switch (type) {
    case 'object':
      out.push(...validateCrossVersionObjectReference(rec(src.describedObject) ?? {}, `${path}.describedObject`));
      out.push(...validateMetricIdentifier(rec(src.metric) ?? {}, `${path}.metric`), ...validateMetricTarget(target, targetPath));
      if (!has(target, 'value') && !has(target, 'averageValue')) out.push(causes.required(`${targetPath}.averageValue`, 'Required value: must set either a target value or averageValue'));
      break;
    case 'external':
      out.push(...validateMetricIdentifier(rec(src.metric) ?? {}, `${path}.metric`), ...validateMetricTarget(target, targetPath));
      if (!has(target, 'value') && !has(target, 'averageValue')) out.push(causes.required(`${targetPath}.averageValue`, 'Required value: must set either a target value for metric or a per-pod target'));
      if (has(target, 'value') && has(target, 'averageValue')) out.push(causes.forbidden(`${targetPath}.value`, 'may not set both a target value for metric and a per-pod target'));
      break;
    case 'pods':
      out.push(...validateMetricIdentifier(rec(src.metric) ?? {}, `${path}.metric`), ...validateMetricTarget(target, targetPath));
      if (!has(target, 'averageValue')) out.push(causes.required(`${targetPath}.averageValue`, 'Required value: must specify a positive target averageValue'));
      break;
    case 'resource':
    case 'containerResource': {
      const name = text(src.name) ?? '';
      if (!name) out.push(causes.required(`${path}.name`, 'Required value: must specify a resource name'));
      if (type === 'containerResource') {
        const container = text(src.container) ?? '';
        if (!container) out.push(causes.required(`${path}.container`, 'Required value: must specify a container'));
        else for (const m of isDNS1123Label(container)) out.push(causes.invalid(`${path}.container`, container, m));
      }
      out.push(...validateMetricTarget(target, targetPath));
      if (!has(target, 'averageUtilization') && !has(target, 'averageValue')) {
        out.push(causes.required(`${targetPath}.averageUtilization`, 'Required value: must set either a target raw value or a target utilization'));
      }
      if (has(target, 'averageUtilization') && has(target, 'averageValue')) {
        out.push(causes.forbidden(`${targetPath}.averageValue`, 'may not set both a target raw value and a target utilization'));
      }
      break;
    }
  }
  return out;
}

/** validateMetricSpec: the type names exactly one populated source. */
function validateMetricSpec(spec: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const type = text(spec.type) ?? '';
  if (!type) out.push(causes.required(`${path}.type`, 'Required value: must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(type)) out.push(causes.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES));
  const present = ['object', 'external', 'pods', 'resource', 'containerResource'].filter((f) => has(spec, f));
  // Only the first populated source is validated in depth, as upstream.
  if (present.length > 0) out.push(...validateSource(present[0], rec(spec[present[0]]) ?? {}, `${path}.${present[0]}`));
  const expected = Object.hasOwn(SOURCE_FIELDS, type) ? SOURCE_FIELDS[type] : undefined; // `type` is user input
  if (expected && !has(spec, expected)) out.push(causes.required(`${path}.${expected}`, 'Required value: must populate information for the given metric source'));
  if (present.length !== 1) {
    for (const f of present) if (f !== expected) out.push(causes.forbidden(`${path}.${f}`, 'must populate the given metric source only'));
  }
  return out;
}

function validateScalingRules(rules: Json | undefined, path: string): StatusCause[] {
  if (!rules) return [];
  const out: StatusCause[] = [];
  const window = num(rules.stabilizationWindowSeconds);
  if (window !== undefined && window < 0) out.push(causes.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'));
  if (window !== undefined && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    out.push(causes.invalid(`${path}.stabilizationWindowSeconds`, window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  const select = text(rules.selectPolicy);
  if (select !== undefined && !SELECT_POLICIES.includes(select)) out.push(causes.notSupported(`${path}.selectPolicy`, select, SELECT_POLICIES));
  const policies = list(rules.policies);
  if (policies.length === 0) out.push(causes.required(`${path}.policies`, 'Required value: must specify at least one Policy'));
  policies.forEach((p, i) => {
    const policy = rec(p) ?? {};
    const pp = `${path}.policies[${i}]`;
    const type = text(policy.type) ?? '';
    if (!POLICY_TYPES.includes(type)) out.push(causes.notSupported(`${pp}.type`, type, POLICY_TYPES));
    const value = num(policy.value) ?? 0;
    if (value <= 0) out.push(causes.invalid(`${pp}.value`, value, 'must be greater than zero'));
    const period = num(policy.periodSeconds) ?? 0;
    if (period <= 0) out.push(causes.invalid(`${pp}.periodSeconds`, period, 'must be greater than zero'));
    if (period > MAX_PERIOD_SECONDS) out.push(causes.invalid(`${pp}.periodSeconds`, period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return out;
}

/** ValidateHorizontalPodAutoscaler(Update) (without the HPAScaleToZero feature). */
export function validateHorizontalPodAutoscaler(hpa: KubeObject, old?: KubeObject): StatusCause[] {
  const spec = rec(hpa.spec) ?? {};
  const out: StatusCause[] = [];
  // An object that already scales to zero may keep doing so.
  const oldMin = old ? num(rec(old.spec)?.minReplicas) : undefined;
  const lowerBound = oldMin === 0 ? 0 : 1;
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < lowerBound) out.push(causes.invalid('spec.minReplicas', min, `must be greater than or equal to ${lowerBound}`));
  if (max < 1) out.push(causes.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) out.push(causes.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  out.push(...validateCrossVersionObjectReference(rec(spec.scaleTargetRef) ?? {}, 'spec.scaleTargetRef'));
  const metrics = list(spec.metrics);
  metrics.forEach((m, i) => out.push(...validateMetricSpec(rec(m) ?? {}, `spec.metrics[${i}]`)));
  if (min === 0 && !metrics.some((m) => ['Object', 'External'].includes(text(rec(m)?.type) ?? ''))) {
    out.push(causes.forbidden('spec.metrics', 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  const behavior = rec(spec.behavior);
  if (behavior) {
    out.push(...validateScalingRules(rec(behavior.scaleUp), 'spec.behavior.scaleUp'), ...validateScalingRules(rec(behavior.scaleDown), 'spec.behavior.scaleDown'));
  }
  const status = rec(hpa.status) ?? {};
  for (const key of ['currentReplicas', 'desiredReplicas']) {
    const n = num(status[key]);
    if (n !== undefined && n < 0) out.push(causes.invalid(`status.${key}`, n, 'must be greater than or equal to 0'));
  }
  return out;
}
