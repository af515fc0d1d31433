// Kubernetes' audit Policy (audit.k8s.io/v1), the subset Keelson evaluates: rules with a
// level matched by users, userGroups, verbs, resources (group, resources, resourceNames),
// namespaces and nonResourceURLs; the first matching rule wins; no match is level None.
// `omitStages` containing ResponseComplete (the only stage Keelson writes) drops the event.
import { parse as parseYaml } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES = new Set(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);

export interface GroupResources {
  group: string;
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  omitStages: string[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: string[];
}

/** What a rule is matched against (kube's authorizer.Attributes). */
export interface AuditAttributes {
  user: string;
  groups: string[];
  verb: string;
  resourceRequest: boolean;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
}

/** Metadata for everything: the default when a log path is set and no policy file. */
export const DEFAULT_POLICY: AuditPolicy = { rules: [{ level: 'Metadata', users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [] }], omitStages: [] };

export class AuditPolicyError extends Error {}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new AuditPolicyError(`${where}: must be a list of strings`);
  return v as string[];
}

function stages(v: unknown, where: string): string[] {
  const list = stringList(v, where);
  for (const s of list) if (!STAGES.has(s)) throw new AuditPolicyError(`${where}: unknown stage ${JSON.stringify(s)}`);
  return list;
}

/** Parses and validates a Policy document (YAML or JSON, as kube's --audit-policy-file). */
export function parseAuditPolicy(text: string): AuditPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuditPolicyError(`audit policy: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AuditPolicyError('audit policy: not an object');
  const d = doc as Record<string, unknown>;
  if (d.kind !== undefined && d.kind !== 'Policy') throw new AuditPolicyError(`audit policy: kind must be Policy, got ${JSON.stringify(d.kind)}`);
  if (d.apiVersion !== undefined && d.apiVersion !== 'audit.k8s.io/v1') throw new AuditPolicyError(`audit policy: apiVersion must be audit.k8s.io/v1, got ${JSON.stringify(d.apiVersion)}`);
  if (!Array.isArray(d.rules) || d.rules.length === 0) throw new AuditPolicyError('audit policy: rules: at least one rule is required');
  const rules = d.rules.map((raw, i): PolicyRule => {
    const where = `audit policy: rules[${i}]`;
    if (!raw || typeof raw !== 'object') throw new AuditPolicyError(`${where}: not an object`);
    const r = raw as Record<string, unknown>;
    if (!LEVELS.includes(r.level as AuditLevel)) throw new AuditPolicyError(`${where}.level: must be one of ${LEVELS.join(', ')}`);
    const resources = (Array.isArray(r.resources) ? r.resources : r.resources === undefined ? [] : null)?.map((g: unknown, j: number): GroupResources => {
      if (!g || typeof g !== 'object') throw new AuditPolicyError(`${where}.resources[${j}]: not an object`);
      const gr = g as Record<string, unknown>;
      if (gr.group !== undefined && typeof gr.group !== 'string') throw new AuditPolicyError(`${where}.resources[${j}].group: must be a string`);
      return { group: (gr.group as string | undefined) ?? '', resources: stringList(gr.resources, `${where}.resources[${j}].resources`), resourceNames: stringList(gr.resourceNames, `${where}.resources[${j}].resourceNames`) };
    });
    if (!resources) throw new AuditPolicyError(`${where}.resources: must be a list`);
    const nonResourceURLs = stringList(r.nonResourceURLs, `${where}.nonResourceURLs`);
    // kube's ValidatePolicy: a rule is about resources or about non-resource URLs, not both.
    if (nonResourceURLs.length > 0 && (resources.length > 0 || r.namespaces !== undefined)) throw new AuditPolicyError(`${where}: rules cannot apply to both regular resources and non-resource URLs`);
    return {
      level: r.level as AuditLevel,
      users: stringList(r.users, `${where}.users`),
      userGroups: stringList(r.userGroups, `${where}.userGroups`),
      verbs: stringList(r.verbs, `${where}.verbs`),
      resources,
      namespaces: stringList(r.namespaces, `${where}.namespaces`),
      nonResourceURLs,
      omitStages: stages(r.omitStages, `${where}.omitStages`),
    };
  });
  return { rules, omitStages: stages(d.omitStages, 'audit policy: omitStages') };
}

/** The level of the first matching rule, or None; None too when ResponseComplete is omitted. */
export function auditLevelOf(policy: AuditPolicy, a: AuditAttributes): AuditLevel {
  if (policy.omitStages.includes('ResponseComplete')) return 'None';
  for (const rule of policy.rules) {
    if (ruleMatches(rule, a)) return rule.omitStages.includes('ResponseComplete') ? 'None' : rule.level;
  }
  return 'None';
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users.length > 0 && !r.users.includes(a.user)) return false;
  if (r.userGroups.length > 0 && !r.userGroups.some((g) => a.groups.includes(g))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces.length > 0 || r.resources.length > 0) return a.resourceRequest && matchesNamespace(r, a) && matchesResource(r, a);
  if (r.nonResourceURLs.length > 0) return !a.resourceRequest && r.nonResourceURLs.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  return true;
}

function matchesNamespace(r: PolicyRule, a: AuditAttributes): boolean {
  // "" matches cluster-scoped resources, as in kube.
  return r.namespaces.length === 0 || r.namespaces.includes(a.namespace ?? '');
}

function matchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.resources.length === 0) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return r.resources.some((gr) => {
    if (gr.group !== a.group && gr.group !== '*') return false;
    if (gr.resources.length === 0) return true;
    const resourceOk = gr.resources.some(
      (res) =>
        res === '*' ||
        res === combined ||
        (res === `${a.resource}/*` && a.subresource !== undefined) ||
        (a.subresource !== undefined && res === `*/${a.subresource}`),
    );
    if (!resourceOk) return false;
    return gr.resourceNames.length === 0 || (a.name !== undefined && gr.resourceNames.includes(a.name));
  });
}
