// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): allows a request when a rule of a role
// bound to the user allows it — ClusterRoleBindings everywhere, RoleBindings in their namespace.
// It reads the four RBAC resources from the gateway's watch caches (no etcd read per request)
// through a snapshot indexed once per cache revision.
import type { KubeObject } from '@keelson/api';
import type { UserInfo } from '../http/auth';
import type { Attributes } from './attributes';
import { ruleAllows, rulesOf, subjectMatches, subjectsOf, type PolicyRule, type Subject } from './rules';

/** What the authorizer reads; the gateway's WatchCaches fit (`list().items`, `currentRevision()`). */
export interface PolicyCache {
  list(): { items: KubeObject[] };
  currentRevision(): number;
}

export interface PolicySources {
  roles: PolicyCache;
  clusterRoles: PolicyCache;
  roleBindings: PolicyCache;
  clusterRoleBindings: PolicyCache;
}

interface Binding {
  namespace: string;
  name: string;
  subjects: Subject[];
  roleKind: string;
  roleName: string;
}

interface Snapshot {
  revisions: string;
  clusterRoles: Map<string, PolicyRule[]>;
  roles: Map<string, PolicyRule[]>; // `ns/name`
  clusterRoleBindings: Binding[];
  roleBindings: Map<string, Binding[]>; // by namespace
}

export type Decision = { allowed: true; reason: string } | { allowed: false; reason: string };

export class RbacAuthorizer {
  private snapshot: Snapshot | undefined;

  constructor(private readonly sources: PolicySources) {}

  authorize(a: Attributes): Decision {
    for (const { rules, source } of this.rulesFor(a.user, a.namespace)) {
      for (const r of rules) if (ruleAllows(a, r)) return { allowed: true, reason: `RBAC: allowed by ${source}` };
    }
    return { allowed: false, reason: '' };
  }

  /** Every rule that applies to `user` in `namespace` (cluster-wide ones first), with where it came from. */
  rulesFor(user: UserInfo, namespace: string): Array<{ rules: PolicyRule[]; source: string }> {
    const s = this.current();
    const out: Array<{ rules: PolicyRule[]; source: string }> = [];
    for (const b of s.clusterRoleBindings) {
      if (!b.subjects.some((sub) => subjectMatches(sub, user, ''))) continue;
      out.push({ rules: s.clusterRoles.get(b.roleName) ?? [], source: `ClusterRoleBinding "${b.name}" of ClusterRole "${b.roleName}"` });
    }
    if (namespace) {
      for (const b of s.roleBindings.get(namespace) ?? []) {
        if (!b.subjects.some((sub) => subjectMatches(sub, user, namespace))) continue;
        const rules = b.roleKind === 'ClusterRole' ? s.clusterRoles.get(b.roleName) : s.roles.get(`${namespace}/${b.roleName}`);
        out.push({ rules: rules ?? [], source: `RoleBinding "${b.name}/${namespace}" of ${b.roleKind} "${b.roleName}"` });
      }
    }
    return out;
  }

  /** The rules of a Role (`namespace/name`) or ClusterRole, undefined when it does not exist. */
  roleRules(kind: string, namespace: string, name: string): PolicyRule[] | undefined {
    const s = this.current();
    return kind === 'Role' ? s.roles.get(`${namespace}/${name}`) : s.clusterRoles.get(name);
  }

  private current(): Snapshot {
    const src = this.sources;
    const revisions = [src.roles, src.clusterRoles, src.roleBindings, src.clusterRoleBindings].map((c) => c.currentRevision()).join(',');
    if (this.snapshot && this.snapshot.revisions === revisions) return this.snapshot;
    const clusterRoles = new Map<string, PolicyRule[]>();
    for (const o of src.clusterRoles.list().items) clusterRoles.set(o.metadata.name ?? '', rulesOf(o.rules));
    const roles = new Map<string, PolicyRule[]>();
    for (const o of src.roles.list().items) roles.set(`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`, rulesOf(o.rules));
    const binding = (o: KubeObject): Binding => {
      const ref = (o.roleRef ?? {}) as Record<string, unknown>;
      return { namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', subjects: subjectsOf(o.subjects), roleKind: String(ref.kind ?? ''), roleName: String(ref.name ?? '') };
    };
    const clusterRoleBindings = src.clusterRoleBindings.list().items.map(binding).filter((b) => b.roleKind === 'ClusterRole');
    const roleBindings = new Map<string, Binding[]>();
    for (const o of src.roleBindings.list().items) {
      const b = binding(o);
      const list = roleBindings.get(b.namespace) ?? [];
      list.push(b);
      roleBindings.set(b.namespace, list);
    }
    this.snapshot = { revisions, clusterRoles, roles, clusterRoleBindings, roleBindings };
    return this.snapshot;
  }
}
