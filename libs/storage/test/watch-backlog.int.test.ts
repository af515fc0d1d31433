// An etcd watch that falls behind catches up in ONE response of up to 1,000 revisions (etcd's
// syncWatchers batches an unsynced watcher's backlog; with group commit a revision holds up to
// 128 objects plus their previous values). grpc-js refuses any message over 4 MiB by default
// ("RESOURCE_EXHAUSTED: Received message larger than max"): the watch stream fails, etcd3
// reconnects from the same revision, gets the same batch, fails again — for good. The watch
// cache then never moves while its bookmarks keep coming, and every API watch of that resource
// silently stops delivering events (found by npm run bench -- autoscaler: the autoscaler's pod
// cache stuck at 368 of 1,000 pods). The gateway's etcd client must take what etcd sends (etcd's
// own Go client allows 2 GiB for this reason).
import { execFileSync } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { etcdClientOptions, etcdConnectionFromEnv, WatchCache } from '../src';
import { closeFixture, etcdFixture, waitFor, type EtcdFixture } from './fixtures';

jest.setTimeout(120_000);
let f: EtcdFixture;
let gatewayClient: Etcd3; // built as the gateway builds it
beforeAll(async () => {
  f = await etcdFixture();
  gatewayClient = new Etcd3(etcdClientOptions(etcdConnectionFromEnv(f.server.env)));
});
afterAll(async () => {
  gatewayClient?.close();
  await closeFixture(f);
});

const VALUE = 'x'.repeat(40_000);

test('a watch that starts behind more than 4 MiB of events receives every one of them', async () => {
  const first = await f.client.put('/backlog1/k0').value(VALUE).exec();
  for (let i = 1; i < 150; i++) await f.client.put(`/backlog1/k${i}`).value(VALUE).exec(); // ~6 MB after `first`
  const keys = new Set<string>();
  const failures: string[] = [];
  const w = await gatewayClient.watch().prefix('/backlog1/').startRevision(String(first.header.revision)).create();
  w.on('data', (r) => r.events.forEach((e) => keys.add(e.kv.key.toString())));
  w.on('disconnected', (e) => failures.push(String(e)));
  try {
    await waitFor(() => keys.size === 150 || failures.length > 0, 30_000);
  } finally {
    await w.cancel();
  }
  expect(failures).toEqual([]);
  expect(keys.size).toBe(150);
});

test('a watch cache whose process stalls while etcd takes many MiB of writes catches up with all of them', async () => {
  const prefix = '/registry/backlog2/pods/';
  const cache = new WatchCache(gatewayClient, prefix);
  await cache.start();
  try {
    await gatewayClient.put(`${prefix}ns/warm`).value(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'warm', namespace: 'ns' } })).exec();
    await waitFor(() => cache.objectCount === 1);
    // A child process writes 400 objects of 40 kB while this process's event loop is blocked
    // (a busy gateway): etcd cannot send, the cache's watcher falls behind (a "victim", then
    // unsynced) and its backlog comes back as one large batch.
    const script = `
      const { Etcd3 } = require('etcd3');
      const o = JSON.parse(process.env.OPTS);
      for (const k of ['rootCertificate', 'certChain', 'privateKey']) if (o.credentials && o.credentials[k]) o.credentials[k] = Buffer.from(o.credentials[k], 'base64');
      const c = new Etcd3(o);
      (async () => { for (let i = 0; i < 400; i++) await c.put('${prefix}ns/p' + i).value(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' + i, namespace: 'ns' }, pad: 'x'.repeat(40000) })).exec(); c.close(); })().catch((e) => { console.error(e); process.exit(1); });`;
    const o = f.server.clientOptions as unknown as { hosts: string; credentials: Record<string, Buffer> };
    const opts = { hosts: o.hosts, credentials: Object.fromEntries(Object.entries(o.credentials).map(([k, v]) => [k, v.toString('base64')])) };
    execFileSync(process.execPath, ['-e', script], { env: { ...process.env, OPTS: JSON.stringify(opts) }, cwd: __dirname, stdio: 'inherit' });
    const etcdCount = Number((await gatewayClient.getAll().prefix(prefix).count()));
    expect(etcdCount).toBe(401);
    await waitFor(() => cache.objectCount === etcdCount, 30_000).catch(() => undefined);
    expect(cache.objectCount).toBe(etcdCount);
  } finally {
    await cache.stop();
  }
});
