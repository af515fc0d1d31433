import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNatsCredentials, natsServerConfig, permissionsFor } from '../src/nats-config';

describe('NATS configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keelson-natscfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('one user per service with a random password, kept across runs and private', async () => {
    const a = await ensureNatsCredentials(dir, ['scheduler']);
    expect(Object.keys(a.users).sort()).toEqual(['api-gateway', 'scheduler']);
    expect(a.users.scheduler.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    const b = await ensureNatsCredentials(dir, ['scheduler', 'kubelet']);
    expect(b.users.scheduler).toEqual(a.users.scheduler);
    expect(b.users['api-gateway']).toEqual(a.users['api-gateway']);
    expect(readFileSync(b.file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  test('only the gateway may publish events; services may only create server-named consumers', () => {
    expect(permissionsFor('api-gateway').publish.allow).toContain('keelson.events.>');
    const svc = permissionsFor('scheduler');
    // An allow-list: no events, no stream or consumer administration, no inbox writes.
    expect(svc.publish.allow).toEqual(['$JS.API.INFO', '$JS.API.STREAM.INFO.KEELSON_EVENTS', '$JS.API.STREAM.MSG.GET.KEELSON_EVENTS', '$JS.API.CONSUMER.CREATE.KEELSON_EVENTS']);
    // Replies only under its own inbox prefix (never the shared `_INBOX.>`).
    expect(svc.subscribe.allow).toEqual(['keelson.events.>', '_INBOX_scheduler.>']);
    expect(permissionsFor('api-gateway').subscribe.allow).toEqual(['_INBOX_api-gateway.>']);
  });

  test('the server config enables JetStream and lists every user', async () => {
    const creds = await ensureNatsCredentials(dir, ['scheduler']);
    const text = natsServerConfig(creds, { storeDir: '/data/nats' });
    expect(text).toContain('jetstream { store_dir: "/data/nats" }');
    expect(text).toContain(`{ user: "scheduler", password: "${creds.users.scheduler.password}"`);
    expect(text).toContain('allow: ["$JS.API.INFO", "$JS.API.STREAM.INFO.KEELSON_EVENTS", "$JS.API.STREAM.MSG.GET.KEELSON_EVENTS", "$JS.API.CONSUMER.CREATE.KEELSON_EVENTS"]');
    expect(text).not.toContain('tls {');
    expect(text).not.toMatch(/^http:/m);
  });

  test('with TLS and a monitor address: a tls block and a loopback http listener', async () => {
    const creds = await ensureNatsCredentials(dir, ['scheduler']);
    const text = natsServerConfig(creds, { tls: { certFile: '/p/nats-server.crt', keyFile: '/p/nats-server.key' }, monitor: '127.0.0.1:8222' });
    expect(text).toContain('tls { cert_file: "/p/nats-server.crt", key_file: "/p/nats-server.key", timeout: 2 }');
    expect(text).toMatch(/^http: "127\.0\.0\.1:8222"$/m);
  });
});
