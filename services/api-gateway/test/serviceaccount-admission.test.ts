// ServiceAccount admission on pod creation, NodeRestriction on a kubelet's TokenRequest, and the
// deletion leeway of pod-bound tokens, as kube's serviceaccount admission, noderestriction and
// token validator behave.
import { generateKeyPairSync } from 'node:crypto';
import { ApiError, resourceInfo, type KubeObject } from '@keelson/api';
import type { RequestContext } from '../src/registry/request-context';
import { serviceAccountAdmission, SERVICE_ACCOUNT_MOUNT_PATH, type ServiceAccountSource } from '../src/serviceaccount/admission';
import { checkNodeTokenRequest } from '../src/serviceaccount/node-token-restriction';
import { ServiceAccountTokens, TokenVerificationError } from '../src/serviceaccount/tokens';
import { ServiceAccountTokenAuthenticator } from '../src/authz/serviceaccount-authenticator';

const pods = resourceInfo({ group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true });
const ctx = { user: { name: 'admin', uid: 'a', groups: [] }, dryRun: false, fieldValidation: 'Strict', warnings: [] } as RequestContext;
const accounts = new Map<string, KubeObject>();
let ensured: string[] = [];
const source: ServiceAccountSource = {
  get: async (ns, name) => accounts.get(`${ns}/${name}`),
  ensureDefault: async (ns) => {
    ensured.push(ns);
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns, uid: 'made' } };
    accounts.set(`${ns}/default`, sa);
    return sa;
  },
};
const admit = serviceAccountAdmission(source);
const sa = (name: string, extra: Record<string, unknown> = {}): void => {
  accounts.set(`ns/${name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, ...extra });
};
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }], initContainers: [{ name: 'i', image: 'x' }], ...spec },
});

beforeEach(() => {
  accounts.clear();
  ensured = [];
  sa('default');
});

test('a pod runs as default and every container mounts one projected kube-api-access volume read-only', async () => {
  const p = pod();
  await admit(p, pods, ctx);
  expect(p.spec?.serviceAccountName).toBe('default');
  expect(p.spec?.serviceAccount).toBe('default');
  const volumes = p.spec?.volumes as Array<Record<string, unknown>>;
  expect(volumes).toHaveLength(1);
  expect(volumes[0].name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  expect(volumes[0].projected).toEqual({
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  });
  for (const c of [...(p.spec?.containers as Array<Record<string, unknown>>), ...(p.spec?.initContainers as Array<Record<string, unknown>>)]) {
    expect(c.volumeMounts).toEqual([{ name: volumes[0].name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
  }
});

test('a missing service account is refused with kube-apiserver\'s message; a missing default is made at once', async () => {
  const err = await admit(pod({ serviceAccountName: 'ghost' }), pods, ctx).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(403);
  expect((err as ApiError).message).toBe('pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found');
  accounts.clear();
  await admit(pod(), pods, ctx);
  expect(ensured).toEqual(['ns']);
});

test('automountServiceAccountToken: the pod setting wins over the service account\'s', async () => {
  sa('quiet', { automountServiceAccountToken: false });
  const off = pod({ serviceAccountName: 'quiet' });
  await admit(off, pods, ctx);
  expect(off.spec?.volumes).toBeUndefined();
  const on = pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true });
  await admit(on, pods, ctx);
  expect(on.spec?.volumes).toHaveLength(1);
  const podOff = pod({ automountServiceAccountToken: false });
  await admit(podOff, pods, ctx);
  expect(podOff.spec?.volumes).toBeUndefined();
});

test('a container with its own mount at the token path keeps it; the others get the token', async () => {
  const p = pod({ volumes: [{ name: 'mine', emptyDir: {} }] });
  (p.spec?.containers as Array<Record<string, unknown>>)[0].volumeMounts = [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
  await admit(p, pods, ctx);
  const [a, b] = p.spec?.containers as Array<{ volumeMounts: Array<{ name: string }> }>;
  expect(a.volumeMounts).toEqual([{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
  expect(b.volumeMounts[0].name).toMatch(/^kube-api-access-/);
  expect((p.spec?.volumes as unknown[]).length).toBe(2);
});

describe('NodeRestriction on serviceaccounts/token', () => {
  const node = { name: 'system:node:node-1', uid: 'n', groups: ['system:nodes', 'system:authenticated'] };
  const stored: Record<string, KubeObject> = {
    mine: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mine', namespace: 'ns', uid: 'u-mine' }, spec: { nodeName: 'node-1' } },
    theirs: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'theirs', namespace: 'ns', uid: 'u-theirs' }, spec: { nodeName: 'node-2' } },
  };
  const getPod = async (_ns: string, name: string): Promise<KubeObject> => {
    if (!stored[name]) throw new ApiError(404, 'NotFound', `pods "${name}" not found`);
    return stored[name];
  };
  const request = (ref?: Record<string, unknown>) => ({ spec: { audiences: [], boundObjectRef: ref } });
  const refusal = (body: unknown) => checkNodeTokenRequest(node, 'ns', 'default', body, getPod).then(() => 'allowed', (e: ApiError) => `${e.code} ${e.message}`);

  test('a token bound to a pod on the node is allowed; anything else is 403', async () => {
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'u-mine' }))).toBe('allowed');
    expect(await refusal(request())).toBe('403 serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Secret', name: 'mine', uid: 'u-mine' }))).toBe('403 serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }))).toBe('403 serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid');
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'old' }))).toMatch(/^403 .*the UID in the bound object reference \(old\) does not match/);
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'u-theirs' }))).toBe('403 serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node');
    expect(await refusal(request({ apiVersion: 'v1', kind: 'Pod', name: 'nope', uid: 'x' }))).toBe('404 pods "nope" not found');
  });

  test('other users are not restricted', async () => {
    await expect(checkNodeTokenRequest({ name: 'admin', uid: 'a', groups: ['system:masters'] }, 'ns', 'default', request(), getPod)).resolves.toBeUndefined();
  });
});

test('a pod-bound token stays valid through a graceful deletion plus a minute, and not after', () => {
  const tokens = new ServiceAccountTokens(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const objects = new Map<string, KubeObject>([
    ['serviceaccounts/default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ns', uid: 'sa' } }],
    ['pods/p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'pod' } }],
  ]);
  const auth = new ServiceAccountTokenAuthenticator(tokens, { get: (r, _ns, name) => objects.get(`${r}/${name}`) });
  const { token } = tokens.issue({ namespace: 'ns', name: 'default', uid: 'sa' }, [tokens.issuer], 3607, new Date(), [{ kind: 'Pod', name: 'p', uid: 'pod' }]);
  expect(auth.authenticateToken(token).name).toBe('system:serviceaccount:ns:default');
  objects.get('pods/p')!.metadata.deletionTimestamp = new Date(Date.now() + 30_000).toISOString(); // terminating, 30 s grace
  expect(auth.authenticateToken(token).name).toBe('system:serviceaccount:ns:default');
  objects.get('pods/p')!.metadata.deletionTimestamp = new Date(Date.now() - 61_000).toISOString();
  expect(() => auth.authenticateToken(token)).toThrow(TokenVerificationError);
  objects.delete('pods/p');
  expect(() => auth.authenticateToken(token)).toThrow('pod ns/p has been deleted');
  objects.set('pods/p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'pod-2' } });
  expect(() => auth.authenticateToken(token)).toThrow(/pod UID \(pod\) does not match/);
});
