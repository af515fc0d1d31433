import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chmodSync } from 'node:fs';
import { apiServiceIp, certificateSans, ensureCredentials, ensureEtcdCertificates, ensureNatsCertificate, parseTokenFile, writeKubeconfig } from '../src/credentials';
import { ensureEncryptionConfig } from '../src/encryption-config';

describe('ensureCredentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-creds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA, a serving cert it signs, and a token file with admin and service identities', async () => {
    const c = await ensureCredentials(dir, { services: ['scheduler'], hostnames: ['keelson.example'] });
    for (const f of [c.caFile, c.certFile, c.keyFile, c.tokenFile]) expect(existsSync(f)).toBe(true);
    expect(statSync(c.keyFile).mode & 0o077).toBe(0);
    expect(execFileSync('openssl', ['verify', '-CAfile', c.caFile, c.certFile]).toString()).toContain('OK');
    const sans = await certificateSans(c.certFile);
    expect(sans).toEqual(expect.arrayContaining(['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:api-gateway', 'DNS:keelson-api-gateway', 'DNS:keelson.example']));
    expect(c.caPem).toContain('BEGIN CERTIFICATE');

    const rows = parseTokenFile(readFileSync(c.tokenFile, 'utf8'));
    expect(rows.find((r) => r.user === 'admin')).toMatchObject({ token: c.adminToken, groups: ['system:masters'] });
    expect(rows.find((r) => r.user === 'system:keelson:scheduler')?.token).toBe(c.serviceTokens.scheduler);
    expect(c.serviceTokens['api-gateway']).toBeTruthy();
    expect(readFileSync(join(dir, 'tokens', 'scheduler.token'), 'utf8')).toBe(c.serviceTokens.scheduler);
    expect(readFileSync(c.tokenFile, 'utf8')).toMatch(/^[\w-]+,admin,admin,"system:masters"$/m);
  });

  it('a second call keeps the CA, the certificate and the tokens, and only adds new identities', async () => {
    const first = await ensureCredentials(dir, { services: ['scheduler'], hostnames: ['keelson.example'] });
    const cert = readFileSync(first.certFile, 'utf8');
    const second = await ensureCredentials(dir, { services: ['scheduler', 'kubelet'], hostnames: ['keelson.example'] });
    expect(second.adminToken).toBe(first.adminToken);
    expect(second.serviceTokens.scheduler).toBe(first.serviceTokens.scheduler);
    expect(second.serviceTokens.kubelet).toBeTruthy();
    expect(second.caPem).toBe(first.caPem);
    expect(readFileSync(second.certFile, 'utf8')).toBe(cert);
  });

  it('re-issues the serving cert from the same CA when a new host name is asked for', async () => {
    const c = await ensureCredentials(dir, { hostnames: ['other.example'] });
    expect(await certificateSans(c.certFile)).toContain('DNS:other.example');
    expect(execFileSync('openssl', ['verify', '-CAfile', c.caFile, c.certFile]).toString()).toContain('OK');
  });

  it('the serving cert names the kubernetes Service as pods address it: its cluster IP (first of the service range) and kubernetes.default.svc', async () => {
    const c = await ensureCredentials(dir);
    expect(await certificateSans(c.certFile)).toEqual(expect.arrayContaining([
      'IP Address:10.96.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local',
    ]));
    // Another service range (KEELSON_SERVICE_CLUSTER_IP_RANGE): re-issued for its first address.
    const other = await ensureCredentials(dir, { serviceClusterIpRange: '10.123.4.0/22' });
    expect(await certificateSans(other.certFile)).toContain('IP Address:10.123.4.1');
  });

  it('apiServiceIp is the first address of the block, and refuses what is not an IPv4 block', () => {
    expect(apiServiceIp('10.96.0.0/12')).toBe('10.96.0.1');
    expect(apiServiceIp('10.100.37.5/16')).toBe('10.100.0.1');
    expect(apiServiceIp('192.168.255.0/24')).toBe('192.168.255.1');
    for (const bad of ['10.96.0.0', '10.96.0.0/40', '10.96.0.0/4', '300.1.1.0/24', 'fd00::/108', '']) expect(() => apiServiceIp(bad)).toThrow(/service cluster IP range/);
  });

  it('writeKubeconfig embeds the CA and the token under a current context', async () => {
    const c = await ensureCredentials(dir);
    const path = join(dir, 'kubeconfig');
    await writeKubeconfig(path, 'https://127.0.0.1:6443', c.caPem, c.adminToken);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`certificate-authority-data: ${Buffer.from(c.caPem).toString('base64')}`);
    expect(text).toContain(`token: "${c.adminToken}"`);
    expect(text).toContain('current-context: keelson');
    // kubectl itself must accept it, when installed.
    if (existsSync('/usr/bin/kubectl')) {
      const out = execFileSync('kubectl', ['--kubeconfig', path, 'config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']).toString();
      expect(out).toBe('https://127.0.0.1:6443');
    }
  });
});

describe('credential file modes (issue 9: credentials readable only by their owner)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-modes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('keys, tokens and the encryption config are 0600 in 0700 directories, even in an older home', async () => {
    await ensureCredentials(dir, { services: ['scheduler'] });
    // An older home with loose modes gets tightened on the next start.
    chmodSync(join(dir, 'tokens.csv'), 0o644);
    chmodSync(join(dir, 'pki'), 0o755);
    await ensureCredentials(dir, { services: ['scheduler'] });
    const etcd = await ensureEtcdCertificates(dir);
    const nats = await ensureNatsCertificate(dir);
    const enc = await ensureEncryptionConfig(dir);
    const mode = (f: string): number => statSync(f).mode & 0o777;
    for (const f of [join(dir, 'tokens.csv'), join(dir, 'pki', 'ca.key'), join(dir, 'pki', 'apiserver.key'), etcd.serverKeyFile, etcd.clientKeyFile, nats.keyFile, enc, join(dir, 'tokens', 'scheduler.token')]) {
      expect([f, mode(f)]).toEqual([f, 0o600]);
    }
    for (const d of [join(dir, 'pki'), join(dir, 'tokens')]) expect([d, mode(d)]).toEqual([d, 0o700]);
    // etcd's certificate serves, the gateway's authenticates a client; both chain to the one CA.
    const text = (f: string): string => execFileSync('openssl', ['x509', '-in', f, '-noout', '-text'], { encoding: 'utf8' });
    expect(text(etcd.serverCertFile)).toMatch(/TLS Web Server Authentication/);
    expect(text(etcd.clientCertFile)).toMatch(/TLS Web Client Authentication/);
    expect(text(nats.certFile)).toMatch(/DNS:nats/);
    for (const f of [etcd.serverCertFile, etcd.clientCertFile, nats.certFile]) {
      expect(execFileSync('openssl', ['verify', '-CAfile', etcd.caFile, f], { encoding: 'utf8' })).toContain(': OK');
    }
  });
});
