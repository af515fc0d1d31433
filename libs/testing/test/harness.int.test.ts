import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { Etcd3 } from 'etcd3';
import { existsSync } from 'node:fs';
import { freePort, startEtcd, startNats, type EtcdServer, type NatsServer } from '../src';

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections at an `https://host:port` endpoint (etcd wants a client certificate for more). */
function listening(endpoint: string): Promise<boolean> {
  const u = new URL(endpoint);
  return new Promise((resolve) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

function etcdctl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
  });
}

describe('test harness', () => {
  jest.setTimeout(30_000);

  test('freePort returns distinct usable ports', async () => {
    const [a, b] = [await freePort(), await freePort()];
    expect(a).toBeGreaterThan(0);
    expect(a).not.toBe(b);
  });

  describe('etcd', () => {
    let etcd: EtcdServer;
    beforeAll(async () => {
      etcd = await startEtcd();
    });
    afterAll(async () => {
      await etcd?.stop();
    });

    test('a started etcd serves put and get through etcd3', async () => {
      expect(etcd.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const client = new Etcd3(etcd.clientOptions);
      try {
        await client.put('/harness/k').value('v');
        expect(await client.get('/harness/k').string()).toBe('v');
      } finally {
        client.close();
      }
    });

    // Issue 9 (3): etcd had no authentication, so any local process could write /registry/.
    test('without the client certificate nothing reads or writes etcd; with it, it works', async () => {
      const anonymous = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 1000, credentials: { rootCertificate: etcd.clientOptions.credentials.rootCertificate } });
      try {
        await expect(anonymous.put('/registry/core/configmaps/default/forged').value('{}')).rejects.toThrow();
        await expect(anonymous.get('/harness/k').string()).rejects.toThrow();
      } finally {
        anonymous.close();
      }
      const plain = etcd.endpoint.replace('https://', 'http://');
      const base = ['--dial-timeout=1s', '--command-timeout=2s'];
      const noCert = await etcdctl([...base, `--endpoints=${etcd.endpoint}`, `--cacert=${etcd.tls.caFile}`, 'put', '/registry/core/configmaps/default/forged', '{}']);
      expect(noCert.code).not.toBe(0);
      expect((await etcdctl([...base, `--endpoints=${plain}`, 'get', '--prefix', '/registry/'])).code).not.toBe(0);
      // A certificate from another CA is refused too.
      const stranger = await startEtcd();
      try {
        const forged = await etcdctl([...base, `--endpoints=${etcd.endpoint}`, `--cacert=${etcd.tls.caFile}`,
          `--cert=${stranger.tls.clientCertFile}`, `--key=${stranger.tls.clientKeyFile}`, 'put', '/registry/x', 'y']);
        expect(forged.code).not.toBe(0);
      } finally {
        await stranger.stop();
      }
      const withCert = await etcdctl([...base, `--endpoints=${etcd.endpoint}`, `--cacert=${etcd.tls.caFile}`,
        `--cert=${etcd.tls.clientCertFile}`, `--key=${etcd.tls.clientKeyFile}`, 'put', '/harness/ctl', 'ok']);
      expect(withCert).toEqual({ code: 0, out: 'OK\n' });
    });

    test('stop really stops the server and removes its temp data dir', async () => {
      const other = await startEtcd();
      expect(await listening(other.endpoint)).toBe(true);
      await other.stop();
      expect(await listening(other.endpoint)).toBe(false);
      expect(existsSync(other.dataDir)).toBe(false);
    });

    test('kill keeps the data dir so etcd restarts on it with the data intact', async () => {
      const first = await startEtcd();
      let client = new Etcd3(first.clientOptions);
      await client.put('/harness/durable').value('yes');
      client.close();
      await first.kill();
      expect(await listening(first.endpoint)).toBe(false);
      const second = await startEtcd({ dataDir: first.dataDir });
      client = new Etcd3(second.clientOptions);
      try {
        expect(await client.get('/harness/durable').string()).toBe('yes');
      } finally {
        client.close();
        await second.stop();
      }
    });
  });

  describe('nats', () => {
    let nats: NatsServer;
    beforeAll(async () => {
      nats = await startNats();
    });
    afterAll(async () => {
      await nats?.stop();
    });

    test('healthz answers with JetStream enabled', async () => {
      expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(await answers(`${nats.monitorUrl}/healthz?js-enabled-only=true`)).toBe(true);
      const jsz = (await (await fetch(`${nats.monitorUrl}/jsz`)).json()) as { config?: unknown };
      expect(jsz.config).toBeDefined();
    });

    test('restart comes back on the same url', async () => {
      const url = nats.url;
      await nats.restart();
      expect(nats.url).toBe(url);
      expect(await answers(`${nats.monitorUrl}/healthz`)).toBe(true);
    });

    test('stop really stops the server', async () => {
      const other = await startNats({ jetstream: false });
      expect(await answers(`${other.monitorUrl}/healthz`)).toBe(true);
      await other.stop();
      expect(await answers(`${other.monitorUrl}/healthz`)).toBe(false);
    });
  });
});
