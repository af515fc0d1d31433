// Service account tokens: what `issue` signs is what `verify` accepts, and nothing else.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { ServiceAccountTokens, DEFAULT_ISSUER } from '../src/serviceaccount/tokens';

const key = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const sa = { namespace: 'ci', name: 'builder', uid: '1234' };

test('an issued token verifies and carries the kube claims', () => {
  const tokens = new ServiceAccountTokens(key());
  const now = new Date('2026-01-01T00:00:00Z');
  const { token, claims } = tokens.issue(sa, ['vault'], 600, now);
  expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'RS256', kid: tokens.keyId });
  expect(claims).toMatchObject({ iss: DEFAULT_ISSUER, sub: 'system:serviceaccount:ci:builder', aud: ['vault'], iat: now.getTime() / 1000, exp: now.getTime() / 1000 + 600 });
  expect(claims['kubernetes.io']).toEqual({ namespace: 'ci', serviceaccount: { name: 'builder', uid: '1234' } });
  expect(tokens.verify(token, { audiences: ['vault'], now: new Date(now.getTime() + 1000) })).toEqual(claims);
});

test('expired, foreign, tampered or wrongly addressed tokens are refused', () => {
  const tokens = new ServiceAccountTokens(key());
  const now = new Date();
  const { token } = tokens.issue(sa, ['vault'], 600, now);
  expect(() => tokens.verify(token, { now: new Date(now.getTime() + 601_000) })).toThrow('token has expired');
  expect(() => tokens.verify(token, { audiences: ['other'] })).toThrow('token audiences do not match');
  expect(() => new ServiceAccountTokens(key()).verify(token)).toThrow('invalid signature');
  const [h, p, s] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'system:serviceaccount:ci:admin' })).toString('base64url');
  expect(() => tokens.verify(`${h}.${forged}.${s}`)).toThrow('invalid signature');
  expect(() => tokens.verify('not.a-token')).toThrow('not a JWT');
});

test('a key file wins over etcd, and the key id is stable for the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
  const pk = key();
  writeFileSync(join(dir, 'sa.key'), pk.export({ type: 'pkcs8', format: 'pem' }));
  const untouched = {} as Etcd3; // reading etcd would throw
  const a = await ServiceAccountTokens.load(untouched, join(dir, 'sa.key'));
  expect(a.keyId).toBe(new ServiceAccountTokens(pk).keyId);
  expect(a.verify(a.issue(sa, ['x'], 600).token).sub).toBe('system:serviceaccount:ci:builder');
});
