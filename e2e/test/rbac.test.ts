// Authorization with KEELSON_AUTHORIZATION_MODE=RBAC,Node, through real kubectl and raw HTTPS:
// the bootstrap policy, a ServiceAccount bound to `view`, `kubectl auth can-i [--list]`,
// `kubectl auth whoami`, `kubectl create token`, escalation prevention, and a matrix of what each
// system identity may and may not do (a kubelet only for its own node and the pods bound to it).
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(90_000);

const SERVICES = ['scheduler', 'replicaset-controller', 'deployment-controller', 'garbage-collector', 'namespace-controller', 'node-lifecycle-controller', 'kubelet'];
let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane({ env: { KEELSON_AUTHORIZATION_MODE: 'RBAC,Node' }, services: SERVICES, nodes: ['node-1'] });
});
afterAll(async () => {
  await c?.stop();
});

const json = (o: unknown): string => JSON.stringify(o);
const as = (token: string) => ({
  req: (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    c.request(method, path, { token, body: body === undefined ? undefined : json(body), headers: body === undefined ? {} : { 'content-type': contentType } }),
  k: (...args: string[]) => c.kubectl(['--token', token, ...args]),
});
const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } });

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A token for a new ServiceAccount `name` in default (kubectl create token). */
async function serviceAccountToken(name: string): Promise<string> {
  await c.k('create', 'serviceaccount', name);
  return (await c.k('create', 'token', name)).trim();
}

describe('bootstrap policy', () => {
  it('creates cluster-admin, the aggregated roles with their rules, and the discovery roles', async () => {
    const out = await c.k('get', 'clusterroles', 'cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', '-o', 'name');
    expect(out.trim().split('\n')).toHaveLength(7);
    const view = await eventually(async () => {
      const r = JSON.parse(await c.k('get', 'clusterrole', 'view', '-o', 'json'));
      return (r.rules ?? []).length > 0 ? r : undefined;
    }, 'view to be aggregated');
    expect(view.rules).toContainEqual(expect.objectContaining({ apiGroups: [''], verbs: ['get', 'list', 'watch'], resources: expect.arrayContaining(['configmaps', 'pods']) }));
    expect(await c.k('get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide')).toMatch(/ClusterRole\/cluster-admin.*system:masters/);
  });

  it('aggregates a new labelled ClusterRole into view, as the clusterrole-aggregation controller', async () => {
    await c.k('create', 'clusterrole', 'classes-view', '--verb=get,list', '--resource=storageclasses.storage.k8s.io');
    await c.k('label', 'clusterrole', 'classes-view', 'rbac.authorization.k8s.io/aggregate-to-view=true');
    for (const role of ['view', 'edit', 'admin']) {
      await eventually(async () => {
        const r = JSON.parse(await c.k('get', 'clusterrole', role, '-o', 'json'));
        return r.rules.some((x: { resources?: string[] }) => x.resources?.includes('storageclasses')) ? true : undefined;
      }, `${role} to include storageclasses`);
    }
  });
});

describe('a ServiceAccount bound to view', () => {
  let token: string;
  beforeAll(async () => {
    token = await serviceAccountToken('viewer');
    await c.k('create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=default:viewer');
    await c.k('create', 'configmap', 'cm1', '--from-literal=a=b');
  });

  it('can get but not delete, and gets kube\'s 403 message', async () => {
    const viewer = as(token);
    await eventually(async () => ((await viewer.k('get', 'configmap', 'cm1')).code === 0 ? true : undefined), 'the binding to take effect');
    const del = await viewer.k('delete', 'configmap', 'cm1');
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain('Error from server (Forbidden): configmaps "cm1" is forbidden: User "system:serviceaccount:default:viewer" cannot delete resource "configmaps" in API group "" in the namespace "default"');
    const other = await viewer.k('get', 'configmaps', '-n', 'kube-system');
    expect(other.stderr).toContain('configmaps is forbidden: User "system:serviceaccount:default:viewer" cannot list resource "configmaps" in API group "" in the namespace "kube-system"');
    const raw = await viewer.req('DELETE', '/api/v1/namespaces/default/configmaps/cm1');
    expect(raw.status).toBe(403);
    expect(JSON.parse(raw.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, details: { name: 'cm1', kind: 'configmaps' } });
    expect(await c.k('get', 'configmap', 'cm1', '-o', 'name')).toContain('configmap/cm1');
  });

  it('kubectl auth can-i answers yes and no', async () => {
    const viewer = as(token);
    const yes = await viewer.k('auth', 'can-i', 'get', 'configmaps');
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const no = await viewer.k('auth', 'can-i', 'delete', 'configmaps');
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    const admin = await c.kubectl(['auth', 'can-i', 'delete', 'nodes']);
    expect(admin.stdout.trim()).toBe('yes');
  });

  it('kubectl auth can-i --list, as the admin and as the ServiceAccount', async () => {
    const admin = await c.k('auth', 'can-i', '--list');
    expect(admin).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(admin).toMatch(/^\s+\[\*\]\s+\[\]\s+\[\*\]$/m);
    const sa = await as(token).k('auth', 'can-i', '--list');
    expect(sa.code).toBe(0);
    expect(sa.stdout).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(sa.stdout).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(sa.stdout).not.toMatch(/^\*\.\*/m);
  });
});

describe('identity', () => {
  it('kubectl auth whoami', async () => {
    const me = JSON.parse(await c.k('auth', 'whoami', '-o', 'json'));
    expect(me).toMatchObject({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', status: { userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } } });
    expect(await c.k('auth', 'whoami')).toMatch(/Username\s+admin/);
  });

  it('kubectl create token default yields a token the API accepts while its ServiceAccount lives', async () => {
    await c.k('get', 'serviceaccount', 'default'); // every namespace has one: the gateway keeps it (serviceaccount/namespace-defaults.ts)
    const token = (await c.k('create', 'token', 'default')).trim();
    const who = await as(token).k('auth', 'whoami', '-o', 'json');
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout).status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:default',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    // Revoked with its ServiceAccount (the uid no longer matches a live object).
    const temp = await serviceAccountToken('short-lived');
    expect((await as(temp).req('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).status).toBe(201);
    await c.k('delete', 'serviceaccount', 'short-lived');
    await eventually(async () => ((await as(temp).req('GET', '/api')).status === 401 ? true : undefined), 'the token to be refused');
    // A token for another audience is not the API's.
    const other = (await c.k('create', 'token', 'default', '--audience=vault')).trim();
    expect((await as(other).req('GET', '/api')).status).toBe(401);
  });

  it('TokenReview and SubjectAccessReview answer for another identity', async () => {
    const token = (await c.k('create', 'token', 'viewer')).trim();
    const tr = await c.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: json({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }), headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(tr.body).status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:default:viewer' } });
    const sar = await c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: json({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'system:serviceaccount:default:viewer', groups: ['system:serviceaccounts'], resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'default' } } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(sar.body).status).toMatchObject({ allowed: true });
  });
});

describe('escalation prevention', () => {
  let binder: ReturnType<typeof as>;
  beforeAll(async () => {
    const token = await serviceAccountToken('binder');
    await c.k('create', 'role', 'role-admin', '--verb=get,list,create,update,patch', '--resource=roles,rolebindings,configmaps');
    await c.k('create', 'rolebinding', 'binder-role-admin', '--role=role-admin', '--serviceaccount=default:binder');
    binder = as(token);
  });

  it('lets a user grant what it holds and refuses what it does not', async () => {
    const ok = await eventually(async () => {
      const r = await binder.k('create', 'role', 'cm-reader', '--verb=get', '--resource=configmaps');
      return r.code === 0 ? r : undefined;
    }, 'a role within the binder\'s own rules');
    expect(ok.stdout).toContain('role.rbac.authorization.k8s.io/cm-reader created');
    const wider = await binder.k('create', 'role', 'pod-killer', '--verb=delete', '--resource=pods');
    expect(wider.code).not.toBe(0);
    expect(wider.stderr).toContain('roles.rbac.authorization.k8s.io "pod-killer" is forbidden: user "system:serviceaccount:default:binder"');
    expect(wider.stderr).toContain('is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}');
    const bind = await binder.k('create', 'rolebinding', 'self-edit', '--clusterrole=edit', '--serviceaccount=default:binder');
    expect(bind.code).not.toBe(0);
    expect(bind.stderr).toContain('rolebindings.rbac.authorization.k8s.io "self-edit" is forbidden');
    const own = await binder.k('create', 'rolebinding', 'reader', '--role=cm-reader', '--serviceaccount=default:viewer');
    expect(own.code).toBe(0);
  });
});

describe('system identities', () => {
  const token = (svc: string) => c.creds.serviceTokens[svc];
  const P = '/api/v1/namespaces/default/pods';
  const forbidden = async (res: Promise<{ status: number; body: string }>, message: string) => {
    const r = await res;
    expect({ status: r.status, message: JSON.parse(r.body).message }).toEqual({ status: 403, message });
  };

  beforeAll(async () => {
    await c.request('POST', P, { body: json(pod('unbound')), headers: { 'content-type': 'application/json' } });
    await c.request('POST', P, { body: json(pod('elsewhere', { nodeName: 'node-2' })), headers: { 'content-type': 'application/json' } });
    await c.k('create', 'secret', 'generic', 'not-mounted', '--from-literal=k=v');
  });

  it('the scheduler binds pods but cannot create them or delete namespaces', async () => {
    const s = as(token('scheduler'));
    expect((await s.req('GET', P)).status).toBe(200);
    expect((await s.req('GET', '/api/v1/nodes')).status).toBe(200);
    expect((await s.req('POST', `${P}/unbound/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'node-1' } })).status).toBe(201);
    await forbidden(s.req('POST', P, pod('l', { nodeName: 'node-2' })), 'pods is forbidden: User "system:keelson:scheduler" cannot create resource "pods" in API group "" in the namespace "default"');
    await forbidden(s.req('DELETE', '/api/v1/namespaces/default'), 'namespaces "default" is forbidden: User "system:keelson:scheduler" cannot delete resource "namespaces" in API group "" at the cluster scope');
    await forbidden(s.req('GET', '/api/v1/namespaces/default/secrets'), 'secrets is forbidden: User "system:keelson:scheduler" cannot list resource "secrets" in API group "" in the namespace "default"');
  });

  it('controllers reach their kinds only', async () => {
    const rs = as(token('replicaset-controller'));
    expect((await rs.req('GET', '/apis/apps/v1/replicasets')).status).toBe(200);
    expect((await rs.req('POST', P, pod('from-rs'))).status).toBe(201);
    await forbidden(rs.req('GET', '/apis/apps/v1/deployments'), 'deployments.apps is forbidden: User "system:keelson:replicaset-controller" cannot list resource "deployments" in API group "apps" at the cluster scope');

    const dep = as(token('deployment-controller'));
    expect((await dep.req('GET', '/apis/apps/v1/deployments')).status).toBe(200);
    expect((await dep.req('GET', '/apis/apps/v1/replicasets')).status).toBe(200);
    await forbidden(dep.req('POST', P, pod('from-dep')), 'pods is forbidden: User "system:keelson:deployment-controller" cannot create resource "pods" in API group "" in the namespace "default"');

    const gc = as(token('garbage-collector'));
    expect((await gc.req('GET', '/api/v1/configmaps')).status).toBe(200);
    await forbidden(gc.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'configmaps is forbidden: User "system:keelson:garbage-collector" cannot create resource "configmaps" in API group "" in the namespace "default"');

    const ns = as(token('namespace-controller'));
    expect((await ns.req('GET', '/api/v1/namespaces')).status).toBe(200);
    await forbidden(ns.req('POST', P, pod('from-ns')), 'pods is forbidden: User "system:keelson:namespace-controller" cannot create resource "pods" in API group "" in the namespace "default"');

    const nl = as(token('node-lifecycle-controller'));
    expect((await nl.req('GET', '/api/v1/nodes')).status).toBe(200);
    await forbidden(nl.req('DELETE', '/api/v1/namespaces/kube-system'), 'namespaces "kube-system" is forbidden: User "system:keelson:node-lifecycle-controller" cannot delete resource "namespaces" in API group "" at the cluster scope');
    await forbidden(nl.req('DELETE', '/apis/apps/v1/namespaces/default/deployments/x'), 'deployments.apps "x" is forbidden: User "system:keelson:node-lifecycle-controller" cannot delete resource "deployments" in API group "apps" in the namespace "default"');
  });

  it('a kubelet writes only its own Node, Lease and the status of pods bound to it', async () => {
    const k = as(c.creds.nodeTokens['node-1']);
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect((await k.req('POST', '/api/v1/nodes', node('node-1'))).status).toBe(201);
    await forbidden(k.req('POST', '/api/v1/nodes', node('node-2')), 'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    expect((await k.req('PATCH', '/api/v1/nodes/node-1/status', { status: { phase: 'Running' } }, 'application/merge-patch+json')).status).toBe(200);
    await c.request('POST', '/api/v1/nodes', { body: json(node('node-2')), headers: { 'content-type': 'application/json' } });
    await forbidden(k.req('PATCH', '/api/v1/nodes/node-2', { spec: { unschedulable: true } }, 'application/merge-patch+json'),
      'nodes "node-2" is forbidden: User "system:node:node-1" cannot patch resource "nodes" in API group "" at the cluster scope: node "node-1" is not allowed to modify node "node-2"');
    await forbidden(k.req('DELETE', '/api/v1/nodes/node-2'),
      'nodes "node-2" is forbidden: User "system:node:node-1" cannot delete resource "nodes" in API group "" at the cluster scope: node "node-1" is not allowed to modify node "node-2"');

    const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name } });
    expect((await k.req('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('node-1'))).status).toBe(201);
    expect((await k.req('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('node-2'))).status).toBe(403);

    // `unbound` was bound to node-1 by the scheduler above; `elsewhere` runs on node-2.
    await eventually(async () => ((await k.req('PATCH', `${P}/unbound/status`, { status: { message: 'seen' } }, 'application/merge-patch+json')).status === 200 ? true : undefined), 'the bound pod in the cache');
    await forbidden(k.req('PATCH', `${P}/elsewhere/status`, { status: { message: 'mine' } }, 'application/merge-patch+json'),
      'pods "elsewhere" is forbidden: User "system:node:node-1" cannot patch resource "pods/status" in API group "" in the namespace "default": node "node-1" can only update the status of and delete pods bound to it');
    await forbidden(k.req('DELETE', `${P}/elsewhere`),
      'pods "elsewhere" is forbidden: User "system:node:node-1" cannot delete resource "pods" in API group "" in the namespace "default": node "node-1" can only update the status of and delete pods bound to it');
    expect((await k.req('POST', P, pod('mirror'))).status).toBe(403);
    await forbidden(k.req('GET', '/api/v1/namespaces/default/secrets/not-mounted'),
      'secrets "not-mounted" is forbidden: User "system:node:node-1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'node-1\' and this object');
    expect((await k.req('GET', P)).status).toBe(200);
  });
});
