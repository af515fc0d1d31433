// The authorizer chain (kube-apiserver's --authorization-mode), chosen by
// KEELSON_AUTHORIZATION_MODE: a comma list of `Node` and `RBAC` (default `Node,RBAC`), asked in
// order, the first that allows wins; or `AlwaysAllow`, which lets every authenticated user do anything.
// Members of system:masters are allowed everything, as kube's privileged-group authorizer.
import { errors } from '@keelson/api';
import { forbiddenMessage, type Attributes } from './attributes';
import { NodeAuthorizer, type PodLookup } from './node';
import { RbacAuthorizer, type Decision, type PolicySources } from './rbac';

export const SYSTEM_MASTERS = 'system:masters';
export type AuthorizationMode = 'AlwaysAllow' | 'Node' | 'RBAC';

export function parseAuthorizationModes(value: string | undefined): AuthorizationMode[] {
  const modes = (value ?? 'Node,RBAC').split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (m !== 'AlwaysAllow' && m !== 'Node' && m !== 'RBAC') throw new Error(`KEELSON_AUTHORIZATION_MODE: unknown mode ${JSON.stringify(m)} (AlwaysAllow, Node, RBAC)`);
  return modes.length ? (modes as AuthorizationMode[]) : ['Node', 'RBAC'];
}

export class Authorizer {
  readonly rbac: RbacAuthorizer;
  private readonly node: NodeAuthorizer;

  constructor(readonly modes: AuthorizationMode[], policy: PolicySources, pods: PodLookup) {
    this.rbac = new RbacAuthorizer(policy);
    this.node = new NodeAuthorizer(pods);
  }

  get enforcing(): boolean {
    return !this.modes.includes('AlwaysAllow');
  }

  /** The decision for `a` under the configured modes (SubjectAccessReview answers with it). */
  decide(a: Attributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: 'system:masters' };
    const reasons: string[] = [];
    for (const mode of this.modes) {
      if (mode === 'AlwaysAllow') return { allowed: true, reason: '' };
      const d = mode === 'Node' ? this.node.authorize(a) : this.rbac.authorize(a);
      if (d.allowed) return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { allowed: false, reason: reasons.join('; ') };
  }

  /** Throws kube's 403 when `a` is not allowed. */
  authorize(a: Attributes): void {
    const d = this.decide(a);
    if (d.allowed) return;
    const qualified = a.resourceRequest ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : undefined;
    throw errors.forbidden(forbiddenMessage(a, d.reason), qualified, a.resourceRequest && a.name ? a.name : undefined);
  }
}
