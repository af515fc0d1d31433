// core/v1 kinds through the real kubectl: Secrets (types, stringData, immutable), Services
// (defaults, cluster IP and node port allocation, validation), TokenRequests, and the
// storage-only kinds (Endpoints, PersistentVolume(Claim)s, ResourceQuota, LimitRange,
// ReplicationController), each with kube's columns and messages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, 'fixtures/core');
let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane();
  await c.k('create', 'namespace', 'prod');
});
afterAll(async () => {
  await c?.stop();
});

const json = async (...args: string[]): Promise<Record<string, any>> => JSON.parse(await c.k(...args, '-o', 'json'));
const fail = async (...args: string[]): Promise<string> => {
  const r = await c.kubectl(args);
  expect(r.code).not.toBe(0);
  return r.stderr;
};
const header = (out: string): string[] => out.split('\n')[0].trim().split(/\s{2,}/);
const row = (out: string, name: string): string[] => (out.split('\n').find((l) => l.startsWith(name + ' ')) ?? '').trim().split(/\s{2,}/);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const post = (path: string, body: unknown) => c.request('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('Secret', () => {
  test('kubectl create secret generic --from-literal stores base64 data of type Opaque', async () => {
    await c.k('create', 'secret', 'generic', 'db-user', '--from-literal=username=admin', '--from-literal=password=s3cr=t');
    const s = await json('get', 'secret', 'db-user');
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ username: b64('admin'), password: b64('s3cr=t') });
    const out = await c.k('get', 'secrets');
    expect(header(out)).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(row(out, 'db-user').slice(0, 3)).toEqual(['db-user', 'Opaque', '2']);
  });

  test('kubectl create secret tls stores the certificate and key as kubernetes.io/tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=web.example.com',
      '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    await c.k('create', 'secret', 'tls', 'web-tls', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`);
    const s = await json('get', 'secret', 'web-tls');
    expect(s.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(s.data['tls.crt'], 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(s.data['tls.key'], 'base64').toString()).toContain('PRIVATE KEY');
    expect(row(await c.k('get', 'secret', 'web-tls'), 'web-tls').slice(0, 3)).toEqual(['web-tls', 'kubernetes.io/tls', '2']);
  });

  test('kubectl apply of the documentation examples folds stringData into data', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'secret-dotfile.yaml'), '-f', join(FIXTURES, 'secret-basic-auth.yaml'));
    const basic = await json('get', 'secret', 'secret-basic-auth');
    expect(basic.type).toBe('kubernetes.io/basic-auth');
    expect(basic.data).toEqual({ username: b64('admin'), password: b64('t0p-Secret') });
    expect(basic.stringData).toBeUndefined();
    expect((await json('get', 'secret', 'dotfile-secret')).data).toEqual({ '.secret-file': 'dmFsdWUtMg0KDQo=' });
  });

  test('a typed secret without its required keys is 422 naming the key', async () => {
    const res = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'half-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('x') } });
    expect(res.status).toBe(422);
    const s = JSON.parse(res.body);
    expect(s.message).toBe('Secret "half-tls" is invalid: data[tls.key]: Required value');
    const bad = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad-key' }, data: { 'a b': b64('x') } });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).details.causes[0].field).toBe('data[a b]');
    const notB64 = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'not-b64' }, data: { a: 'not base64!' } });
    expect(notB64.status).toBe(400);
  });

  test('an immutable secret keeps its data, type and immutability', async () => {
    await c.k('create', 'secret', 'generic', 'frozen', '--from-literal=a=1');
    await c.k('patch', 'secret', 'frozen', '-p', '{"immutable":true}');
    let err = await fail('patch', 'secret', 'frozen', '-p', `{"data":{"a":"${b64('2')}"}}`);
    expect(err).toContain('Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    err = await fail('patch', 'secret', 'frozen', '-p', '{"stringData":{"b":"new"}}');
    expect(err).toContain('data: Forbidden: field is immutable when `immutable` is set');
    err = await fail('patch', 'secret', 'frozen', '-p', '{"immutable":false}');
    expect(err).toContain('immutable: Forbidden: field is immutable when `immutable` is set');
    // Metadata still changes.
    await c.k('label', 'secret', 'frozen', 'tier=gold');
    err = await fail('patch', 'secret', 'db-user', '--type=merge', '-p', '{"type":"kubernetes.io/basic-auth"}');
    expect(err).toContain('type: Invalid value: "kubernetes.io/basic-auth": field is immutable');
  });

  test('kubectl explain secret.data shows the upstream description', async () => {
    const out = await c.k('explain', 'secret.data');
    expect(out).toContain('FIELD: data <map[string]string>');
    expect(out).toContain('Data contains the secret data.');
  });
});
