// rbac.authorization.k8s.io/v1 strategies: ValidatePolicyRule, role references, subjects,
// defaulting of API groups, roleRef immutability, RBAC names and the printers.
import { validateObject, registeredStrategies, type KubeObject, type ResourceInfo } from '../src';
import { resolveSchema } from '../src/schema';
import { applyDefaults } from '../src/defaults';
import { printerFor } from '../src/printers';

const infoOf = (resource: string): ResourceInfo => registeredStrategies().find((s) => s.info.group === 'rbac.authorization.k8s.io' && s.info.resource === resource)!.info;
const validate = (resource: string, obj: KubeObject, old?: KubeObject) => validateObject(applyDefaults(obj, infoOf(resource)), infoOf(resource), { old, resolve: resolveSchema, unknownFields: 'Strict' }).causes.map((c) => `${c.field}: ${c.message}`);
const role = (rules: unknown[], kind = 'Role', name = 'r'): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, namespace: kind === 'Role' ? 'default' : undefined }, rules });

describe('Role and ClusterRole', () => {
  it('accepts resource rules and refuses a rule without verbs, groups or resources', () => {
    expect(validate('roles', role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]))).toEqual([]);
    expect(validate('roles', role([{ resources: ['pods'] }]))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    ]);
    expect(validate('roles', role([{ apiGroups: [''], verbs: ['get'] }]))).toEqual(['rules[0].resources: Required value: resource rules must supply at least one resource']);
  });

  it('allows non-resource URLs in cluster roles only, never mixed with resources', () => {
    expect(validate('clusterroles', role([{ nonResourceURLs: ['/healthz'], verbs: ['get'] }], 'ClusterRole'))).toEqual([]);
    expect(validate('roles', role([{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]))).toEqual(['rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs']);
    expect(validate('clusterroles', role([{ nonResourceURLs: ['/x'], resources: ['pods'], verbs: ['get'] }], 'ClusterRole'))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it('takes names with colons (ValidateRBACName) but not path-breaking ones', () => {
    expect(validate('clusterroles', role([], 'ClusterRole', 'system:node:a'))).toEqual([]);
    expect(validate('clusterroles', role([], 'ClusterRole', 'a/b'))).toEqual(["metadata.name: Invalid value: \"a/b\": may not contain '/'"]);
  });

  it('needs a selector in an aggregation rule', () => {
    const cr = { ...role([], 'ClusterRole'), aggregationRule: { clusterRoleSelectors: [] } };
    expect(validate('clusterroles', cr)).toEqual(['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
  });
});

describe('RoleBinding and ClusterRoleBinding', () => {
  const binding = (kind: string, roleRef: Record<string, string>, subjects: unknown[]): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b', namespace: kind === 'RoleBinding' ? 'default' : undefined }, roleRef, subjects,
  });

  it('defaults the API group of the role reference and of User and Group subjects', () => {
    const b = applyDefaults(binding('RoleBinding', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'default' }]), infoOf('rolebindings'));
    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    expect(b.subjects).toEqual([{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'default' }]);
  });

  it('checks role kinds, subject kinds and a cluster binding\'s service-account namespace', () => {
    expect(validate('clusterrolebindings', binding('ClusterRoleBinding', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'sa' }]))).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ]);
    expect(validate('rolebindings', binding('RoleBinding', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Robot', name: 'x' }]))).toEqual([
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
  });

  it('refuses a change of roleRef', () => {
    const old = applyDefaults(binding('RoleBinding', { kind: 'ClusterRole', name: 'view' }, []), infoOf('rolebindings'));
    const next = binding('RoleBinding', { kind: 'ClusterRole', name: 'edit' }, []);
    expect(validate('rolebindings', next, old).some((m) => m.startsWith('roleRef: Invalid value') && m.endsWith('cannot change roleRef'))).toBe(true);
  });

  it('prints ROLE as kind/name and subjects in wide columns', () => {
    const b = binding('RoleBinding', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }]);
    const row = printerFor(infoOf('rolebindings')).print(b, new Date());
    expect(row.cells[1]).toBe('ClusterRole/view');
    expect(row.cells.slice(3)).toEqual(['jane', '', 'ns/sa']);
  });
});
