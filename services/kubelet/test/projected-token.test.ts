// The kubelet's projected volumes: the kube-api-access volume's files (a pod-bound token, 0600;
// ca.crt from the ConfigMap; the namespace), renewal at 80% of the token's lifetime, no renewal
// once the pod is released, and refusals (a missing ConfigMap, a path leaving the volume).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@keelson/api';
import { createLogger } from '@keelson/telemetry';
import { ProjectedVolumes, VolumeSetupError, type VolumeSourceApi } from '../src/volumes/projected-token';
import { apiServiceEnv } from '../src/volumes/pod-sandbox';
import type { Pod } from '../src/types';

let root: string;
let issued: Array<{ ns: string; sa: string; spec: Record<string, unknown> }>;
let timers: Array<{ fn: () => void; ms: number }>;
let now: number;
const configMaps = new Map<string, KubeObject>();

const api: VolumeSourceApi = {
  async requestToken(ns, sa, spec) {
    issued.push({ ns, sa, spec });
    return { token: `token-${issued.length}`, expirationTimestamp: new Date(now + (spec.expirationSeconds as number) * 1000).toISOString() };
  },
  async get(_resource, ns, name) {
    return configMaps.get(`${ns}/${name}`);
  },
};

const pod = (volumes: unknown[]): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team', uid: 'uid-1' },
  spec: { serviceAccountName: 'builder', containers: [{ name: 'c' }], volumes },
});
const apiAccess = {
  name: 'kube-api-access-abcde',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

let volumes: ProjectedVolumes;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'projected-'));
  issued = [];
  timers = [];
  now = Date.parse('2026-01-01T00:00:00Z');
  configMaps.clear();
  configMaps.set('team/kube-root-ca.crt', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA PEM' } } as KubeObject);
  volumes = new ProjectedVolumes({
    root, api, log: createLogger('test', { write: () => undefined }), now: () => now,
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return setTimeout(() => undefined, 0);
    },
  });
});
afterEach(() => {
  volumes.close();
  rmSync(root, { recursive: true, force: true });
});

test('the kube-api-access volume holds a pod-bound token (0600), ca.crt and the namespace', async () => {
  const dirs = await volumes.setUp(pod([apiAccess, { name: 'scratch', emptyDir: {} }]));
  const dir = dirs.get('kube-api-access-abcde')!;
  // Every volume is materialised now (the emptyDir too, in its own kubernetes.io~empty-dir directory).
  expect([...dirs.keys()].sort()).toEqual(['kube-api-access-abcde', 'scratch']);
  expect(dirs.get('scratch')).toBe(join(root, 'pods', 'uid-1', 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
  expect(dir).toBe(join(root, 'pods', 'uid-1', 'volumes', 'kubernetes.io~projected', 'kube-api-access-abcde'));
  expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('token-1');
  expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe('CA PEM');
  expect(readFileSync(join(dir, 'namespace'), 'utf8')).toBe('team');
  expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'ca.crt')).mode & 0o777).toBe(0o644);
  expect(statSync(join(root, 'pods', 'uid-1', 'volumes')).mode & 0o777).toBe(0o700); // no other pod walks in by path
  expect(issued).toEqual([{ ns: 'team', sa: 'builder', spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'uid-1' } } }]);
  // Set up once: a container restart does not ask again.
  await volumes.setUp(pod([apiAccess]));
  expect(issued).toHaveLength(1);
});

test('the token is renewed at 80% of its lifetime, and no more once the pod is released', async () => {
  const dir = (await volumes.setUp(pod([apiAccess]))).get('kube-api-access-abcde')!;
  expect(timers.map((t) => t.ms)).toEqual([Math.floor(3607_000 * 0.8)]);
  now += timers[0].ms;
  timers[0].fn();
  await new Promise((r) => setTimeout(r, 50));
  expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('token-2');
  expect(timers).toHaveLength(2); // the next renewal is scheduled
  volumes.release('uid-1');
  timers[1].fn();
  await new Promise((r) => setTimeout(r, 50));
  expect(issued).toHaveLength(2);
});

test('a missing ConfigMap fails the setup (unless optional); paths may not leave the volume', async () => {
  configMaps.clear();
  await expect(volumes.setUp(pod([apiAccess]))).rejects.toThrow(new VolumeSetupError('configmap "kube-root-ca.crt" not found'));
  const optional = { name: 'v', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt', optional: true } }] } };
  await expect(volumes.setUp(pod([optional]))).resolves.toBeDefined();
  const escape = { name: 'x', projected: { sources: [{ downwardAPI: { items: [{ path: '../../escape', fieldRef: { fieldPath: 'metadata.name' } }] } }] } };
  await expect(new ProjectedVolumes({ root, api, log: createLogger('test', { write: () => undefined }) }).setUp({ ...pod([escape]), metadata: { name: 'p', namespace: 'team', uid: 'uid-2' } })).rejects.toThrow(/invalid path/);
});

test('in-cluster clients find the API from KUBERNETES_SERVICE_HOST and _PORT', () => {
  expect(apiServiceEnv('https://127.0.0.1:6443')).toEqual({
    KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', KUBERNETES_SERVICE_PORT_HTTPS: '6443',
    KUBERNETES_PORT: 'tcp://127.0.0.1:6443', KUBERNETES_PORT_6443_TCP: 'tcp://127.0.0.1:6443', KUBERNETES_PORT_6443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_6443_TCP_PORT: '6443', KUBERNETES_PORT_6443_TCP_ADDR: '127.0.0.1',
  });
  expect(apiServiceEnv('https://[::1]')).toMatchObject({ KUBERNETES_SERVICE_HOST: '::1', KUBERNETES_SERVICE_PORT: '443' });
});
