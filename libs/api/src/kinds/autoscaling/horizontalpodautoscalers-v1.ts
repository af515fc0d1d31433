// autoscaling/v1 HorizontalPodAutoscaler: the version `kubectl autoscale` (1.32) writes. As in
// kube-apiserver it is another view of the objects stored as autoscaling/v2: requests convert
// v1 → v2 (then v2 defaulting and validation apply) and answers v2 → v1. What v1 cannot express
// travels in the `autoscaling.alpha.kubernetes.io/*` annotations, as upstream's conversion does.

import type { SchemaNode } from '../../schema/types';
import { obj, str, int32, int64, ref, item, arr, gvk, META, AUTOSCALING } from '../../schema/dsl';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import { arr as list, num, rec, str as text, type Json } from '../../validation/field-errors';
import { type Descriptor, int, msg, str as pstr, time } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';
import { hpaPrinter } from './horizontalpodautoscalers';

const SCHEMAS: Record<string, SchemaNode> = {
  [AUTOSCALING + 'HorizontalPodAutoscaler']: obj("configuration of a horizontal pod autoscaler.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(AUTOSCALING + 'HorizontalPodAutoscalerSpec', "spec defines the behaviour of autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status."),
    status: ref(AUTOSCALING + 'HorizontalPodAutoscalerStatus', "status is the current information about the autoscaler."),
  }, undefined, gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler')),
  [AUTOSCALING + 'HorizontalPodAutoscalerList']: obj("list of horizontal pod autoscaler objects.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(AUTOSCALING + 'HorizontalPodAutoscaler'), "items is the list of horizontal pod autoscaler objects."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('autoscaling', 'v1', 'HorizontalPodAutoscalerList')),
  [AUTOSCALING + 'HorizontalPodAutoscalerSpec']: obj("specification of a horizontal pod autoscaler.", {
    maxReplicas: int32("maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas."),
    minReplicas: int32("minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod. minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured. Scaling is active as long as at least one metric value is available."),
    scaleTargetRef: ref(AUTOSCALING + 'CrossVersionObjectReference', "scaleTargetRef is the reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource."),
    targetCPUUtilizationPercentage: int32("targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used."),
  }, ['maxReplicas','scaleTargetRef']),
  [AUTOSCALING + 'HorizontalPodAutoscalerStatus']: obj("current status of a horizontal pod autoscaler", {
    currentCPUUtilizationPercentage: int32("currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU."),
    currentReplicas: int32("currentReplicas is the current number of replicas of pods managed by this autoscaler."),
    desiredReplicas: int32("desiredReplicas is the desired number of replicas of pods managed by this autoscaler."),
    lastScaleTime: ref(META + 'Time', "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed."),
    observedGeneration: int64("observedGeneration is the most recent generation observed by this autoscaler."),
  }, ['currentReplicas','desiredReplicas']),
  [AUTOSCALING + 'CrossVersionObjectReference']: obj("CrossVersionObjectReference contains enough information to let you identify the referred resource.", {
    apiVersion: str("apiVersion is the API version of the referent"),
    kind: str("kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
    name: str("name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names"),
  }, ['kind','name']),
};

const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const CONVERSION_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

const isCPUUtilization = (m: unknown): boolean => {
  const metric = rec(m);
  const resource = rec(metric?.resource);
  return text(metric?.type) === 'Resource' && text(resource?.name) === 'cpu' && text(rec(resource?.target)?.type) === 'Utilization';
};

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined; // an unparsable annotation is ignored, as upstream drops it
  }
}

/** autoscaling/v2 → autoscaling/v1. */
export function hpaV2ToV1(hpa: KubeObject): KubeObject {
  const spec = rec(hpa.spec) ?? {};
  const status = rec(hpa.status);
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const metrics = list(spec.metrics);
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior !== undefined) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const v1Spec: Json = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (cpu) v1Spec.targetCPUUtilizationPercentage = rec(rec(rec(cpu)?.resource)?.target)?.averageUtilization;
  const out: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { ...hpa.metadata }, spec: v1Spec };
  if (status) {
    const current = list(status.currentMetrics);
    const currentCpu = current.find((m) => text(rec(m)?.type) === 'Resource' && text(rec(rec(m)?.resource)?.name) === 'cpu');
    const v1Status: Json = { observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 }; // v1 has no omitempty on either
    const cpuNow = num(rec(rec(rec(currentCpu)?.resource)?.current)?.averageUtilization);
    if (cpuNow !== undefined) v1Status.currentCPUUtilizationPercentage = cpuNow;
    if (current.length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(current);
    if (list(status.conditions).length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
    out.status = Object.fromEntries(Object.entries(v1Status).filter(([, v]) => v !== undefined));
  }
  out.spec = Object.fromEntries(Object.entries(v1Spec).filter(([, v]) => v !== undefined));
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  return out;
}

/** autoscaling/v1 → autoscaling/v2 (the conversion annotations move back into fields). */
export function hpaV1ToV2(hpa: KubeObject): KubeObject {
  const spec = rec(hpa.spec) ?? {};
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const metrics: unknown[] = [];
  const cpu = num(spec.targetCPUUtilizationPercentage);
  if (cpu !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  metrics.push(...list(parseAnnotation(annotations, METRICS_ANNOTATION)));
  const v2Spec: Json = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (metrics.length > 0) v2Spec.metrics = metrics;
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (rec(behavior)) v2Spec.behavior = behavior;
  const out: KubeObject = { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { ...hpa.metadata },
    spec: Object.fromEntries(Object.entries(v2Spec).filter(([, v]) => v !== undefined)) };
  const status = rec(hpa.status);
  if (status) {
    // v2's currentReplicas is omitempty: zero is absent there.
    const v2Status: Json = { observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas === 0 ? undefined : status.currentReplicas, desiredReplicas: status.desiredReplicas };
    const current = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
    if (Array.isArray(current)) v2Status.currentMetrics = current;
    const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
    if (Array.isArray(conditions)) v2Status.conditions = conditions;
    out.status = Object.fromEntries(Object.entries(v2Status).filter(([, v]) => v !== undefined));
  }
  for (const a of CONVERSION_ANNOTATIONS) delete annotations[a];
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

/** kube-apiserver prints every version of an HPA through one printer. */
const printer: Printer = {
  columns: hpaPrinter.columns,
  print: (hpa, now) => hpaPrinter.print(hpa.apiVersion === 'autoscaling/v1' ? hpaV1ToV2(hpa) : hpa, now),
};

// ---- protobuf (staging/src/k8s.io/api/autoscaling/v1/generated.proto) ----
const CrossVersionObjectReference: Descriptor = { 1: pstr('kind', true), 2: pstr('name', true), 3: pstr('apiVersion') };
export const HorizontalPodAutoscalerV1Proto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => ({ 1: msg('scaleTargetRef', () => CrossVersionObjectReference), 2: int('minReplicas', true), 3: int('maxReplicas', true), 4: int('targetCPUUtilizationPercentage', true) })),
  3: msg('status', () => ({ 1: int('observedGeneration', true), 2: time('lastScaleTime'), 3: int('currentReplicas', true), 4: int('desiredReplicas', true), 5: int('currentCPUUtilizationPercentage', true) })),
};

export const horizontalPodAutoscalerV1Strategy: KindStrategy = {
  info: resourceInfo({ group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], categories: ['all'],
    subresources: [statusSubresource({ kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v1' })], schemaRef: AUTOSCALING + 'HorizontalPodAutoscaler' }),
  schemas: SCHEMAS,
  printer,
  protobuf: HorizontalPodAutoscalerV1Proto,
  storedAs: { version: 'v2', toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
};
