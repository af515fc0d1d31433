// The WatchInformer's list/watch protocol against a scripted API server (real HTTP): it lists,
// watches from the list's resourceVersion, resumes from the last one seen (a bookmark's included)
// when the server ends a watch, and relists after 410 Gone, emitting only real changes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeelsonClient } from '@keelson/client';
import { WatchInformer } from '../src/watch-informer';

const cm = (name: string, rv: number, data = {}): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(rv) }, data });
const line = (type: string, object: object): string => JSON.stringify({ type, object }) + '\n';

let server: Server;
let url: string;
const lists: string[] = [];
const watches: string[] = [];
let holding: (() => void) | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    expect(req.headers.authorization).toBe('Bearer t0ken');
    if (u.pathname !== '/api/v1/namespaces/default/configmaps') return void res.writeHead(404).end();
    if (u.searchParams.get('watch') !== 'true') {
      lists.push(u.searchParams.get('labelSelector') ?? '');
      const second = lists.length > 1;
      const items = second ? [cm('a', 12, { v: '2' }), cm('c', 15)] : [cm('a', 10)];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: second ? '15' : '10' }, items }));
      return;
    }
    watches.push(`${u.searchParams.get('resourceVersion')} ${u.searchParams.get('allowWatchBookmarks')}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (watches.length === 1) {
      res.write(line('ADDED', cm('b', 11)));
      res.write(line('MODIFIED', cm('a', 12, { v: '2' })));
      res.end(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '13' } }));
    } else if (watches.length === 2) {
      res.write(line('DELETED', cm('b', 14)));
      res.end(line('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 13 (14)' }));
    } else {
      res.write(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '16' } }));
      holding = () => res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  holding?.();
  await new Promise((r) => server.close(r));
});

test('list, watch, resume from a bookmark, relist on 410', async () => {
  const client = new KeelsonClient({ url, token: 't0ken' });
  const inf = new WatchInformer({ client, resource: { group: '', version: 'v1', resource: 'configmaps' }, namespace: 'default', labelSelector: 'app=x' });
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (_old, o) => seen.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  await inf.start();
  expect(inf.hasSynced()).toBe(true);
  const deadline = Date.now() + 10_000;
  while (watches.length < 3 || inf.resourceVersion !== '16') {
    if (Date.now() > deadline) throw new Error(`stuck: ${JSON.stringify({ watches, seen, rv: inf.resourceVersion })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(seen).toEqual(['add a@10', 'add b@11', 'update a@12', 'delete b@14', 'add c@15']);
  expect(watches).toEqual(['10 true', '13 true', '15 true']);
  expect(lists).toEqual(['app=x', 'app=x']);
  expect(inf.cache.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'c']);
  await inf.stop();
  client.close();
});

test('a watch that goes silent is replaced (relist, then a new watch)', async () => {
  let listed = 0;
  const rvs: string[] = [];
  const open: (() => void)[] = [];
  const silent = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.searchParams.get('watch') !== 'true') {
      listed++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(20 + listed) }, items: [] }));
      return;
    }
    rvs.push(u.searchParams.get('resourceVersion')!);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders(); // then nothing: a connection that died without a FIN looks like this
    open.push(() => res.destroy());
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const client = new KeelsonClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
  const inf = new WatchInformer({ client, resource: { group: '', version: 'v1', resource: 'configmaps' }, watchIdleTimeoutMs: 300 });
  try {
    await inf.start();
    const deadline = Date.now() + 10_000;
    while (rvs.length < 2) {
      if (Date.now() > deadline) throw new Error(`no second watch: ${JSON.stringify({ listed, rvs })}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed).toBeGreaterThanOrEqual(2);
    expect(rvs.slice(0, 2)).toEqual(['21', '22']); // each watch from the list before it
  } finally {
    await inf.stop();
    client.close();
    open.forEach((f) => f());
    await new Promise((r) => silent.close(r));
  }
});
