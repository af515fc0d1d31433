import { randomBytes } from 'node:crypto';
import { EncryptionConfigError, installEncryption, parseEncryptionConfig, transformerFor } from '../src';
import { decodeObject, encodeObject, storedValueIsStale } from '../src/codec';

const key = (): string => randomBytes(32).toString('base64');
const config = (providers: string): string => `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`;
const SECRET_KEY = '/registry/core/secrets/default/s';
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', resourceVersion: '9' }, data: { password: Buffer.from('hunter2-plaintext').toString('base64') }, stringData: undefined };

afterEach(() => installEncryption(new Map()));

test.each(['aesgcm', 'aescbc'])('%s: secrets are stored as k8s:enc:<cipher>:v1:<key>: + ciphertext and read back', (cipher) => {
  installEncryption(parseEncryptionConfig(config(`      - ${cipher}:\n          keys:\n            - name: k1\n              secret: ${key()}\n      - identity: {}`)));
  const stored = Buffer.from(encodeObject(secret, SECRET_KEY));
  expect(stored.subarray(0, `k8s:enc:${cipher}:v1:k1:`.length).toString()).toBe(`k8s:enc:${cipher}:v1:k1:`);
  expect(stored.toString('latin1')).not.toContain(secret.data.password);
  expect(stored.toString('latin1')).not.toContain('"kind"');
  expect(decodeObject(stored, 12, SECRET_KEY)).toMatchObject({ kind: 'Secret', data: secret.data, metadata: { resourceVersion: '12' } });
  // Two writes of the same object differ (random nonce / IV).
  expect(Buffer.from(encodeObject(secret, SECRET_KEY)).equals(stored)).toBe(false);
  // Other resources are not touched.
  expect(encodeObject({ ...secret, kind: 'ConfigMap' }, '/registry/core/configmaps/default/s')).toContain(secret.data.password);
});

test('rotation: the first key writes, every key reads; values under an older key are stale', () => {
  const [k1, k2] = [key(), key()];
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${k1}`)));
  const old = Buffer.from(encodeObject(secret, SECRET_KEY));
  expect(storedValueIsStale(old, SECRET_KEY)).toBe(false);
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k2\n              secret: ${k2}\n            - name: k1\n              secret: ${k1}`)));
  expect(decodeObject(old, 1, SECRET_KEY).metadata.name).toBe('s');
  expect(storedValueIsStale(old, SECRET_KEY)).toBe(true);
  const rewritten = Buffer.from(encodeObject(secret, SECRET_KEY));
  expect(rewritten.subarray(0, 19).toString()).toBe('k8s:enc:aesgcm:v1:k');
  expect(rewritten.toString('latin1').startsWith('k8s:enc:aesgcm:v1:k2:')).toBe(true);
  expect(storedValueIsStale(rewritten, SECRET_KEY)).toBe(false);
  // The old key removed: what it wrote can no longer be read; what k2 wrote can.
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k2\n              secret: ${k2}`)));
  expect(() => decodeObject(old, 1, SECRET_KEY)).toThrow(/no configured key decrypts/);
  expect(decodeObject(rewritten, 1, SECRET_KEY).metadata.name).toBe('s');
});

test('identity reads plaintext written before encryption; without identity plaintext is refused', () => {
  const plain = Buffer.from(encodeObject(secret, SECRET_KEY));
  expect(plain.toString()).toContain('"kind":"Secret"');
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${key()}\n      - identity: {}`)));
  expect(decodeObject(plain, 1, SECRET_KEY).kind).toBe('Secret');
  expect(storedValueIsStale(plain, SECRET_KEY)).toBe(true);
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${key()}`)));
  expect(() => decodeObject(plain, 1, SECRET_KEY)).toThrow(/identity provider is not configured/);
  // identity first: writes plaintext, still reads what a key encrypted.
  const k = key();
  installEncryption(parseEncryptionConfig(config(`      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${k}`)));
  const enc = Buffer.from(encodeObject(secret, SECRET_KEY));
  installEncryption(parseEncryptionConfig(config(`      - identity: {}\n      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${k}`)));
  expect(decodeObject(enc, 1, SECRET_KEY).kind).toBe('Secret');
  expect(encodeObject(secret, SECRET_KEY).toString()).toContain('"kind":"Secret"');
  expect(transformerFor('/registry/core/configmaps/x/y')).toBeUndefined();
});

test('bad configurations are refused with a reason', () => {
  expect(() => parseEncryptionConfig('kind: Other')).toThrow(EncryptionConfigError);
  expect(() => parseEncryptionConfig(config('      - aesgcm:\n          keys:\n            - name: k1\n              secret: c2hvcnQ='))).toThrow(/16, 24 or 32 bytes/);
  expect(() => parseEncryptionConfig(config('      - aesgcm:\n          keys: []'))).toThrow(/at least one key/);
  expect(() => parseEncryptionConfig(config('      - kms:\n          name: x'))).toThrow(/unsupported provider kms/);
  // JSON is YAML too.
  const json = JSON.stringify({ kind: 'EncryptionConfiguration', apiVersion: 'apiserver.config.k8s.io/v1', resources: [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'a', secret: key() }] } }] }] });
  expect(parseEncryptionConfig(json).get('secrets')).toBeDefined();
});
