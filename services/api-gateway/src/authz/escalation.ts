// Escalation prevention for RBAC writes (pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased): a user may write a Role or ClusterRole only with rules it
// already holds (unless it may `escalate` that role), and bind a role only when it holds all of
// that role's rules (unless it may `bind` it). system:masters is exempt. Aggregated ClusterRoles'
// rules are the gateway's to fill, so only their selectors are written by users.
import { errors, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { EtcdStore } from '@keelson/storage';
import type { UserInfo } from '../http/auth';
import type { RequestContext } from '../registry/request-context';
import { ResourceStore, type AdmissionCheck, type UpdateMutation, type UpdateOptions } from '../registry/resource-store';
import type { Attributes } from './attributes';
import { SYSTEM_MASTERS, type Authorizer } from './authorizer';
import { rulesOf, uncoveredRules, type PolicyRule } from './rules';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`. */
export function compactRule(r: PolicyRule): string {
  const q = (l: string[]): string => `[${l.map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

export class EscalationCheck {
  constructor(private readonly authorizer: Authorizer) {}

  private active(user: UserInfo): boolean {
    return this.authorizer.modes.includes('RBAC') && !user.groups.includes(SYSTEM_MASTERS);
  }

  private allowedVerb(user: UserInfo, verb: 'escalate' | 'bind', resource: 'roles' | 'clusterroles', namespace: string, name: string): boolean {
    const a: Attributes = { user, verb, resourceRequest: true, apiGroup: RBAC_GROUP, apiVersion: 'v1', resource, subresource: '', namespace, name, path: '' };
    return this.authorizer.decide(a).allowed;
  }

  private refuse(info: ResourceInfo, obj: KubeObject, user: UserInfo, missing: PolicyRule[]): never {
    const name = obj.metadata.name ?? '';
    const msg = `${info.resource}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: user ${JSON.stringify(user.name)} (groups=[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(compactRule).join('\n')}`;
    throw errors.forbidden(msg, `${info.resource}.${RBAC_GROUP}`, name);
  }

  /** The rules `user` holds where `obj` applies (its namespace, or cluster-wide). */
  private held(user: UserInfo, namespace: string): PolicyRule[] {
    return this.authorizer.rbac.rulesFor(user, namespace).flatMap((r) => r.rules);
  }

  check(info: ResourceInfo, obj: KubeObject, user: UserInfo): void {
    if (!this.active(user)) return;
    const ns = info.namespaced ? obj.metadata.namespace ?? '' : '';
    const name = obj.metadata.name ?? '';
    if (info.resource === 'roles' || info.resource === 'clusterroles') {
      if (this.allowedVerb(user, 'escalate', info.resource, ns, name)) return;
      const requested = info.resource === 'clusterroles' && obj.aggregationRule ? [] : rulesOf(obj.rules);
      const missing = uncoveredRules(this.held(user, ns), requested);
      if (missing.length) this.refuse(info, obj, user, missing);
      return;
    }
    // Bindings: the referenced role's rules must be held, or `bind` on it granted.
    const ref = (obj.roleRef ?? {}) as Record<string, unknown>;
    const roleKind = String(ref.kind ?? '');
    const roleName = String(ref.name ?? '');
    const roleResource = roleKind === 'Role' ? 'roles' : 'clusterroles';
    if (this.allowedVerb(user, 'bind', roleResource, roleKind === 'Role' ? ns : '', roleName)) return;
    const rules = this.authorizer.rbac.roleRules(roleKind, ns, roleName);
    if (rules === undefined) throw errors.notFound(`${roleResource}.${RBAC_GROUP}`, roleName);
    const missing = uncoveredRules(this.held(user, ns), rules);
    if (missing.length) this.refuse(info, obj, user, missing);
  }
}

/** The store of one RBAC resource: escalation is checked on every create and update. */
export class RbacPolicyStore extends ResourceStore {
  constructor(info: ResourceInfo, store: EtcdStore, admission: AdmissionCheck[], private readonly escalation: EscalationCheck) {
    super(info, store, admission);
  }

  override async create(namespace: string | undefined, body: unknown, ctx: RequestContext): Promise<KubeObject> {
    const obj = this.checkBody(body, namespace);
    this.escalation.check(this.info, obj, ctx.user);
    return super.create(namespace, body, ctx);
  }

  override async update(namespace: string | undefined, name: string, mutate: UpdateMutation, ctx: RequestContext, opts: UpdateOptions = {}): Promise<KubeObject> {
    return super.update(namespace, name, async (current) => {
      const desired = await mutate(current);
      this.escalation.check(this.info, this.checkBody(desired, namespace), ctx.user);
      return desired;
    }, ctx, opts);
  }
}
