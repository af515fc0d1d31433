// pkg/apis/rbac/validation: ValidatePolicyRule, ValidateRoleBindingSubject, the role reference
// rules, and v1 defaulting (SetDefaults_Subject, SetDefaults_*RoleBinding: User and Group
// subjects and role references without apiGroup are rbac.authorization.k8s.io's).
import { causes, type StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import { validateLabelSelector } from '../../validation/metadata';
import { isDNS1123Subdomain } from '../../validation/names';
import { isPathSegmentName } from '../../validation/network-names';
import { arr, jsonEqual, rec, str } from '../../validation/field-errors';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

/** ValidatePolicyRule: verbs always; either non-resource URLs (cluster roles only) or resources. */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): StatusCause[] {
  const r = rec(rule) ?? {};
  const out: StatusCause[] = [];
  if (strings(r.verbs).length === 0) out.push(causes.required(`${path}.verbs`, 'Required value: verbs must contain at least one value'));
  const urls = strings(r.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) out.push(causes.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strings(r.apiGroups).length > 0 || strings(r.resources).length > 0 || strings(r.resourceNames).length > 0) {
      out.push(causes.invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return out;
  }
  if (strings(r.apiGroups).length === 0) out.push(causes.required(`${path}.apiGroups`, 'Required value: resource rules must supply at least one api group'));
  if (strings(r.resources).length === 0) out.push(causes.required(`${path}.resources`, 'Required value: resource rules must supply at least one resource'));
  return out;
}

export function validateRules(obj: KubeObject, namespaced: boolean): StatusCause[] {
  return arr(obj.rules).flatMap((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`));
}

/** ValidateClusterRole's aggregationRule part. */
export function validateAggregationRule(obj: KubeObject): StatusCause[] {
  const rule = rec(obj.aggregationRule);
  if (!rule) return [];
  const selectors = arr(rule.clusterRoleSelectors);
  if (selectors.length === 0) {
    return [causes.required('aggregationRule.clusterRoleSelectors', 'Required value: at least one clusterRoleSelector required if aggregationRule is non-nil')];
  }
  return selectors.flatMap((s, i) => validateLabelSelector(rec(s) ?? {}, `aggregationRule.clusterRoleSelectors[${i}]`));
}

/** The roleRef checks of ValidateRoleBinding (kinds: Role or ClusterRole) / ValidateClusterRoleBinding (ClusterRole). */
export function validateRoleRef(obj: KubeObject, kinds: string[]): StatusCause[] {
  const ref = rec(obj.roleRef) ?? {};
  const out: StatusCause[] = [];
  const apiGroup = str(ref.apiGroup) ?? '';
  if (apiGroup !== RBAC_GROUP) out.push(causes.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kind = str(ref.kind) ?? '';
  if (!kinds.includes(kind)) out.push(causes.notSupported('roleRef.kind', kind, kinds));
  const name = str(ref.name) ?? '';
  if (!name) out.push(causes.required('roleRef.name'));
  else for (const m of isPathSegmentName(name)) out.push(causes.invalid('roleRef.name', name, m));
  return out;
}

/** ValidateRoleBindingSubject for each subject. */
export function validateSubjects(obj: KubeObject, namespaced: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  arr(obj.subjects).forEach((raw, i) => {
    const s = rec(raw) ?? {};
    const path = `subjects[${i}]`;
    const name = str(s.name) ?? '';
    const apiGroup = str(s.apiGroup) ?? '';
    if (!name) out.push(causes.required(`${path}.name`));
    switch (str(s.kind) ?? '') {
      case 'ServiceAccount':
        if (name) for (const m of isDNS1123Subdomain(name)) out.push(causes.invalid(`${path}.name`, name, m));
        if (apiGroup !== '') out.push(causes.notSupported(`${path}.apiGroup`, apiGroup, ['']));
        if (!namespaced && !str(s.namespace)) out.push(causes.required(`${path}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (apiGroup !== RBAC_GROUP) out.push(causes.notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
        break;
      default:
        out.push(causes.notSupported(`${path}.kind`, str(s.kind) ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return out;
}

/** ValidateRoleBindingUpdate / ValidateClusterRoleBindingUpdate: the role reference is fixed. */
export function validateRoleRefUnchanged(obj: KubeObject, old: KubeObject): StatusCause[] {
  if (jsonEqual(obj.roleRef, old.roleRef)) return [];
  return [causes.invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject. */
export function defaultBinding(obj: KubeObject): void {
  const ref = rec(obj.roleRef);
  if (ref && (ref.apiGroup === undefined || ref.apiGroup === '')) ref.apiGroup = RBAC_GROUP;
  for (const raw of arr(obj.subjects)) {
    const s = rec(raw);
    if (!s) continue;
    if ((s.apiGroup === undefined || s.apiGroup === '') && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}
