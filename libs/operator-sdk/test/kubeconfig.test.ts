// Kubeconfig loading as kubectl reads it (current-context, inline or file CA, token or tokenFile),
// and the scaffold's naming rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConfigFromKubeconfig, defaultKubeconfigPath, KubeconfigError, loadClientConfig } from '../src/kubeconfig';
import { kindFromName, pluralOf, scaffold, ScaffoldError } from '../src/scaffold';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  writeFileSync(join(dir, 'ca.crt'), 'PEM');
  writeFileSync(join(dir, 'token'), 'from-file\n');
  writeFileSync(join(dir, 'config'), `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${Buffer.from('INLINE').toString('base64')} }
- name: b
  cluster: { server: "https://10.0.0.1:443", certificate-authority: ca.crt }
users:
- name: admin
  user: { token: "s3cret" }
- name: filed
  user: { tokenFile: token }
- name: cert
  user: { client-certificate: x.crt }
contexts:
- name: one
  context: { cluster: a, user: admin }
- name: two
  context: { cluster: b, user: filed, namespace: team }
- name: three
  context: { cluster: a, user: cert }
current-context: one
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('current-context with an inline CA and token', () => {
  expect(clientConfigFromKubeconfig({ path: join(dir, 'config'), userAgent: 'op' })).toEqual({ url: 'https://127.0.0.1:6443', ca: 'INLINE', token: 's3cret', userAgent: 'op' });
});

test('another context: CA and token files relative to the kubeconfig, its namespace', () => {
  expect(clientConfigFromKubeconfig({ path: join(dir, 'config'), context: 'two' })).toEqual({ url: 'https://10.0.0.1:443', ca: 'PEM', token: 'from-file', namespace: 'team' });
});

test('client certificates and unknown contexts are refused with the reason', () => {
  expect(() => clientConfigFromKubeconfig({ path: join(dir, 'config'), context: 'three' })).toThrow(/only bearer tokens are supported/);
  expect(() => clientConfigFromKubeconfig({ path: join(dir, 'config'), context: 'nope' })).toThrow(KubeconfigError);
  expect(() => clientConfigFromKubeconfig({ path: join(dir, 'missing') })).toThrow(/cannot read/);
});

test('KUBECONFIG picks the file; KEELSON_API_URL wins over it', () => {
  expect(defaultKubeconfigPath({ KUBECONFIG: `${join(dir, 'config')}:/other` })).toBe(join(dir, 'config'));
  expect(loadClientConfig({ env: { KUBECONFIG: join(dir, 'config') } }).token).toBe('s3cret');
  expect(loadClientConfig({ env: { KUBECONFIG: join(dir, 'config'), KEELSON_API_URL: 'https://gw:6443', KEELSON_TOKEN: 't' } })).toEqual({ url: 'https://gw:6443', token: 't' });
});

test('scaffold names: kind from the project name, plurals, refusals', () => {
  expect(kindFromName('greeting-operator')).toBe('Greeting');
  expect(kindFromName('node-pool-controller')).toBe('NodePool');
  expect(pluralOf('Policy')).toBe('policies');
  expect(pluralOf('Box')).toBe('boxes');
  expect(pluralOf('Gateway')).toBe('gateways');
  expect(() => scaffold({ name: 'Bad_Name', dir: join(dir, 'x') })).toThrow(ScaffoldError);
  expect(() => scaffold({ name: 'ok', dir, kind: 'Ok' })).toThrow(/not empty/);
});
