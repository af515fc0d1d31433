// policy/v1 PodDisruptionBudget (pkg/registry/policy/poddisruptionbudget/strategy.go):
// ValidatePodDisruptionBudget (minAvailable xor maxUnavailable, each an int or a percent
// up to 100%), status through /status, generation on spec changes, and the printer's
// MIN AVAILABLE / MAX UNAVAILABLE / ALLOWED DISRUPTIONS columns.

import type { KindStrategy } from '../../strategy';
import { resourceInfo, statusSubresource } from '../../strategy';
import { causes, type StatusCause } from '../../status';
import type { Printer } from '../../table';
import { intOrStringText, invalidRendered, nonNegative, rec, str } from '../../validation/field-errors';
import { validateLabelSelector } from '../../validation/metadata';
import { percentValue, validatePositiveIntOrPercent } from '../../validation/workloads';
import { num as cellNum, rec as cellRec } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { POLICY, POLICY_SCHEMAS } from './schemas';
import { PodDisruptionBudget } from './protobuf';

const info = resourceInfo({
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  kind: 'PodDisruptionBudget',
  namespaced: true,
  shortNames: ['pdb'],
  schemaRef: POLICY + 'PodDisruptionBudget',
});
info.subresources = [statusSubresource(info)];

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function intOrPercent(v: unknown, field: string): StatusCause[] {
  const out = validatePositiveIntOrPercent(v, field);
  const pct = percentValue(v);
  if (pct !== undefined && pct > 100) out.push(invalidRendered(field, intOrStringText(v), 'must not be greater than 100%'));
  return out;
}

/** ValidatePodDisruptionBudgetSpec. */
export function validatePodDisruptionBudgetSpec(specValue: unknown): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out: StatusCause[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    const rendered = `policy.PodDisruptionBudgetSpec{MinAvailable:${intOrStringText(spec.minAvailable)}, MaxUnavailable:${intOrStringText(spec.maxUnavailable)}}`;
    out.push(invalidRendered('spec', rendered, 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (spec.minAvailable != null) out.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'));
  if (spec.maxUnavailable != null) out.push(...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  const selector = rec(spec.selector);
  if (selector) out.push(...validateLabelSelector(selector, 'spec.selector'));
  const policy = str(spec.unhealthyPodEvictionPolicy);
  if (policy !== undefined && !UNHEALTHY_POD_EVICTION_POLICIES.includes(policy)) out.push(causes.notSupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POD_EVICTION_POLICIES));
  return out;
}

/** ValidatePodDisruptionBudgetStatus: the counts are never negative. */
function validateStatus(statusValue: unknown): StatusCause[] {
  const status = rec(statusValue) ?? {};
  return ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'].flatMap((f) => nonNegative(status[f], `status.${f}`));
}

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  print: (obj, now) => {
    const spec = cellRec(obj, 'spec');
    const shown = (v: unknown): string => (v === undefined || v === null ? 'N/A' : intOrStringText(v));
    return {
      cells: [obj.metadata?.name ?? '', shown(spec.minAvailable), shown(spec.maxUnavailable), cellNum(cellRec(obj, 'status'), 'disruptionsAllowed'), timestampSince(obj.metadata?.creationTimestamp, now)],
    };
  },
};

export const podDisruptionBudgetStrategy: KindStrategy = {
  info,
  schemas: POLICY_SCHEMAS,
  prepareForCreate(obj) {
    obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate(obj) {
    return [...validatePodDisruptionBudgetSpec(obj.spec), ...validateStatus(obj.status)];
  },
  generation: true,
  printer: podDisruptionBudgetPrinter,
  protobuf: PodDisruptionBudget,
};
