// RBAC rule matching, the authorizer over cached policy, escalation coverage, ClusterRole
// aggregation, the Node authorizer and kube's forbidden message.
import type { KubeObject } from '@keelson/api';
import type { UserInfo } from '../src/http/auth';
import { aggregatedRules, settleAggregation } from '../src/authz/aggregation';
import { bootstrapPolicy } from '../src/authz/bootstrap-policy';
import { attributesFor, forbiddenMessage, type Attributes } from '../src/authz/attributes';
import { Authorizer, parseAuthorizationModes } from '../src/authz/authorizer';
import { compactRule } from '../src/authz/escalation';
import { NodeAuthorizer } from '../src/authz/node';
import { ruleAllows, subjectMatches, uncoveredRules, type PolicyRule } from '../src/authz/rules';

const jane: UserInfo = { name: 'jane', uid: 'u', groups: ['devs', 'system:authenticated'] };
const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes =>
  ({ user: jane, verb, resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: 'default', name: '', path: '', ...extra });

describe('rule matching', () => {
  it('matches verbs, groups, resources and subresources, with *', () => {
    const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] };
    expect(ruleAllows(res('get', 'pods'), r)).toBe(true);
    expect(ruleAllows(res('delete', 'pods'), r)).toBe(false);
    expect(ruleAllows(res('get', 'pods', { subresource: 'log' }), r)).toBe(true);
    expect(ruleAllows(res('get', 'pods', { subresource: 'status' }), r)).toBe(false);
    expect(ruleAllows(res('get', 'deployments', { apiGroup: 'apps' }), r)).toBe(false);
    expect(ruleAllows(res('patch', 'deployments', { apiGroup: 'apps', subresource: 'status' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] })).toBe(true);
    expect(ruleAllows(res('patch', 'deployments', { apiGroup: 'apps' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] })).toBe(false);
  });

  it('restricts by resource name, never matching an unnamed request', () => {
    const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
    expect(ruleAllows(res('get', 'configmaps', { name: 'a' }), r)).toBe(true);
    expect(ruleAllows(res('get', 'configmaps', { name: 'b' }), r)).toBe(false);
    expect(ruleAllows(res('list', 'configmaps'), r)).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    const url = (path: string, verb = 'get') => attributesFor(jane, verb.toUpperCase(), path, undefined);
    expect(ruleAllows(url('/healthz'), r)).toBe(true);
    expect(ruleAllows(url('/apis/apps/v1'), r)).toBe(true);
    expect(ruleAllows(url('/api'), r)).toBe(false);
    expect(ruleAllows(url('/healthz', 'post'), r)).toBe(false);
    expect(ruleAllows(res('get', 'pods'), r)).toBe(false);
  });

  it('names subjects as users, groups and ServiceAccounts', () => {
    expect(subjectMatches({ kind: 'User', name: 'jane' }, jane, '')).toBe(true);
    expect(subjectMatches({ kind: 'Group', name: 'devs' }, jane, '')).toBe(true);
    const sa: UserInfo = { name: 'system:serviceaccount:ns:robot', uid: '', groups: [] };
    expect(subjectMatches({ kind: 'ServiceAccount', name: 'robot' }, sa, 'ns')).toBe(true);
    expect(subjectMatches({ kind: 'ServiceAccount', name: 'robot', namespace: 'other' }, sa, 'ns')).toBe(false);
  });

  it('finds the requested rules that held rules do not cover', () => {
    const held: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }, { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] }];
    expect(uncoveredRules(held, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['x'] }])).toEqual([]);
    expect(uncoveredRules(held, [{ verbs: ['delete'], apiGroups: ['apps'], resources: ['deployments'] }])).toEqual([]);
    const wide = { verbs: ['delete'], apiGroups: [''], resources: ['configmaps'] };
    expect(uncoveredRules(held, [wide])).toEqual([wide]);
    expect(uncoveredRules(held, [{ verbs: ['get'], apiGroups: ['*'], resources: ['configmaps'] }])).toHaveLength(1);
    expect(compactRule(wide)).toBe('{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}');
  });
});

/** A cache over a fixed object list, whose revision changes when `set` is called. */
class FakeCache {
  private rev = 1;
  constructor(private items: KubeObject[] = []) {}
  list() { return { items: this.items }; }
  currentRevision() { return this.rev; }
  set(items: KubeObject[]) { this.items = items; this.rev++; }
}
const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({ name, namespace, labels });

describe('the RBAC authorizer over cached policy', () => {
  const clusterRoles = new FakeCache([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('view'), rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] }]);
  const roleBindings = new FakeCache();
  const clusterRoleBindings = new FakeCache();
  const authz = new Authorizer(['RBAC'], { roles: new FakeCache(), clusterRoles, roleBindings, clusterRoleBindings }, { podsOn: () => [], pod: () => undefined });

  it('allows through a RoleBinding in its namespace only, and follows changes', () => {
    expect(authz.decide(res('get', 'configmaps')).allowed).toBe(false);
    roleBindings.set([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('b', 'default'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs' }] }]);
    expect(authz.decide(res('get', 'configmaps')).allowed).toBe(true);
    expect(authz.decide(res('get', 'configmaps', { namespace: 'kube-system' })).allowed).toBe(false);
    expect(() => authz.authorize(res('get', 'configmaps', { namespace: 'kube-system', name: 'x' }))).toThrow('configmaps "x" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "kube-system"');
  });

  it('lets system:masters do anything, and AlwaysAllow everyone', () => {
    expect(authz.decide({ ...res('delete', 'nodes'), user: { name: 'root', uid: '', groups: ['system:masters'] } }).allowed).toBe(true);
    expect(parseAuthorizationModes(undefined)).toEqual(['Node', 'RBAC']);
    expect(parseAuthorizationModes('AlwaysAllow')).toEqual(['AlwaysAllow']);
    expect(parseAuthorizationModes('Node,RBAC')).toEqual(['Node', 'RBAC']);
    expect(() => parseAuthorizationModes('ABAC')).toThrow('unknown mode "ABAC"');
  });
});

describe('ClusterRole aggregation', () => {
  it('unions the rules of matching roles, without duplicates or itself', () => {
    const view: KubeObject = { apiVersion: 'v1', kind: 'ClusterRole', metadata: meta('view'), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'agg/view': 'true' } }] }, rules: [] };
    const a: KubeObject = { apiVersion: 'v1', kind: 'ClusterRole', metadata: meta('a', undefined, { 'agg/view': 'true' }), rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const b: KubeObject = { apiVersion: 'v1', kind: 'ClusterRole', metadata: meta('b', undefined, { 'agg/view': 'true' }), rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }] };
    const other: KubeObject = { apiVersion: 'v1', kind: 'ClusterRole', metadata: meta('c'), rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };
    expect(aggregatedRules(view, [view, other, b, a])).toEqual([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }]);
    expect(aggregatedRules(a, [view, a, b])).toBeUndefined();
  });

  it('settles chains in one pass: admin holds edit\'s and view\'s rules', () => {
    const { clusterRoles } = bootstrapPolicy();
    const settled = settleAggregation(clusterRoles);
    const has = (role: string, resource: string, verb: string) =>
      (settled.get(role) as PolicyRule[]).some((r) => r.resources?.includes(resource) && r.verbs.includes(verb));
    expect(has('view', 'configmaps', 'get')).toBe(true);
    expect(has('view', 'configmaps', 'delete')).toBe(false);
    expect(has('edit', 'configmaps', 'get') && has('edit', 'configmaps', 'delete')).toBe(true);
    expect(has('admin', 'configmaps', 'get') && has('admin', 'rolebindings', 'create')).toBe(true);
    const again = clusterRoles.map((r) => (settled.has(r.metadata.name!) ? { ...r, rules: settled.get(r.metadata.name!) } : r));
    expect(settleAggregation(again).size).toBe(0);
  });
});

describe('the Node authorizer', () => {
  const node1: UserInfo = { name: 'system:node:n1', uid: '', groups: ['system:nodes', 'system:authenticated'] };
  const pods: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default' }, spec: { nodeName: 'n1', volumes: [{ name: 'v', secret: { secretName: 's1' } }], containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cm1' } }] }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2', namespace: 'default' }, spec: { nodeName: 'n2', volumes: [{ name: 'v', secret: { secretName: 's2' } }], containers: [] } },
  ];
  const authz = new NodeAuthorizer({ podsOn: (n) => pods.filter((p) => p.spec?.nodeName === n), pod: (ns, name) => pods.find((p) => p.metadata.name === name && p.metadata.namespace === ns) });
  const as = (verb: string, resource: string, extra: Partial<Attributes> = {}) => authz.authorize({ ...res(verb, resource, extra), user: node1 }).allowed;

  it('reads only what its pods use', () => {
    expect(as('get', 'secrets', { name: 's1' })).toBe(true);
    expect(as('get', 'configmaps', { name: 'cm1' })).toBe(true);
    expect(as('get', 'secrets', { name: 's2' })).toBe(false);
    expect(as('list', 'secrets')).toBe(false);
    expect(as('create', 'serviceaccounts', { name: 'default', subresource: 'token' })).toBe(true);
  });

  it('reads every Service and EndpointSlice (its pods\' Service variables and cluster DNS), writes none', () => {
    expect(as('list', 'services', { namespace: '' })).toBe(true);
    expect(as('watch', 'endpointslices', { apiGroup: 'discovery.k8s.io', namespace: '' })).toBe(true);
    expect(as('create', 'endpointslices', { apiGroup: 'discovery.k8s.io' })).toBe(false);
    expect(as('delete', 'services', { name: 'web' })).toBe(false);
  });

  it('writes only its own Node and the status of its pods', () => {
    expect(as('patch', 'nodes', { namespace: '', name: 'n1', subresource: 'status' })).toBe(true);
    expect(as('patch', 'nodes', { namespace: '', name: 'n2' })).toBe(false);
    expect(as('update', 'pods', { name: 'p1', subresource: 'status' })).toBe(true);
    expect(as('update', 'pods', { name: 'p2', subresource: 'status' })).toBe(false);
    expect(as('create', 'pods')).toBe(false);
    expect(as('update', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' })).toBe(false);
    expect(authz.authorize(res('get', 'secrets', { name: 's1' })).allowed).toBe(false); // not a node
  });

  it('says why in kube\'s words', () => {
    expect(forbiddenMessage({ ...res('patch', 'nodes', { namespace: '', name: 'n2' }), user: node1 }, 'node "n1" is not allowed to modify node "n2"'))
      .toBe('nodes "n2" is forbidden: User "system:node:n1" cannot patch resource "nodes" in API group "" at the cluster scope: node "n1" is not allowed to modify node "n2"');
    expect(forbiddenMessage(attributesFor(jane, 'GET', '/metrics', undefined), '')).toBe('forbidden: User "jane" cannot get path "/metrics"');
  });
});
