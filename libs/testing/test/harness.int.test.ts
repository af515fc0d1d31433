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
      expect(etcd.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new Etcd3({ hosts: etcd.endpoint });
      try {
        await client.put('/harness/k').value('v');
        expect(await client.get('/harness/k').string()).toBe('v');
      } finally {
        client.close();
      }
    });

    test('stop really stops the server and removes its temp data dir', async () => {
      const other = await startEtcd();
      expect(await answers(`${other.endpoint}/health`)).toBe(true);
      await other.stop();
      expect(await answers(`${other.endpoint}/health`)).toBe(false);
      expect(existsSync(other.dataDir)).toBe(false);
    });

    test('kill keeps the data dir so etcd restarts on it with the data intact', async () => {
      const first = await startEtcd();
      let client = new Etcd3({ hosts: first.endpoint });
      await client.put('/harness/durable').value('yes');
      client.close();
      await first.kill();
      expect(await answers(`${first.endpoint}/health`)).toBe(false);
      const second = await startEtcd({ dataDir: first.dataDir });
      client = new Etcd3({ hosts: second.endpoint });
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
