// autoscaling/v2 HorizontalPodAutoscaler schemas, as upstream's OpenAPI (descriptions shortened).

import type { SchemaNode } from '../../schema/types';
import { obj, str, int32, int64, ref, item, arr, gvk, META, QUANTITY } from '../../schema/dsl';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

export const AUTOSCALING_V2 = 'io.k8s.api.autoscaling.v2.';

export const HPA_SCHEMAS: Record<string, SchemaNode> = {
  [AUTOSCALING_V2 + 'HorizontalPodAutoscaler']: obj("HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(AUTOSCALING_V2 + 'HorizontalPodAutoscalerSpec', "spec is the specification for the behaviour of the autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status."),
    status: ref(AUTOSCALING_V2 + 'HorizontalPodAutoscalerStatus', "status is the current information about the autoscaler."),
  }, undefined, gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler')),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerList']: obj("HorizontalPodAutoscalerList is a list of horizontal pod autoscaler objects.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(AUTOSCALING_V2 + 'HorizontalPodAutoscaler'), "items is the list of horizontal pod autoscaler objects."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "metadata is the standard list metadata."),
  }, ['items'], gvk('autoscaling', 'v2', 'HorizontalPodAutoscalerList')),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerSpec']: obj("HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.", {
    behavior: ref(AUTOSCALING_V2 + 'HorizontalPodAutoscalerBehavior', "behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used."),
    maxReplicas: int32("maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
    metrics: arr(item(AUTOSCALING_V2 + 'MetricSpec'), "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used). The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods. Ergo, metrics used must decrease as the pod count is increased, and vice-versa.", { 'x-kubernetes-list-type': 'atomic' }),
    minReplicas: int32("minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod. minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured. Scaling is active as long as at least one metric value is available."),
    scaleTargetRef: ref(AUTOSCALING_V2 + 'CrossVersionObjectReference', "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
  }, ['maxReplicas','scaleTargetRef']),
  [AUTOSCALING_V2 + 'CrossVersionObjectReference']: obj("CrossVersionObjectReference contains enough information to let you identify the referred resource.", {
    apiVersion: str("apiVersion is the API version of the referent"),
    kind: str("kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
    name: str("name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names"),
  }, ['kind','name']),
  [AUTOSCALING_V2 + 'MetricSpec']: obj("MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).", {
    containerResource: ref(AUTOSCALING_V2 + 'ContainerResourceMetricSource', "containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source."),
    external: ref(AUTOSCALING_V2 + 'ExternalMetricSource', "external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster)."),
    object: ref(AUTOSCALING_V2 + 'ObjectMetricSource', "object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object)."),
    pods: ref(AUTOSCALING_V2 + 'PodsMetricSource', "pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value."),
    resource: ref(AUTOSCALING_V2 + 'ResourceMetricSource', "resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source."),
    type: str("type is the type of metric source. It should be one of \"ContainerResource\", \"External\", \"Object\", \"Pods\" or \"Resource\", each mapping to a matching field in the object."),
  }, ['type']),
  [AUTOSCALING_V2 + 'ObjectMetricSource']: obj("ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).", {
    describedObject: ref(AUTOSCALING_V2 + 'CrossVersionObjectReference', "describedObject specifies the descriptions of a object,such as kind,name apiVersion"),
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
    target: ref(AUTOSCALING_V2 + 'MetricTarget', "target specifies the target value for the given metric"),
  }, ['describedObject','metric','target']),
  [AUTOSCALING_V2 + 'PodsMetricSource']: obj("PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value.", {
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
    target: ref(AUTOSCALING_V2 + 'MetricTarget', "target specifies the target value for the given metric"),
  }, ['metric','target']),
  [AUTOSCALING_V2 + 'ResourceMetricSource']: obj("ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory). The values will be averaged together before being compared to the target. Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source.", {
    name: str("name is the name of the resource in question."),
    target: ref(AUTOSCALING_V2 + 'MetricTarget', "target specifies the target value for the given metric"),
  }, ['name','target']),
  [AUTOSCALING_V2 + 'ContainerResourceMetricSource']: obj("ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory). The values will be averaged together before being compared to the target.", {
    container: str("container is the name of the container in the pods of the scaling target"),
    name: str("name is the name of the resource in question."),
    target: ref(AUTOSCALING_V2 + 'MetricTarget', "target specifies the target value for the given metric"),
  }, ['container','name','target']),
  [AUTOSCALING_V2 + 'ExternalMetricSource']: obj("ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).", {
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
    target: ref(AUTOSCALING_V2 + 'MetricTarget', "target specifies the target value for the given metric"),
  }, ['metric','target']),
  [AUTOSCALING_V2 + 'MetricIdentifier']: obj("MetricIdentifier defines the name and optionally selector for a metric", {
    name: str("name is the name of the given metric"),
    selector: ref(META + 'LabelSelector', "selector is the string-encoded form of a standard kubernetes label selector for the given metric When set, it is passed as an additional parameter to the metrics server for more specific metrics scoping. When unset, just the metricName will be used to gather metrics."),
  }, ['name']),
  [AUTOSCALING_V2 + 'MetricTarget']: obj("MetricTarget defines the target value, average value, or average utilization of a specific metric", {
    averageUtilization: int32("averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type"),
    averageValue: ref(QUANTITY, "averageValue is the target value of the average of the metric across all relevant pods (as a quantity)"),
    type: str("type represents whether the metric type is Utilization, Value, or AverageValue"),
    value: ref(QUANTITY, "value is the target value of the metric (as a quantity)."),
  }, ['type']),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerBehavior']: obj("HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).", {
    scaleDown: ref(AUTOSCALING_V2 + 'HPAScalingRules', "scaleDown is scaling policy for scaling Down. If not set, the default value is to allow to scale down to minReplicas pods, with a 300 second stabilization window (i.e., the highest recommendation for the last 300sec is used)."),
    scaleUp: ref(AUTOSCALING_V2 + 'HPAScalingRules', "scaleUp is scaling policy for scaling Up. If not set, the default value is the higher of: * increase no more than 4 pods per 60 seconds * double the number of pods per 60 seconds No stabilization is used."),
  }),
  [AUTOSCALING_V2 + 'HPAScalingRules']: obj("HPAScalingRules configures the scaling behavior for one direction via scaling Policy Rules and a configurable metric tolerance. Scaling Policy Rules are applied after calculating DesiredReplicas from metrics for the HPA. They can limit the scaling velocity by specifying scaling policies.", {
    policies: arr(item(AUTOSCALING_V2 + 'HPAScalingPolicy'), "policies is a list of potential scaling polices which can be used during scaling. If not set, use the default values: - For scale up: allow doubling the number of pods, or an absolute change of 4 pods in a 15s window. - For scale down: allow all pods to be removed in a 15s window.", { 'x-kubernetes-list-type': 'atomic' }),
    selectPolicy: str("selectPolicy is used to specify which policy should be used. If not set, the default value Max is used."),
    stabilizationWindowSeconds: int32("stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. StabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour). If not set, use the default values: - For scale up: 0 (i.e. no stabilization is done). - For scale down: 300 (i.e. the stabilization window is 300 seconds long)."),
    tolerance: ref(QUANTITY, "tolerance is the tolerance on the ratio between the current and desired metric value under which no updates are made to the desired number of replicas (e.g. 0.01 for 1%). Must be greater than or equal to zero. If not set, the default cluster-wide tolerance is applied (by default 10%)."),
  }),
  [AUTOSCALING_V2 + 'HPAScalingPolicy']: obj("HPAScalingPolicy is a single policy which must hold true for a specified past interval.", {
    periodSeconds: int32("periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min)."),
    type: str("type is used to specify the scaling policy."),
    value: int32("value contains the amount of change which is permitted by the policy. It must be greater than zero"),
  }, ['periodSeconds','type','value']),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerStatus']: obj("HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.", {
    conditions: arr(item(AUTOSCALING_V2 + 'HorizontalPodAutoscalerCondition'), "conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.", { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' }),
    currentMetrics: arr(item(AUTOSCALING_V2 + 'MetricStatus'), "currentMetrics is the last read state of the metrics used by this autoscaler.", { 'x-kubernetes-list-type': 'atomic' }),
    currentReplicas: int32("currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
    desiredReplicas: int32("desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler."),
    lastScaleTime: ref(META + 'Time', "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed."),
    observedGeneration: int64("observedGeneration is the most recent generation observed by this autoscaler."),
  }, ['desiredReplicas']),
  [AUTOSCALING_V2 + 'HorizontalPodAutoscalerCondition']: obj("HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.", {
    lastTransitionTime: ref(META + 'Time', "lastTransitionTime is the last time the condition transitioned from one status to another"),
    message: str("message is a human-readable explanation containing details about the transition"),
    observedGeneration: int64("observedGeneration represents the .metadata.generation that the condition was set based upon. For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date with respect to the current state of the instance."),
    reason: str("reason is the reason for the condition's last transition."),
    status: str("status is the status of the condition (True, False, Unknown)"),
    type: str("type describes the current condition"),
  }, ['status','type']),
  [AUTOSCALING_V2 + 'MetricStatus']: obj("MetricStatus describes the last-read state of a single metric.", {
    containerResource: ref(AUTOSCALING_V2 + 'ContainerResourceMetricStatus', "containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source."),
    external: ref(AUTOSCALING_V2 + 'ExternalMetricStatus', "external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster)."),
    object: ref(AUTOSCALING_V2 + 'ObjectMetricStatus', "object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object)."),
    pods: ref(AUTOSCALING_V2 + 'PodsMetricStatus', "pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value."),
    resource: ref(AUTOSCALING_V2 + 'ResourceMetricStatus', "resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source."),
    type: str("type is the type of metric source. It will be one of \"ContainerResource\", \"External\", \"Object\", \"Pods\" or \"Resource\", each corresponds to a matching field in the object."),
  }, ['type']),
  [AUTOSCALING_V2 + 'ObjectMetricStatus']: obj("ObjectMetricStatus indicates the current value of a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).", {
    current: ref(AUTOSCALING_V2 + 'MetricValueStatus', "current contains the current value for the given metric"),
    describedObject: ref(AUTOSCALING_V2 + 'CrossVersionObjectReference', "describedObject specifies the descriptions of a object,such as kind,name apiVersion"),
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
  }, ['current','describedObject','metric']),
  [AUTOSCALING_V2 + 'PodsMetricStatus']: obj("PodsMetricStatus indicates the current value of a metric describing each pod in the current scale target (for example, transactions-processed-per-second).", {
    current: ref(AUTOSCALING_V2 + 'MetricValueStatus', "current contains the current value for the given metric"),
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
  }, ['current','metric']),
  [AUTOSCALING_V2 + 'ResourceMetricStatus']: obj("ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source.", {
    current: ref(AUTOSCALING_V2 + 'MetricValueStatus', "current contains the current value for the given metric"),
    name: str("name is the name of the resource in question."),
  }, ['current','name']),
  [AUTOSCALING_V2 + 'ContainerResourceMetricStatus']: obj("ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the \"pods\" source.", {
    container: str("container is the name of the container in the pods of the scaling target"),
    current: ref(AUTOSCALING_V2 + 'MetricValueStatus', "current contains the current value for the given metric"),
    name: str("name is the name of the resource in question."),
  }, ['container','current','name']),
  [AUTOSCALING_V2 + 'ExternalMetricStatus']: obj("ExternalMetricStatus indicates the current value of a global metric not associated with any Kubernetes object.", {
    current: ref(AUTOSCALING_V2 + 'MetricValueStatus', "current contains the current value for the given metric"),
    metric: ref(AUTOSCALING_V2 + 'MetricIdentifier', "metric identifies the target metric by name and selector"),
  }, ['current','metric']),
  [AUTOSCALING_V2 + 'MetricValueStatus']: obj("MetricValueStatus holds the current value for a metric", {
    averageUtilization: int32("averageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods."),
    averageValue: ref(QUANTITY, "averageValue is the current value of the average of the metric across all relevant pods (as a quantity)"),
    value: ref(QUANTITY, "value is the current value of the metric (as a quantity)."),
  }),
};
