// The EncryptionConfiguration the gateway encrypts Secrets with (KEELSON_ENCRYPTION_CONFIG):
// one random AES-256 key for `aesgcm`, then `identity` so Secrets written before encryption was
// turned on stay readable (rewrite them to encrypt them). Generated once, mode 0600; rotate by
// editing it (new key first, rewrite every Secret, drop the old key) and restarting the gateway.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ENCRYPTION_CONFIG_FILE = 'encryption-config.yaml';

export function encryptionConfigYaml(keys: Array<{ name: string; secret: string }>, cipher: 'aesgcm' | 'aescbc' = 'aesgcm'): string {
  return [
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources:',
    '      - secrets',
    '    providers:',
    `      - ${cipher}:`,
    '          keys:',
    ...keys.flatMap((k) => [`            - name: ${JSON.stringify(k.name)}`, `              secret: ${JSON.stringify(k.secret)}`]),
    '      - identity: {}',
    '',
  ].join('\n');
}

export const newEncryptionKey = (): string => randomBytes(32).toString('base64');

/** Makes sure `dir/encryption-config.yaml` exists (an existing one is kept as is); returns its path. */
export async function ensureEncryptionConfig(dir: string): Promise<string> {
  const file = join(dir, ENCRYPTION_CONFIG_FILE);
  if (!existsSync(file)) {
    await writeFile(`${file}.tmp`, encryptionConfigYaml([{ name: 'key1', secret: newEncryptionKey() }]), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  return file;
}
