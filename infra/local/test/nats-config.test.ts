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

  test('only the gateway may publish events; services consume and are denied explicitly', () => {
    expect(permissionsFor('api-gateway').publish.allow).toContain('keelson.events.>');
    const svc = permissionsFor('scheduler');
    expect(svc.publish.allow).not.toContain('keelson.events.>');
    expect(svc.publish.deny).toEqual(expect.arrayContaining(['keelson.events.>', '$JS.API.STREAM.DELETE.>']));
    expect(svc.publish.allow).toEqual(expect.arrayContaining(['$JS.API.>', '$JS.ACK.>', '_INBOX.>']));
    expect(svc.subscribe.allow).toEqual(expect.arrayContaining(['keelson.events.>', '_INBOX.>']));
  });

  test('the server config enables JetStream and lists every user', async () => {
    const creds = await ensureNatsCredentials(dir, ['scheduler']);
    const text = natsServerConfig(creds, { storeDir: '/data/nats' });
    expect(text).toContain('jetstream { store_dir: "/data/nats" }');
    expect(text).toContain(`{ user: "scheduler", password: "${creds.users.scheduler.password}"`);
    expect(text).toContain('deny: ["keelson.events.>"');
  });
});
