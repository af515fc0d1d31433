// The pure parts of the pod sandbox: who a container runs as, its hostname and /etc/hosts, env from
// ConfigMaps/Secrets with kube's errors, and which volume kinds become which files.
import { envFromVars, keyRefValue, type EnvSources } from '../src/runtime/env-sources';
import { hostsFile, podHostname } from '../src/runtime/sandbox/hostname';
import { ContainerConfigError, containerUser } from '../src/runtime/sandbox/security-context';
import type { Container, Pod } from '../src/types';
import { planVolume } from '../src/volumes/volume-kinds';

const pod = (spec: Record<string, unknown> = {}, name = 'web'): Pod => ({ metadata: { name, namespace: 'ns', uid: 'u1' }, spec: { containers: [], ...spec } } as unknown as Pod);
const c = (extra: Record<string, unknown> = {}): Container => ({ name: 'main', ...extra } as Container);
const NOBODY = { uid: 65534, gid: 65534 };

test('securityContext: container over pod, groups from the pod, the node identity by default', () => {
  expect(containerUser(pod(), c(), NOBODY)).toEqual({ uid: 65534, gid: 65534, groups: [] });
  const p = pod({ securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 5000 } });
  expect(containerUser(p, c(), NOBODY)).toEqual({ uid: 1000, gid: 3000, groups: [4000, 5000] });
  expect(containerUser(p, c({ securityContext: { runAsUser: 2000, runAsGroup: 0 } }), NOBODY)).toEqual({ uid: 2000, gid: 0, groups: [4000, 5000] });
  expect(containerUser(p, c({ securityContext: { runAsUser: 0 } }), NOBODY)?.uid).toBe(0);
});

test('runAsNonRoot refuses uid 0 with kube\'s message; a non-root user passes', () => {
  const p = pod({ securityContext: { runAsNonRoot: true } });
  expect(() => containerUser(p, c({ securityContext: { runAsUser: 0 } }), NOBODY)).toThrow(new ContainerConfigError('container\'s runAsUser breaks non-root policy (pod: "web_ns(u1)", container: main)'));
  expect(containerUser(p, c(), NOBODY)?.uid).toBe(65534);
  expect(containerUser(pod(), c({ securityContext: { runAsNonRoot: true, runAsUser: 7 } }), NOBODY)?.uid).toBe(7);
});

test('hostname and /etc/hosts as the kubelet makes them', () => {
  expect(podHostname(pod())).toBe('web');
  expect(podHostname(pod({}, `${'a'.repeat(62)}-b`))).toBe('a'.repeat(62));
  const named = pod({ hostname: 'web-0', subdomain: 'front', hostAliases: [{ ip: '10.0.0.9', hostnames: ['db', 'db.local'] }] });
  expect(podHostname(named)).toBe('web-0');
  expect(podHostname(pod({ hostname: 'web-0', subdomain: 'front', setHostnameAsFQDN: true }))).toBe('web-0.front.ns.svc.cluster.local');
  const hosts = hostsFile(named, '10.244.0.5');
  expect(hosts).toContain('127.0.0.1\tlocalhost\n');
  expect(hosts).toContain('10.244.0.5\tweb-0.front.ns.svc.cluster.local\tweb-0\n');
  expect(hosts).toContain('10.0.0.9\tdb\tdb.local\n');
});

test('env from ConfigMaps and Secrets: prefixes, optional, and kube\'s errors', () => {
  const sources: EnvSources = { configMaps: new Map([['cfg', { a: '1', 'bad name': 'x' }], ['gone', undefined]]), secrets: new Map([['s', { pw: 'p' }]]) };
  const p = pod();
  expect(envFromVars(p, c({ envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'C_' }, { secretRef: { name: 's' } }, { configMapRef: { name: 'gone', optional: true } }] }), sources)).toEqual({ C_a: '1', pw: 'p' });
  expect(() => envFromVars(p, c({ envFrom: [{ configMapRef: { name: 'gone' } }] }), sources)).toThrow('configmap "gone" not found');
  expect(keyRefValue(p, { name: 'cfg', key: 'a' }, false, sources)).toBe('1');
  expect(keyRefValue(p, { name: 'cfg', key: 'zz', optional: true }, false, sources)).toBeUndefined();
  expect(() => keyRefValue(p, { name: 'cfg', key: 'zz' }, false, sources)).toThrow("couldn't find key zz in ConfigMap ns/cfg");
  expect(() => keyRefValue(p, { name: 'nope', key: 'pw' }, true, sources)).toThrow('secret "nope" not found');
});

test('volume kinds map to kube\'s plugin directories', () => {
  expect(planVolume({ name: 'c', configMap: { name: 'cfg', defaultMode: 0o400 } })).toMatchObject({ kind: 'files', plugin: 'configmap', defaultMode: 0o400 });
  expect(planVolume({ name: 's', secret: { secretName: 'x' } })).toMatchObject({ kind: 'files', plugin: 'secret', defaultMode: 0o644, sources: [{ secret: { name: 'x' } }] });
  expect(planVolume({ name: 'd', downwardAPI: { items: [] } })).toMatchObject({ plugin: 'downward-api' });
  expect(planVolume({ name: 'e', emptyDir: {} })).toEqual({ kind: 'emptyDir', name: 'e', plugin: 'empty-dir' });
  expect(planVolume({ name: 'h', hostPath: { path: '/data', type: 'DirectoryOrCreate' } })).toEqual({ kind: 'hostPath', name: 'h', path: '/data', type: 'DirectoryOrCreate' });
  expect(planVolume({ name: 'p', persistentVolumeClaim: { claimName: 'x' } })).toBeUndefined();
});
