import { AuditPolicyError, auditLevelOf, parseAuditPolicy, type AuditAttributes } from '../src/http/audit-policy';

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: None
    userGroups: ["system:nodes"]
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps"]
  - level: Request
    resources:
      - group: ""
        resources: ["pods/log", "pods/status"]
  - level: RequestResponse
    namespaces: ["prod"]
    resources:
      - group: "apps"
        resources: ["deployments"]
        resourceNames: ["web"]
  - level: Metadata
    omitStages: ["RequestReceived"]
`;

const attrs = (a: Partial<AuditAttributes>): AuditAttributes => ({ user: 'alice', groups: ['system:authenticated'], verb: 'get', resourceRequest: true, group: '', resource: 'pods', path: '/api/v1/pods', ...a });

test('first matching rule wins', () => {
  const p = parseAuditPolicy(POLICY);
  expect(auditLevelOf(p, attrs({ user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' }))).toBe('None');
  expect(auditLevelOf(p, attrs({ user: 'system:kube-proxy', verb: 'list', resource: 'endpoints' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ groups: ['system:nodes'], resourceRequest: false, resource: '', path: '/healthz/etcd' }))).toBe('None');
  expect(auditLevelOf(p, attrs({ groups: ['system:nodes'], resourceRequest: false, resource: '', path: '/apis' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ resource: 'secrets', verb: 'create' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ resource: 'pods', subresource: 'log' }))).toBe('Request');
  expect(auditLevelOf(p, attrs({ resource: 'pods' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ group: 'apps', resource: 'deployments', namespace: 'prod', name: 'web' }))).toBe('RequestResponse');
  expect(auditLevelOf(p, attrs({ group: 'apps', resource: 'deployments', namespace: 'prod', name: 'api' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ group: 'apps', resource: 'deployments', namespace: 'dev', name: 'web' }))).toBe('Metadata');
});

test('wildcards in resources, no match is None, omitted ResponseComplete is None', () => {
  const p = parseAuditPolicy(JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Request', resources: [{ group: '', resources: ['*/status'] }] }, { level: 'Metadata', resources: [{ group: '', resources: ['pods/*'] }] }] }));
  expect(auditLevelOf(p, attrs({ resource: 'nodes', subresource: 'status' }))).toBe('Request');
  expect(auditLevelOf(p, attrs({ resource: 'pods', subresource: 'eviction' }))).toBe('Metadata');
  expect(auditLevelOf(p, attrs({ resource: 'pods' }))).toBe('None');
  const omitted = parseAuditPolicy('rules: [{level: RequestResponse}]\nomitStages: [ResponseComplete]');
  expect(auditLevelOf(omitted, attrs({}))).toBe('None');
});

test.each([
  ['rules: []', /at least one rule/],
  ['rules: [{level: Everything}]', /level: must be one of/],
  ['kind: Pod\nrules: [{level: None}]', /kind must be Policy/],
  ['rules: [{level: None, nonResourceURLs: ["/x"], resources: [{group: ""}]}]', /both regular resources and non-resource URLs/],
  ['rules: [{level: None, omitStages: [Sometime]}]', /unknown stage/],
  ['rules: [{level: None, users: "alice"}]', /users: must be a list of strings/],
])('%s is refused', (text, message) => {
  expect(() => parseAuditPolicy(text)).toThrow(AuditPolicyError);
  expect(() => parseAuditPolicy(text)).toThrow(message);
});
