// ServiceAccount JWT authentication: the user and groups a live token stands for, and refusal
// once it expires, names another audience, or its ServiceAccount or bound pod is gone or replaced.
import type { IncomingMessage } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { ApiError, type KubeObject } from '@keelson/api';
import { TokenAuthenticator } from '../src/http/auth';
import { ServiceAccountTokens, TokenVerificationError } from '../src/serviceaccount/tokens';
import { ServiceAccountTokenAuthenticator, UnionAuthenticator } from '../src/authz/serviceaccount-authenticator';

const tokens = new ServiceAccountTokens(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const objects = new Map<string, KubeObject>();
const put = (resource: string, name: string, uid: string) => objects.set(`${resource}/ns/${name}`, { apiVersion: 'v1', kind: 'X', metadata: { name, namespace: 'ns', uid } });
const auth = new ServiceAccountTokenAuthenticator(tokens, { get: (resource, ns, name) => objects.get(`${resource}/${ns}/${name}`) });
const sa = { namespace: 'ns', name: 'robot', uid: 'sa-1' };

beforeEach(() => {
  objects.clear();
  put('serviceaccounts', 'robot', 'sa-1');
  put('pods', 'p', 'pod-1');
});

test('a live token is system:serviceaccount:<ns>:<name> in the service account groups', () => {
  const { token } = tokens.issue(sa, [tokens.issuer], 600);
  expect(auth.authenticateToken(token)).toEqual({
    name: 'system:serviceaccount:ns:robot', uid: 'sa-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
  });
});

test('expired, foreign-audience and orphaned tokens are refused', () => {
  const expired = tokens.issue(sa, [tokens.issuer], 600, new Date(Date.now() - 601_000)).token;
  expect(() => auth.authenticateToken(expired)).toThrow(new TokenVerificationError('token has expired'));
  const vault = tokens.issue(sa, ['vault'], 600).token;
  expect(() => auth.authenticateToken(vault)).toThrow('token audiences do not match');
  const bound = tokens.issue(sa, [tokens.issuer], 600, new Date(), [{ kind: 'Pod', name: 'p', uid: 'pod-1' }]).token;
  expect(auth.authenticateToken(bound).name).toBe('system:serviceaccount:ns:robot');
  put('pods', 'p', 'pod-2'); // the pod was deleted and recreated
  expect(() => auth.authenticateToken(bound)).toThrow('pod UID (pod-1) does not match its current UID (pod-2)');
  const live = tokens.issue(sa, [tokens.issuer], 600).token;
  objects.delete('serviceaccounts/ns/robot');
  expect(() => auth.authenticateToken(live)).toThrow('service account ns/robot has been deleted');
});

test('the union tries static tokens first and answers 401 for a refused JWT', () => {
  const union = new UnionAuthenticator(TokenAuthenticator.fromCsv('s3cret,admin,admin,"system:masters"\n'), auth);
  const req = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as IncomingMessage;
  expect(union.authenticate(req('s3cret')).name).toBe('admin');
  expect(union.authenticate(req(tokens.issue(sa, [tokens.issuer], 600).token)).name).toBe('system:serviceaccount:ns:robot');
  const refused = (() => { try { union.authenticate(req(tokens.issue(sa, ['vault'], 600).token)); } catch (e) { return e; } })();
  expect(refused).toBeInstanceOf(ApiError);
  expect((refused as ApiError).code).toBe(401);
  expect(union.review(tokens.issue(sa, ['vault'], 600).token, ['vault']).user?.name).toBe('system:serviceaccount:ns:robot');
});
