// autoscaling/v2 HorizontalPodAutoscaler (pkg/registry/autoscaling/horizontalpodautoscaler):
// scale a target between minReplicas and maxReplicas on metrics. Defaults follow
// pkg/apis/autoscaling/v2/defaults.go; status is written through /status.

import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import { arr as list, num, rec, str as text, type Json } from '../../validation/field-errors';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { type Descriptor, int, msg, msgs, quantity, str, time } from '../../protobuf/decode';
import { LabelSelector, ObjectMeta } from '../../protobuf/meta';
import { AUTOSCALING_V2, HPA_SCHEMAS } from './hpa-schemas';
import { validateHorizontalPodAutoscaler } from './hpa-validation';

/** autoscaling.DefaultCPUUtilization: the target when no metric is given. */
export const DEFAULT_CPU_UTILIZATION = 80;

const defaultScaleUpRules = (): Json => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
// No stabilization window: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies.
const defaultScaleDownRules = (): Json => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

/** copyHPAScalingRules: the set fields of `from` over a full default rule set. */
function fillScalingRules(from: unknown, defaults: Json): Json {
  const rules = rec(from);
  if (!rules) return defaults;
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    if (rules[key] !== undefined && rules[key] !== null) defaults[key] = rules[key];
  }
  return defaults;
}

/** SetDefaults_HorizontalPodAutoscaler with SetDefaults_HorizontalPodAutoscalerBehavior. */
export function defaultHorizontalPodAutoscaler(hpa: KubeObject): void {
  const spec = rec(hpa.spec);
  if (!spec) return;
  if (spec.minReplicas === undefined || spec.minReplicas === null) spec.minReplicas = 1;
  if (list(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  const behavior = rec(spec.behavior);
  if (behavior) {
    behavior.scaleUp = fillScalingRules(behavior.scaleUp, defaultScaleUpRules());
    behavior.scaleDown = fillScalingRules(behavior.scaleDown, defaultScaleDownRules());
  }
}

const quantityText = (v: unknown): string => (typeof v === 'number' ? String(v) : (text(v) ?? ''));

/** One TARGETS entry (formatHPAMetrics), e.g. `cpu: <unknown>/80%`. */
function formatMetric(spec: Json, status: Json | undefined): string {
  const unknown = '<unknown>';
  switch (text(spec.type)) {
    case 'External':
    case 'Object': {
      const key = text(spec.type) === 'External' ? 'external' : 'object';
      const target = rec(rec(spec[key])?.target) ?? {};
      const current = rec(rec(status?.[key])?.current);
      if (target.averageValue !== undefined) {
        return `${current?.averageValue !== undefined ? quantityText(current.averageValue) : unknown}/${quantityText(target.averageValue)} (avg)`;
      }
      return `${current ? quantityText(current.value) : unknown}/${quantityText(target.value)}`;
    }
    case 'Pods': {
      const current = rec(rec(status?.pods)?.current);
      return `${current ? quantityText(current.averageValue) : unknown}/${quantityText(rec(rec(spec.pods)?.target)?.averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = text(spec.type) === 'Resource' ? 'resource' : 'containerResource';
      const source = rec(spec[key]) ?? {};
      const target = rec(source.target) ?? {};
      const current = rec(rec(status?.[key])?.current);
      const name = text(source.name) ?? '';
      if (target.averageValue !== undefined) {
        return `${name}: ${current ? quantityText(current.averageValue) : unknown}/${quantityText(target.averageValue)}`;
      }
      const currentPct = num(current?.averageUtilization);
      const targetPct = num(target.averageUtilization);
      return `${name}: ${currentPct !== undefined ? `${currentPct}%` : unknown}/${targetPct !== undefined ? `${targetPct}%` : '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

export function formatHPAMetrics(specs: unknown[], statuses: unknown[]): string {
  if (specs.length === 0) return '<none>';
  const max = 2;
  const all = specs.map((s, i) => formatMetric(rec(s) ?? {}, rec(statuses[i])));
  return all.length > max ? `${all.slice(0, max).join(', ')} + ${all.length - max} more...` : all.join(', ');
}

export const hpaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.'),
    column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
    column('Replicas', 'string', 'current number of replicas of pods managed by this autoscaler.'),
    AGE_COLUMN,
  ],
  print: (hpa, now) => {
    const spec = rec(hpa.spec) ?? {};
    const status = rec(hpa.status) ?? {};
    const ref = rec(spec.scaleTargetRef) ?? {};
    const min = num(spec.minReplicas);
    return {
      cells: [
        hpa.metadata?.name ?? '',
        `${text(ref.kind) ?? ''}/${text(ref.name) ?? ''}`,
        formatHPAMetrics(list(spec.metrics), list(status.currentMetrics)),
        min !== undefined ? String(min) : '<unset>',
        num(spec.maxReplicas) ?? 0,
        num(status.currentReplicas) ?? 0,
        timestampSince(hpa.metadata?.creationTimestamp, now),
      ],
    };
  },
};

// ---- protobuf (staging/src/k8s.io/api/autoscaling/v2/generated.proto) ----
const CrossVersionObjectReference: Descriptor = { 1: str('kind', true), 2: str('name', true), 3: str('apiVersion') };
const MetricIdentifier: Descriptor = { 1: str('name', true), 2: msg('selector', () => LabelSelector) };
const MetricTarget: Descriptor = { 1: str('type', true), 2: quantity('value'), 3: quantity('averageValue'), 4: int('averageUtilization', true) };
const MetricValueStatus: Descriptor = { 1: quantity('value'), 2: quantity('averageValue'), 3: int('averageUtilization', true) };
const identified = (extra: Descriptor = {}): Descriptor => ({ 1: msg('metric', () => MetricIdentifier), 2: msg('target', () => MetricTarget), ...extra });
const MetricSpec: Descriptor = {
  1: str('type', true),
  2: msg('object', () => ({ 1: msg('describedObject', () => CrossVersionObjectReference), 2: msg('target', () => MetricTarget), 3: msg('metric', () => MetricIdentifier) })),
  3: msg('pods', () => identified()),
  4: msg('resource', () => ({ 1: str('name', true), 2: msg('target', () => MetricTarget) })),
  5: msg('external', () => identified()),
  7: msg('containerResource', () => ({ 1: str('name', true), 2: msg('target', () => MetricTarget), 3: str('container', true) })),
};
const currentOf = (extra: Descriptor = {}): Descriptor => ({ 1: msg('metric', () => MetricIdentifier), 2: msg('current', () => MetricValueStatus), ...extra });
const MetricStatus: Descriptor = {
  1: str('type', true),
  2: msg('object', () => currentOf({ 3: msg('describedObject', () => CrossVersionObjectReference) })),
  3: msg('pods', () => currentOf()),
  4: msg('resource', () => ({ 1: str('name', true), 2: msg('current', () => MetricValueStatus) })),
  5: msg('external', () => currentOf()),
  7: msg('containerResource', () => ({ 1: str('name', true), 2: msg('current', () => MetricValueStatus), 3: str('container', true) })),
};
const HPAScalingPolicy: Descriptor = { 1: str('type', true), 2: int('value', true), 3: int('periodSeconds', true) };
const HPAScalingRules: Descriptor = { 1: str('selectPolicy', true), 2: msgs('policies', () => HPAScalingPolicy), 3: int('stabilizationWindowSeconds', true), 4: quantity('tolerance') };
const HorizontalPodAutoscalerSpec: Descriptor = {
  1: msg('scaleTargetRef', () => CrossVersionObjectReference),
  2: int('minReplicas', true),
  3: int('maxReplicas', true),
  4: msgs('metrics', () => MetricSpec),
  5: msg('behavior', () => ({ 1: msg('scaleUp', () => HPAScalingRules), 2: msg('scaleDown', () => HPAScalingRules) })),
};
const HorizontalPodAutoscalerCondition: Descriptor = {
  1: str('type', true), 2: str('status', true), 3: time('lastTransitionTime'), 4: str('reason'), 5: str('message'), 6: int('observedGeneration'),
};
const HorizontalPodAutoscalerStatus: Descriptor = {
  1: int('observedGeneration', true), 2: time('lastScaleTime'), 3: int('currentReplicas'), 4: int('desiredReplicas', true),
  5: msgs('currentMetrics', () => MetricStatus), 6: msgs('conditions', () => HorizontalPodAutoscalerCondition),
};
export const HorizontalPodAutoscalerProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => HorizontalPodAutoscalerSpec),
  3: msg('status', () => HorizontalPodAutoscalerStatus),
};

export const horizontalPodAutoscalerStrategy: KindStrategy = {
  info: resourceInfo({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], categories: ['all'],
    subresources: [statusSubresource({ kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v2' })], schemaRef: AUTOSCALING_V2 + 'HorizontalPodAutoscaler' }),
  schemas: HPA_SCHEMAS,
  defaults: defaultHorizontalPodAutoscaler,
  prepareForCreate(hpa) {
    hpa.status = { desiredReplicas: 0 };
  },
  validate: validateHorizontalPodAutoscaler,
  printer: hpaPrinter,
  protobuf: HorizontalPodAutoscalerProto,
};
