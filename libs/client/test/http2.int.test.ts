// The client over HTTP/2 against a real gateway: many concurrent requests and watches are streams
// on ONE TCP connection (counted by the kernel, `ss`), while HTTP/1.1 keep-alive needs a socket per
// request in flight; a gateway restart (GOAWAY, then the socket closes) ends the watches, and the
// client reconnects on its next request with a new connection.
import { execFileSync } from 'node:child_process';
import { BUILTIN_RESOURCES, type KubeObject, type ResourceInfo } from '@keelson/api';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';
import { KeelsonClient, type WatchEvent } from '@keelson/client';

jest.setTimeout(90_000);

const CM = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps') as ResourceInfo;
let cp: ControlPlane;
let port: number;

beforeAll(async () => {
  cp = await startControlPlane();
  port = Number(new URL(cp.url).port);
  await cp.k('create', 'namespace', 'h2');
}, 120_000);
afterAll(async () => {
  await cp?.stop();
});

/** Established TCP connections to the gateway's port, from any process on this machine. */
const connectionsToGateway = (): number =>
  execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' }).split('\n').filter(Boolean).length;

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'h2' }, data: { a: '1' } });

async function collect(it: AsyncIterable<WatchEvent>, n: number, into: WatchEvent[]): Promise<void> {
  for await (const e of it) {
    into.push(e);
    if (into.length >= n) return;
  }
}

test('64 concurrent creates, 64 gets and 10 watches share one HTTP/2 connection', async () => {
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  expect(client.protocol).toBe('http2');
  try {
    const rv = (await client.listPage(CM, 'h2')).metadata.resourceVersion;
    const seen: WatchEvent[][] = Array.from({ length: 10 }, () => []);
    const watches = seen.map((into) => collect(client.watch(CM, 'h2', { resourceVersion: rv }), 64, into));
    // Watches from `rv` see every create below, however soon they are registered.
    await until('the client connected', async () => connectionsToGateway() === 1);
    const created = await Promise.all(Array.from({ length: 64 }, (_, i) => client.create(CM, cm(`c-${i}`))));
    expect(created).toHaveLength(64);
    const got = await Promise.all(created.map((o) => client.get(CM, 'h2', o.metadata.name!)));
    expect(got.map((o) => o.metadata.uid)).toEqual(created.map((o) => o.metadata.uid));
    await Promise.all(watches);
    for (const events of seen) {
      expect(events.map((e) => e.type)).toEqual(Array(64).fill('ADDED'));
      expect(new Set(events.map((e) => e.object.metadata.name)).size).toBe(64);
    }
    expect(connectionsToGateway()).toBe(1);
    expect(client.connectionsOpened).toBe(1);
  } finally {
    client.close();
  }
  await until('the connection closed', async () => connectionsToGateway() === 0);

  // The same load over HTTP/1.1 keep-alive: a socket per request in flight.
  const h1 = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem, http2: false });
  expect(h1.protocol).toBe('http/1.1');
  try {
    await Promise.all(Array.from({ length: 64 }, (_, i) => h1.get(CM, 'h2', `c-${i}`)));
    expect(connectionsToGateway()).toBeGreaterThan(1);
  } finally {
    h1.close();
  }
});

test('a gateway restart: its GOAWAY ends the open watch, the next request opens a new connection', async () => {
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem, retry: { maxRetries: 10, baseDelayMs: 100 } });
  try {
    await client.create(CM, cm('before'));
    const rv = (await client.listPage(CM, 'h2')).metadata.resourceVersion;
    const events: WatchEvent[] = [];
    let ended: 'ended' | 'failed' | undefined;
    const watch = (async () => {
      try {
        for await (const e of client.watch(CM, 'h2', { resourceVersion: rv })) events.push(e);
        ended = 'ended';
      } catch {
        ended = 'failed';
      }
    })();
    await client.create(CM, cm('during'));
    await until('the watch saw the create', async () => events.some((e) => e.object.metadata.name === 'during'));
    expect(client.connectionsOpened).toBe(1);

    await cp.killGateway('SIGTERM');
    await watch;
    expect(ended).toBeDefined(); // the stream ended with the connection (cleanly or with an error), not hung
    await cp.startGateway();

    const after = await client.create(CM, cm('after'));
    expect(after.metadata.name).toBe('after');
    expect((await client.get(CM, 'h2', 'during')).metadata.name).toBe('during');
    expect(client.connectionsOpened).toBe(2);
    // Watches work on the new connection.
    const resumed: WatchEvent[] = [];
    const next = collect(client.watch(CM, 'h2', { resourceVersion: after.metadata.resourceVersion }), 1, resumed);
    await client.create(CM, cm('after-2'));
    await next;
    expect(resumed.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'after-2']]);
    expect(client.connectionsOpened).toBe(2);
  } finally {
    client.close();
  }
});
