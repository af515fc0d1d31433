import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { bundleFiles, parseBundleSpecs, writeBundles } from '../src/credential-bundles';
import { ensureNatsCredentials, natsServerConfig } from '../src/nats-config';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : out.push(relative(dir, join(d, e.name)))));
  walk(dir);
  return out.sort();
}

describe('per-service credential bundles (compose)', () => {
  let home: string;
  let bundles: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'keelson-home-'));
    bundles = mkdtempSync(join(tmpdir(), 'keelson-bundles-'));
    const all = ['pki/ca.crt', 'pki/ca.key', 'pki/apiserver.crt', 'pki/apiserver.key', 'tokens.csv', 'pki/etcd-client.crt', 'pki/etcd-client.key', 'pki/etcd-server.crt',
      'pki/etcd-server.key', 'pki/nats-server.crt', 'pki/nats-server.key', 'nats.conf', 'encryption-config.yaml', 'kubelet-auth.token', 'tokens/scheduler.token',
      'tokens/kubelet.token', 'tokens/nodes/node-1.token', 'nats/api-gateway.password', 'nats/scheduler.password', 'nats/kubelet.password'];
    for (const f of all) {
      mkdirSync(dirname(join(home, f)), { recursive: true });
      writeFileSync(join(home, f), f);
    }
  });
  afterEach(() => [home, bundles].forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('KEELSON_BUNDLES entries parse to name, kind and owner; malformed ones are refused', () => {
    expect(parseBundleSpecs('api-gateway=gateway@10001 scheduler=service:scheduler@10033,node-1=node:node-1@0:0')).toEqual([
      { name: 'api-gateway', kind: 'gateway', uid: 10001, gid: 10001 },
      { name: 'scheduler', kind: 'service:scheduler', uid: 10033, gid: 10033 },
      { name: 'node-1', kind: 'node:node-1', uid: 0, gid: 0 },
    ]);
    expect(() => parseBundleSpecs('x=admin@1')).toThrow(/malformed/);
    expect(() => parseBundleSpecs('x=gateway')).toThrow(/malformed/);
  });

  test('a service bundle holds only its own files, read-only for its owner; nobody gets the CA key', async () => {
    const uid = process.getuid?.() ?? 0;
    await writeBundles(home, bundles, parseBundleSpecs(`scheduler=service:scheduler@${uid} gw=gateway@${uid} n1=node:node-1@${uid}`));
    expect(filesUnder(join(bundles, 'scheduler'))).toEqual(['nats/scheduler.password', 'pki/ca.crt', 'tokens/scheduler.token']);
    expect(filesUnder(join(bundles, 'n1'))).toEqual(['kubelet-auth.token', 'nats/kubelet.password', 'pki/ca.crt', 'tokens/nodes/node-1.token']);
    expect(filesUnder(join(bundles, 'gw'))).not.toContain('pki/ca.key');
    expect(filesUnder(join(bundles, 'gw'))).toContain('tokens.csv');
    expect(statSync(join(bundles, 'scheduler', 'tokens/scheduler.token')).mode & 0o777).toBe(0o400);
    expect(statSync(join(bundles, 'scheduler')).mode & 0o777).toBe(0o500);
    for (const kind of ['gateway', 'etcd', 'nats', 'kubelet', 'service:x', 'node:y'] as const) expect(bundleFiles(kind)).not.toContain('pki/ca.key');
  });

  test('a re-run replaces the bundle: a file it no longer lists is gone', async () => {
    const uid = process.getuid?.() ?? 0;
    await writeBundles(home, bundles, parseBundleSpecs(`b=service:scheduler@${uid}`));
    await writeBundles(home, bundles, parseBundleSpecs(`b=etcd@${uid}`));
    expect(filesUnder(join(bundles, 'b'))).toEqual(['pki/ca.crt', 'pki/etcd-server.crt', 'pki/etcd-server.key']);
  });

  test('a NATS cluster config: server name from the environment, routes with the route credentials', async () => {
    const creds = await ensureNatsCredentials(home, ['scheduler']);
    const text = natsServerConfig(creds, { cluster: { name: 'keelson', listen: '0.0.0.0:6222', routes: ['nats://nats-1:6222', 'nats://nats-2:6222'], serverNameVar: 'NATS_SERVER_NAME', user: 'route', password: 'p/w' } });
    expect(text).toContain('server_name: $NATS_SERVER_NAME');
    expect(text).toContain('authorization { user: "route", password: "p/w" }');
    expect(text).toContain('routes: ["nats-route://route:p%2Fw@nats-1:6222", "nats-route://route:p%2Fw@nats-2:6222"]');
  });
});
