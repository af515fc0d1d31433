// Encryption at rest, as kube-apiserver's `--encryption-provider-config`: an
// EncryptionConfiguration (apiserver.config.k8s.io/v1, YAML or JSON) lists, per resource, the
// providers in order. The first provider encrypts every write; every provider can read, so a key
// is rotated by adding a new one first, rewriting the objects, then removing the old one.
// Stored values look like kube's: `k8s:enc:<aesgcm|aescbc>:v1:<key name>:` + binary payload
// (aesgcm: 12-byte nonce, ciphertext, 16-byte tag; aescbc: 16-byte IV, PKCS#7 ciphertext).
// `identity` writes plaintext and reads anything that carries no provider prefix.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface ValueTransformer {
  /** The bytes to store for `plaintext`. */
  toStorage(plaintext: Buffer): Buffer;
  /** The plaintext of a stored value, and whether it should be rewritten (not what the first provider writes). */
  fromStorage(stored: Buffer): { data: Buffer; stale: boolean };
}

export class EncryptionConfigError extends Error {
  override readonly name = 'EncryptionConfigError';
}

interface KeySpec { name: string; secret: string }
interface ProviderSpec { aesgcm?: { keys?: KeySpec[] }; aescbc?: { keys?: KeySpec[] }; identity?: Record<string, never> }
interface ResourceSpec { resources?: string[]; providers?: ProviderSpec[] }

type Cipher = 'aesgcm' | 'aescbc';
interface Provider { kind: 'identity' | Cipher; keys: Array<{ name: string; key: Buffer; prefix: Buffer }> }

const prefixFor = (cipher: Cipher, name: string): Buffer => Buffer.from(`k8s:enc:${cipher}:v1:${name}:`);
const ENCRYPTED = Buffer.from('k8s:enc:');

function parseKeys(cipher: Cipher, keys: KeySpec[] | undefined): Provider {
  if (!keys?.length) throw new EncryptionConfigError(`${cipher}: at least one key is required`);
  return {
    kind: cipher,
    keys: keys.map((k) => {
      if (!k?.name || typeof k.secret !== 'string') throw new EncryptionConfigError(`${cipher}: every key needs a name and a secret`);
      if (/[:\s]/.test(k.name)) throw new EncryptionConfigError(`${cipher}: key name ${JSON.stringify(k.name)} may not contain ':' or spaces`);
      const key = Buffer.from(k.secret, 'base64');
      if (![16, 24, 32].includes(key.length)) throw new EncryptionConfigError(`${cipher}: key ${k.name} must be 16, 24 or 32 bytes (base64), got ${key.length}`);
      return { name: k.name, key, prefix: prefixFor(cipher, k.name) };
    }),
  };
}

function encrypt(cipher: Cipher, key: Buffer, plaintext: Buffer): Buffer {
  const algo = `aes-${key.length * 8}-${cipher === 'aesgcm' ? 'gcm' : 'cbc'}`;
  if (cipher === 'aesgcm') {
    const nonce = randomBytes(12);
    const c = createCipheriv(algo, key, nonce) as import('node:crypto').CipherGCM;
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return Buffer.concat([nonce, body, c.getAuthTag()]);
  }
  const iv = randomBytes(16);
  const c = createCipheriv(algo, key, iv);
  return Buffer.concat([iv, c.update(plaintext), c.final()]);
}

function decrypt(cipher: Cipher, key: Buffer, payload: Buffer): Buffer {
  const algo = `aes-${key.length * 8}-${cipher === 'aesgcm' ? 'gcm' : 'cbc'}`;
  if (cipher === 'aesgcm') {
    if (payload.length < 28) throw new Error('aesgcm payload too short');
    const d = createDecipheriv(algo, key, payload.subarray(0, 12)) as import('node:crypto').DecipherGCM;
    d.setAuthTag(payload.subarray(payload.length - 16));
    return Buffer.concat([d.update(payload.subarray(12, payload.length - 16)), d.final()]);
  }
  if (payload.length < 32) throw new Error('aescbc payload too short');
  const d = createDecipheriv(algo, key, payload.subarray(0, 16));
  return Buffer.concat([d.update(payload.subarray(16)), d.final()]);
}

class ProviderChain implements ValueTransformer {
  constructor(private readonly providers: Provider[]) {}

  toStorage(plaintext: Buffer): Buffer {
    const first = this.providers[0];
    if (first.kind === 'identity') return plaintext;
    const k = first.keys[0];
    return Buffer.concat([k.prefix, encrypt(first.kind, k.key, plaintext)]);
  }

  fromStorage(stored: Buffer): { data: Buffer; stale: boolean } {
    const writer = this.providers[0];
    for (const p of this.providers) {
      if (p.kind === 'identity') continue;
      for (const k of p.keys) {
        if (!stored.subarray(0, k.prefix.length).equals(k.prefix)) continue;
        const data = decrypt(p.kind, k.key, stored.subarray(k.prefix.length));
        return { data, stale: writer.kind === 'identity' || writer.keys[0] !== k };
      }
    }
    if (stored.subarray(0, ENCRYPTED.length).equals(ENCRYPTED)) {
      throw new Error(`no configured key decrypts this value (${stored.subarray(0, stored.indexOf(':', 16) + 1).toString()}…)`);
    }
    if (!this.providers.some((p) => p.kind === 'identity')) throw new Error('value is not encrypted and the identity provider is not configured');
    return { data: stored, stale: writer.kind !== 'identity' };
  }
}

/** Transformers by `<resource>.<group>` (`secrets` for core), from an EncryptionConfiguration document. */
export function parseEncryptionConfig(text: string): Map<string, ValueTransformer> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new EncryptionConfigError(`not YAML or JSON: ${(err as Error).message}`);
  }
  const d = doc as { kind?: string; resources?: ResourceSpec[] } | null;
  if (!d || d.kind !== 'EncryptionConfiguration') throw new EncryptionConfigError('kind must be EncryptionConfiguration');
  const out = new Map<string, ValueTransformer>();
  for (const r of d.resources ?? []) {
    if (!r.providers?.length) throw new EncryptionConfigError('every resources entry needs providers');
    const providers = r.providers.map((p): Provider => {
      const kinds = Object.keys(p ?? {});
      if (kinds.length !== 1) throw new EncryptionConfigError(`a provider names exactly one of aesgcm, aescbc, identity (got ${kinds.join(', ') || 'none'})`);
      if (p.aesgcm) return parseKeys('aesgcm', p.aesgcm.keys);
      if (p.aescbc) return parseKeys('aescbc', p.aescbc.keys);
      if ('identity' in p) return { kind: 'identity', keys: [] };
      throw new EncryptionConfigError(`unsupported provider ${kinds[0]} (aesgcm, aescbc and identity are)`);
    });
    const chain = new ProviderChain(providers);
    for (const res of r.resources ?? []) {
      if (out.has(res)) throw new EncryptionConfigError(`resource ${res} is listed twice`);
      out.set(res, chain);
    }
  }
  return out;
}

export function loadEncryptionConfig(file: string): Map<string, ValueTransformer> {
  try {
    return parseEncryptionConfig(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof EncryptionConfigError) throw new EncryptionConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

// The transformers in use, by etcd key prefix (`/registry/core/secrets/`): set once at gateway
// start; the codec applies them to every value written and read under that prefix.
const installed = new Map<string, ValueTransformer>();

/** Installs `<resource>[.<group>]` transformers (only `secrets` is supported, as Keelson encrypts secrets). */
export function installEncryption(transformers: Map<string, ValueTransformer>): void {
  installed.clear();
  for (const [res, t] of transformers) {
    const dot = res.indexOf('.');
    const resource = dot < 0 ? res : res.slice(0, dot);
    const group = dot < 0 ? 'core' : res.slice(dot + 1);
    if (res === '*.*' || res === '*.') throw new EncryptionConfigError('wildcard resources are not supported; list secrets');
    installed.set(`/registry/${group}/${resource}/`, t);
  }
}

/** The transformer for an etcd key, if its resource is encrypted. */
export function transformerFor(key: string): ValueTransformer | undefined {
  if (!installed.size) return undefined;
  for (const [prefix, t] of installed) if (key.startsWith(prefix)) return t;
  return undefined;
}
