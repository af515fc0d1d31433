// RBAC rule matching (plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows and
// pkg/apis/rbac/v1/evaluation_helpers.go): verbs, apiGroups, resources (with `pods/status`,
// `*/status` and `*`), resourceNames, nonResourceURLs (exact, `*`, or a `prefix*`), and which
// subjects a binding names.
import type { UserInfo } from '../http/auth';
import type { Attributes } from './attributes';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

export const verbMatches = (r: PolicyRule, verb: string): boolean => has(r.verbs, verb);
export const apiGroupMatches = (r: PolicyRule, group: string): boolean => has(r.apiGroups, group);

export function resourceMatches(r: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const want of r.resources ?? []) {
    if (want === '*' || want === combined) return true;
    // `*/status` matches every resource's status subresource.
    if (subresource && want === `*/${subresource}`) return true;
  }
  return false;
}

/** An empty list allows every name; a name-restricted rule never matches an unnamed request. */
export function resourceNameMatches(r: PolicyRule, name: string): boolean {
  if (!r.resourceNames || r.resourceNames.length === 0) return true;
  return r.resourceNames.includes(name);
}

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const want of r.nonResourceURLs ?? []) {
    if (want === '*' || want === path) return true;
    if (want.endsWith('*') && path.startsWith(want.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (!a.resourceRequest) return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
  return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, a.resource, a.subresource) && resourceNameMatches(r, a.name);
}

/** appliesToUser: User by name, Group by membership, ServiceAccount as system:serviceaccount:<ns>:<name>. */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

/** Rules as stored (unknown JSON) to typed rules; malformed entries are dropped. */
export function rulesOf(raw: unknown): PolicyRule[] {
  if (!Array.isArray(raw)) return [];
  const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  return raw
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object')
    .map((r) => ({ verbs: strs(r.verbs) ?? [], apiGroups: strs(r.apiGroups), resources: strs(r.resources), resourceNames: strs(r.resourceNames), nonResourceURLs: strs(r.nonResourceURLs) }));
}

export function subjectsOf(raw: unknown): Subject[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
    .map((s) => ({ kind: String(s.kind ?? ''), name: String(s.name ?? ''), namespace: typeof s.namespace === 'string' ? s.namespace : undefined, apiGroup: typeof s.apiGroup === 'string' ? s.apiGroup : undefined }));
}

/**
 * Whether `owned` rules cover `requested` (kube's validation.Covers, rule by rule): every
 * verb × group × resource × name (or URL) of `requested` is allowed by some owned rule.
 * Returns the requested rules not covered.
 */
export function uncoveredRules(owned: PolicyRule[], requested: PolicyRule[]): PolicyRule[] {
  return requested.filter((req) => !ruleCovered(owned, req));
}

function ruleCovered(owned: PolicyRule[], req: PolicyRule): boolean {
  // Break the rule into atoms and check each, as kube's BreakdownRule does.
  for (const verb of req.verbs) {
    if (req.nonResourceURLs && req.nonResourceURLs.length > 0) {
      for (const url of req.nonResourceURLs) {
        if (!owned.some((o) => verbMatches(o, verb) && (has(o.nonResourceURLs, url) || (!!o.nonResourceURLs && o.nonResourceURLs.some((w) => w.endsWith('*') && url.startsWith(w.slice(0, -1))))))) return false;
      }
      continue;
    }
    for (const group of req.apiGroups ?? []) {
      for (const resource of req.resources ?? []) {
        const names = req.resourceNames && req.resourceNames.length > 0 ? req.resourceNames : [undefined];
        for (const name of names) {
          const ok = owned.some((o) => {
            if (!verbMatches(o, verb) || !apiGroupMatches(o, group)) return false;
            if (!(o.resources ?? []).some((w) => w === '*' || w === resource || (resource.includes('/') && w === `*/${resource.split('/')[1]}`))) return false;
            if (!o.resourceNames || o.resourceNames.length === 0) return true;
            return name !== undefined && o.resourceNames.includes(name);
          });
          if (!ok) return false;
        }
      }
    }
  }
  return true;
}
