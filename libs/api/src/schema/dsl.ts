// Small builders for writing Kubernetes OpenAPI schemas compactly. They produce
// the same shapes the kube-apiserver serves in its OpenAPI v3 documents:
// nested kinds are `allOf: [{$ref}]` with the field's own description beside it.

import type { SchemaNode } from './types';

export const REF_PREFIX = '#/components/schemas/';

/** Component-name prefixes, so schema files stay readable. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE = 'io.k8s.api.core.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const COORDINATION = 'io.k8s.api.coordination.v1.';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

type Ext = Partial<SchemaNode>;

export function obj(description: string, properties: Record<string, SchemaNode>, required?: string[], ext?: Ext): SchemaNode {
  const node: SchemaNode = { description, type: 'object', properties };
  if (required && required.length > 0) node.required = required;
  return { ...node, ...ext };
}

export const str = (description: string, ext?: Ext): SchemaNode => ({ description, type: 'string', ...ext });
export const bool = (description: string, ext?: Ext): SchemaNode => ({ description, type: 'boolean', ...ext });
export const int32 = (description: string, ext?: Ext): SchemaNode => ({ description, type: 'integer', format: 'int32', ...ext });
export const int64 = (description: string, ext?: Ext): SchemaNode => ({ description, type: 'integer', format: 'int64', ...ext });

/** A field whose type is another named schema. */
export const ref = (name: string, description: string, ext?: Ext): SchemaNode =>
  ({ description, allOf: [{ $ref: REF_PREFIX + name }], ...ext });

/** Array item or map value that is a named schema. */
export const item = (name: string): SchemaNode => ({ $ref: REF_PREFIX + name });
export const strItem: SchemaNode = { type: 'string', default: '' };

export const arr = (items: SchemaNode, description: string, ext?: Ext): SchemaNode =>
  ({ description, type: 'array', items, ...ext });
export const strArr = (description: string, ext?: Ext): SchemaNode => arr(strItem, description, ext);

/** map[string]T */
export const map = (values: SchemaNode, description: string, ext?: Ext): SchemaNode =>
  ({ description, type: 'object', additionalProperties: values, ...ext });
export const strMap = (description: string, ext?: Ext): SchemaNode => map(strItem, description, ext);

/** The `apiVersion` and `kind` properties every kind's schema (and its list's) starts with. */
export const API_VERSION_PROPERTY = str('APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.');
export const KIND_PROPERTY = str('Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.');

/** Strategic-merge-patch: merge list items by `key` (`patchStrategy=merge`, `patchMergeKey=key`). */
export const mergeBy = (key: string, strategy = 'merge'): Ext =>
  ({ 'x-kubernetes-patch-strategy': strategy, 'x-kubernetes-patch-merge-key': key });
export const listMap = (...keys: string[]): Ext => ({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
export const atomic: Ext = { 'x-kubernetes-list-type': 'atomic' };
export const listSet: Ext = { 'x-kubernetes-list-type': 'set' };
export const mapAtomic: Ext = { 'x-kubernetes-map-type': 'atomic' };

export const gvk = (group: string, version: string, kind: string): Ext =>
  ({ 'x-kubernetes-group-version-kind': [{ group, kind, version }] });

/** Group versions Keelson serves; the meta kinds below are registered in each, as upstream. */
const SERVED_GROUP_VERSIONS: [string, string][] = [
  ['', 'v1'], ['apps', 'v1'], ['autoscaling', 'v1'], ['autoscaling', 'v2'], ['batch', 'v1'], ['coordination.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1'], ['events.k8s.io', 'v1'], ['networking.k8s.io', 'v1'], ['policy', 'v1'], ['scheduling.k8s.io', 'v1'],
  ['storage.k8s.io', 'v1'], ['apiextensions.k8s.io', 'v1'], ['rbac.authorization.k8s.io', 'v1'],
];

/** DeleteOptions and WatchEvent belong to every group version. */
export const sharedKindGVKs = (kindName: string): Ext =>
  ({ 'x-kubernetes-group-version-kind': SERVED_GROUP_VERSIONS.map(([group, version]) => ({ group, kind: kindName, version })) });
