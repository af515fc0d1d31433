// The review APIs (authorization.k8s.io/v1 and authentication.k8s.io/v1) in discovery, as
// kube-apiserver lists them: `kubectl api-resources` shows each with the one verb it serves, in
// the legacy and the aggregated documents; LocalSubjectAccessReview answers in its namespace.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const REVIEWS = [
  ['selfsubjectreviews', 'authentication.k8s.io/v1', 'false', 'SelfSubjectReview'],
  ['tokenreviews', 'authentication.k8s.io/v1', 'false', 'TokenReview'],
  ['localsubjectaccessreviews', 'authorization.k8s.io/v1', 'true', 'LocalSubjectAccessReview'],
  ['selfsubjectaccessreviews', 'authorization.k8s.io/v1', 'false', 'SelfSubjectAccessReview'],
  ['selfsubjectrulesreviews', 'authorization.k8s.io/v1', 'false', 'SelfSubjectRulesReview'],
  ['subjectaccessreviews', 'authorization.k8s.io/v1', 'false', 'SubjectAccessReview'],
];

test('kubectl api-resources lists every review API with the verb create', async () => {
  const rows = (await c.k('api-resources', '-o', 'wide')).split('\n').map((l) => l.trim().split(/\s+/));
  for (const [name, gv, namespaced, kind] of REVIEWS) expect(rows.find((r) => r[0] === name)).toEqual([name, gv, namespaced, kind, 'create']);
  // Only they: kubectl's verb filter finds them among what can be created but not listed.
  const createOnly = (await c.k('api-resources', '--verbs=create', '-o', 'name')).split('\n');
  for (const [name, gv] of REVIEWS) expect(createOnly).toContain(`${name}.${gv.split('/')[0]}`);
  expect((await c.k('api-resources', '--verbs=list', '-o', 'name')).split('\n').filter((n) => /reviews\./.test(n))).toEqual([]);
});

test('the legacy documents: /apis names both groups, each group-version lists its reviews', async () => {
  const groups = JSON.parse((await c.request('GET', '/apis')).body) as { groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  for (const g of ['authentication.k8s.io', 'authorization.k8s.io']) expect(groups.groups.find((x) => x.name === g)?.preferredVersion.groupVersion).toBe(`${g}/v1`);
  const authz = JSON.parse((await c.request('GET', '/apis/authorization.k8s.io/v1')).body) as { groupVersion: string; resources: object[] };
  expect(authz.groupVersion).toBe('authorization.k8s.io/v1');
  expect(authz.resources).toEqual([
    { name: 'localsubjectaccessreviews', singularName: 'localsubjectaccessreview', namespaced: true, kind: 'LocalSubjectAccessReview', verbs: ['create'] },
    { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
    { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
    { name: 'subjectaccessreviews', singularName: 'subjectaccessreview', namespaced: false, kind: 'SubjectAccessReview', verbs: ['create'] },
  ]);
  expect((await c.request('GET', '/apis/authentication.k8s.io')).status).toBe(200);
});

test('the aggregated document (what kubectl 1.32 reads) carries them too', async () => {
  const res = await c.request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  const doc = JSON.parse(res.body) as { items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; verbs: string[] }[] }[] }[] };
  const authn = doc.items.find((i) => i.metadata.name === 'authentication.k8s.io');
  expect(authn?.versions[0].resources).toEqual([
    { resource: 'selfsubjectreviews', responseKind: { group: '', version: '', kind: 'SelfSubjectReview' }, scope: 'Cluster', singularResource: 'selfsubjectreview', verbs: ['create'] },
    { resource: 'tokenreviews', responseKind: { group: '', version: '', kind: 'TokenReview' }, scope: 'Cluster', singularResource: 'tokenreview', verbs: ['create'] },
  ]);
});

describe('LocalSubjectAccessReview', () => {
  const path = '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews';
  const post = (p: string, body: object) => c.request('POST', p, { body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', ...body }), headers: { 'content-type': 'application/json' } });

  test('answers for a user in the namespace of the request', async () => {
    const res = await post(path, { spec: { user: 'admin', groups: ['system:masters'], resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } } });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'LocalSubjectAccessReview', metadata: { namespace: 'default' }, status: { allowed: true } });
  });

  test('refuses attributes of another namespace, non-resource attributes and a cluster-scoped path', async () => {
    const other = await post(path, { spec: { user: 'admin', resourceAttributes: { namespace: 'kube-system', verb: 'get', resource: 'pods' } } });
    expect(other.status).toBe(422);
    expect(JSON.parse(other.body)).toMatchObject({ reason: 'Invalid', details: { causes: [{ field: 'spec.resourceAttributes.namespace', message: 'Invalid value: "kube-system": must match metadata.namespace' }] } });
    const mismatch = await post(path, { metadata: { namespace: 'kube-system' }, spec: { user: 'admin', resourceAttributes: { namespace: 'kube-system', verb: 'get', resource: 'pods' } } });
    expect(mismatch.status).toBe(400);
    expect(JSON.parse(mismatch.body).message).toBe('the namespace of the provided object does not match the namespace sent on the request');
    const nonResource = await post(path, { spec: { user: 'admin', nonResourceAttributes: { path: '/healthz', verb: 'get' } } });
    expect(nonResource.status).toBe(422);
    expect((await post('/apis/authorization.k8s.io/v1/localsubjectaccessreviews', { spec: { user: 'admin', resourceAttributes: { verb: 'get', resource: 'pods' } } })).status).toBe(404);
  });
});
