// The token the kubelet's server demands of callers (the gateway's): from the environment, or
// from a file (npm start's autoscaler machines are told the file, so the token is in nobody's
// environment).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '@keelson/controller-runtime';
import { kubeletConfig } from '../src/config';

const dir = mkdtempSync(join(tmpdir(), 'kubelet-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('KEELSON_KUBELET_AUTH_TOKEN_FILE: the first line of the file', () => {
  const f = join(dir, 'gw.token');
  writeFileSync(f, 'secret-gw-token\nignored\n');
  expect(readConfig(kubeletConfig, { KEELSON_KUBELET_AUTH_TOKEN_FILE: f }).authToken).toBe('secret-gw-token');
  // The variable itself wins.
  expect(readConfig(kubeletConfig, { KEELSON_KUBELET_AUTH_TOKEN: 'direct', KEELSON_KUBELET_AUTH_TOKEN_FILE: f }).authToken).toBe('direct');
  expect(readConfig(kubeletConfig, {}).authToken).toBeUndefined();
});

test('an unreadable token file stops the kubelet with one clear error', () => {
  expect(() => readConfig(kubeletConfig, { KEELSON_KUBELET_AUTH_TOKEN_FILE: join(dir, 'missing') })).toThrow(/KEELSON_KUBELET_AUTH_TOKEN_FILE.*readable token file/);
});
