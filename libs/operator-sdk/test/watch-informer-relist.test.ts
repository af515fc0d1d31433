// WatchInformer's periodic relist (relistPeriodMs) against a scripted API server whose watch
// lost an event — it keeps the stream open with bookmarks only, as a gateway whose watch cache
// fell behind etcd did: the periodic list brings the change to the cache and the handlers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeelsonClient } from '@keelson/client';
import { WatchInformer } from '../src/watch-informer';

const cm = (name: string, rv: number, v: string): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(rv) }, data: { v } });

let server: Server;
let lists = 0;
const open: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.searchParams.get('watch') !== 'true') {
      lists++;
      const items = lists === 1 ? [cm('a', 5, 'old')] : [cm('a', 9, 'new'), cm('b', 8, 'x')];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: lists === 1 ? '5' : '9' }, items }));
      return;
    }
    // The watch never delivers a's change nor b: a bookmark now and then, nothing else.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '9' } } }) + '\n');
    open.push(() => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => {
  open.forEach((f) => f());
  return new Promise<void>((r) => server.close(() => r()));
});

test('a watch that lost events: the periodic list converges the cache and tells the handlers', async () => {
  const client = new KeelsonClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' });
  const inf = new WatchInformer({ client, resource: { group: '', version: 'v1', resource: 'configmaps' }, namespace: 'default', relistPeriodMs: 200 });
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (_, o) => seen.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  await inf.start();
  expect(inf.cache.get('default/a')?.data).toEqual({ v: 'old' });
  for (let i = 0; i < 100 && inf.cache.list().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  expect(inf.cache.get('default/a')?.data).toEqual({ v: 'new' });
  expect(inf.cache.get('default/b')).toBeDefined();
  expect(seen).toEqual(['add a@5', 'update a@9', 'add b@8']);
  await inf.stop();
  client.close();
});
