// core/v1 ResourceQuota (pkg/registry/core/resourcequota): validation of resource names,
// quantities and scopes, printResourceQuota's REQUEST and LIMIT columns, and the protobuf
// message `kubectl create quota` sends. Usage is the quota controller's (its own issue); until it
// runs, status.hard mirrors spec.hard as that controller's first sync would.
import { parseQuantity } from '../../defaults';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { rec as recAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { msg, msgs, quantityMap, str as pbStr, strs as pbStrs, type Descriptor } from '../../protobuf/decode';
import { ObjectMeta as ObjectMetaPb } from '../../protobuf/meta';
import { arr, atomic, item, map, obj, ref, str, strArr, CORE, QUANTITY } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { arr as arrOf, jsonEqual, rec, str as strOf } from '../../validation/field-errors';
import { isQualifiedName } from '../../validation/names';
import { kindSchema, listSchema } from './object-schemas';
import { copyJson } from '../../json-copy';

export const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

/** Resources counted as whole objects (IsIntegerResourceName) and the compute/storage ones. */
const INTEGER_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const STANDARD_RESOURCES = new Set([...INTEGER_RESOURCES, 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage']);

function isStandardQuotaResource(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || name.startsWith('count/') || /^(requests\.|limits\.)?hugepages-/.test(name) || name.includes('/');
}

const isInteger = (name: string): boolean => INTEGER_RESOURCES.has(name) || name.startsWith('count/');

/** ValidateResourceQuotaResourceName + ValidateResourceQuantityValue for one resource list. */
function validateResourceList(list: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [name, value] of Object.entries(rec(list) ?? {})) {
    const path = `${field}[${name}]`;
    for (const m of isQualifiedName(name)) out.push(causes.invalid(path, name, m));
    if (!name.includes('/') && !isStandardQuotaResource(name)) out.push(causes.invalid(path, name, 'must be a standard resource for quota'));
    const q = parseQuantity(value);
    if (q === undefined) continue; // the schema reports what is not a quantity
    if (q < 0) out.push(causes.invalid(path, String(value), 'must be greater than or equal to 0'));
    else if (isInteger(name) && !Number.isInteger(q)) out.push(causes.invalid(path, String(value), 'must be an integer'));
  }
  return out;
}

export function validateResourceQuota(o: KubeObject): StatusCause[] {
  const spec = rec(o.spec) ?? {};
  const status = rec(o.status) ?? {};
  const out = [...validateResourceList(spec.hard, 'spec.hard'), ...validateResourceList(status.used, 'status.used')];
  // status.hard mirroring spec.hard would only repeat the spec's errors.
  if (!jsonEqual(status.hard, spec.hard)) out.push(...validateResourceList(status.hard, 'status.hard'));
  arrOf(spec.scopes).forEach((s, i) => {
    if (!QUOTA_SCOPES.includes(String(s))) out.push(causes.invalid(`spec.scopes[${i}]`, s, 'unsupported scope'));
  });
  const scopes = new Set(arrOf(spec.scopes).map(String));
  if (scopes.has('BestEffort') && scopes.has('NotBestEffort')) out.push(causes.invalid('spec.scopes', [...scopes], 'conflicting scopes'));
  if (scopes.has('Terminating') && scopes.has('NotTerminating')) out.push(causes.invalid('spec.scopes', [...scopes], 'conflicting scopes'));
  arrOf(rec(spec.scopeSelector)?.matchExpressions).forEach((e, i) => {
    const req = rec(e) ?? {};
    const path = `spec.scopeSelector.matchExpressions[${i}]`;
    const scope = strOf(req.scopeName) ?? '';
    if (!QUOTA_SCOPES.includes(scope)) out.push(causes.invalid(`${path}.scopeName`, scope, 'unsupported scope'));
    const op = strOf(req.operator) ?? '';
    if (!['DoesNotExist', 'Exists', 'In', 'NotIn'].includes(op)) out.push(causes.notSupported(`${path}.operator`, op, ['DoesNotExist', 'Exists', 'In', 'NotIn']));
  });
  return out;
}

/** printResourceQuota: `name: used/hard` over status.hard sorted, `limits.*` in the LIMIT column. */
export function quotaColumns(o: KubeObject): [string, string] {
  const status = recAt(o, 'status');
  const hard = recAt(status, 'hard');
  const used = recAt(status, 'used');
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${String(used[name] ?? '0')}/${String(hard[name])}`;
    (name.split('.').length > 1 && name.split('.')[0] === 'limits' ? limit : request).push(text);
  }
  return [request.join(', '), limit.join(', ')];
}

const schemas: Record<string, SchemaNode> = {
  [CORE + 'ResourceQuota']: kindSchema('ResourceQuota', 'ResourceQuota sets aggregate quota restrictions enforced per namespace',
    'Spec defines the desired quota. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    'Status defines the actual enforced quota and its current usage. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
  ...listSchema('ResourceQuota', 'ResourceQuotaList is a list of ResourceQuota items.', 'Items is a list of ResourceQuota objects. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/'),
  [CORE + 'ResourceQuotaSpec']: obj('ResourceQuotaSpec defines the desired hard limits to enforce for Quota.', {
    hard: map(item(QUANTITY), 'hard is the set of desired hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/'),
    scopeSelector: ref(CORE + 'ScopeSelector', 'scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values. For a resource to match, both scopes AND scopeSelector (if specified in spec), must be matched.'),
    scopes: strArr('A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.', atomic),
  }),
  [CORE + 'ResourceQuotaStatus']: obj('ResourceQuotaStatus defines the enforced hard limits and observed use.', {
    hard: map(item(QUANTITY), 'Hard is the set of enforced hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/'),
    used: map(item(QUANTITY), 'Used is the current observed total usage of the resource in the namespace.'),
  }),
  [CORE + 'ScopeSelector']: obj('A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.', {
    matchExpressions: arr(item(CORE + 'ScopedResourceSelectorRequirement'), 'A list of scope selector requirements by scope of the resources.', atomic),
  }, undefined, { 'x-kubernetes-map-type': 'atomic' }),
  [CORE + 'ScopedResourceSelectorRequirement']: obj('A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.', {
    operator: str("Represents a scope's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist.", { enum: ['DoesNotExist', 'Exists', 'In', 'NotIn'] }),
    scopeName: str('The name of the scope that the selector applies to.', { enum: QUOTA_SCOPES }),
    values: strArr('An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.', atomic),
  }, ['scopeName', 'operator']),
};

const ScopedResourceSelectorRequirement: Descriptor = { 1: pbStr('scopeName'), 2: pbStr('operator'), 3: pbStrs('values') };
/** staging/src/k8s.io/api/core/v1/generated.proto: ResourceQuota, ResourceQuotaSpec, ResourceQuotaStatus, ScopeSelector. */
export const ResourceQuotaPb: Descriptor = {
  1: msg('metadata', () => ObjectMetaPb),
  2: msg('spec', () => ({ 1: quantityMap('hard'), 2: pbStrs('scopes'), 3: msg('scopeSelector', () => ({ 1: msgs('matchExpressions', () => ScopedResourceSelectorRequirement) })) })),
  3: msg('status', () => ({ 1: quantityMap('hard'), 2: quantityMap('used') })),
};

export const resourceQuotaStrategy: KindStrategy = {
  info: resourceInfo({
    group: '', version: 'v1', resource: 'resourcequotas', singular: 'resourcequota', kind: 'ResourceQuota', namespaced: true, shortNames: ['quota'],
    subresources: [statusSubresource({ kind: 'ResourceQuota', group: '', version: 'v1' })], schemaRef: CORE + 'ResourceQuota',
  }),
  schemas,
  prepareForCreate(o) {
    const hard = rec(rec(o.spec)?.hard);
    o.status = hard ? { hard: copyJson(hard) } : {};
  },
  prepareForUpdate(o, old, subresource) {
    if (subresource === 'status') return;
    // Keep the mirrored hard limits in step with the spec until a quota controller owns status.
    const hard = rec(rec(o.spec)?.hard);
    const status = rec(o.status) ?? (o.status = {});
    if (rec(old.status)?.used) return;
    if (hard) status.hard = copyJson(hard);
    else delete status.hard;
  },
  validate: validateResourceQuota,
  printer: {
    columns: [
      NAME_COLUMN,
      column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
      AGE_COLUMN,
    ],
    print: (o, now) => ({ cells: [o.metadata?.name ?? '', ...quotaColumns(o), timestampSince(o.metadata?.creationTimestamp, now)] }),
  },
  protobuf: ResourceQuotaPb,
};
