// Hand-written schemas for the strategic merge patch tests: the Pod/Deployment shape
// (as kube-apiserver publishes it in OpenAPI v3: `$ref`s wrapped in `allOf`, patch
// extensions on the property node) and apimachinery's own `MergeItem` test type.

import { SchemaNode, SchemaResolver } from '../src/schema/types';

const ref = (name: string): SchemaNode => ({ $ref: `#/components/schemas/${name}` });
const wrapped = (name: string, ext: Partial<SchemaNode> = {}): SchemaNode => ({ allOf: [ref(name)], ...ext });
const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer', format: 'int32' };
const mergeList = (items: SchemaNode, key: string, strategy = 'merge'): SchemaNode => ({
  type: 'array',
  items,
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': strategy,
});

const components: Record<string, SchemaNode> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      labels: { type: 'object', additionalProperties: str },
      annotations: { type: 'object', additionalProperties: str },
      finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
      ownerReferences: mergeList(wrapped('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference'), 'uid'),
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': { type: 'object', properties: { uid: str, name: str, kind: str } },
  'io.k8s.api.apps.v1.Deployment': {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrapped('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: wrapped('io.k8s.api.apps.v1.DeploymentSpec'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: {
      replicas: int,
      selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: str } } },
      strategy: wrapped('io.k8s.api.apps.v1.DeploymentStrategy', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
      template: wrapped('io.k8s.api.core.v1.PodTemplateSpec'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: 'object',
    properties: { type: str, rollingUpdate: { type: 'object', properties: { maxSurge: str, maxUnavailable: str } } },
  },
  'io.k8s.api.core.v1.PodTemplateSpec': {
    type: 'object',
    properties: { metadata: wrapped('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: wrapped('io.k8s.api.core.v1.PodSpec') },
  },
  'io.k8s.api.core.v1.Pod': {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrapped('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: wrapped('io.k8s.api.core.v1.PodSpec'),
    },
  },
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    properties: {
      containers: mergeList(wrapped('io.k8s.api.core.v1.Container'), 'name'),
      initContainers: mergeList(wrapped('io.k8s.api.core.v1.Container'), 'name'),
      volumes: mergeList(wrapped('io.k8s.api.core.v1.Volume'), 'name', 'merge,retainKeys'),
      tolerations: { type: 'array', items: { type: 'object', properties: { key: str, operator: str, effect: str } } },
      nodeSelector: { type: 'object', additionalProperties: str },
      restartPolicy: str,
    },
  },
  'io.k8s.api.core.v1.Container': {
    type: 'object',
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      ports: mergeList(wrapped('io.k8s.api.core.v1.ContainerPort'), 'containerPort'),
      env: mergeList(wrapped('io.k8s.api.core.v1.EnvVar'), 'name'),
      volumeMounts: mergeList({ type: 'object', properties: { name: str, mountPath: str } }, 'mountPath'),
      resources: { type: 'object', properties: { limits: { type: 'object', additionalProperties: str } } },
    },
  },
  'io.k8s.api.core.v1.ContainerPort': { type: 'object', properties: { containerPort: int, protocol: str, name: str } },
  'io.k8s.api.core.v1.EnvVar': { type: 'object', properties: { name: str, value: str } },
  'io.k8s.api.core.v1.Volume': {
    type: 'object',
    properties: {
      name: str,
      configMap: { type: 'object', properties: { name: str } },
      emptyDir: { type: 'object', properties: { medium: str } },
      secret: { type: 'object', properties: { secretName: str } },
    },
  },
  // apimachinery pkg/util/strategicpatch patch_test.go `MergeItem` / `RetainKeysMergeItem`.
  mergeItem: {
    type: 'object',
    properties: {
      name: str,
      value: str,
      other: str,
      mergingList: mergeList(ref('mergeItem'), 'name'),
      nonMergingList: { type: 'array', items: ref('mergeItem') },
      mergingIntList: { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' },
      nonMergingIntList: { type: 'array', items: int },
      simpleMap: { type: 'object', additionalProperties: str },
      replacingItem: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-patch-strategy': 'replace' },
      retainKeysMap: wrapped('retainKeysMergeItem', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
      retainKeysMergingList: mergeList(ref('mergeItem'), 'name', 'merge,retainKeys'),
    },
  },
  retainKeysMergeItem: {
    type: 'object',
    properties: {
      name: str,
      value: str,
      other: str,
      simpleMap: { type: 'object', additionalProperties: str },
      mergingIntList: { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' },
      mergingList: mergeList(ref('mergeItem'), 'name'),
      nonMergingList: { type: 'array', items: ref('mergeItem') },
    },
  },
};

export const resolve: SchemaResolver = (name) => components[name];
export const schemaOf = (name: string): SchemaNode => ref(name);
