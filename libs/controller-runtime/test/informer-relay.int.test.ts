// The informer on the real relay: it survives a gateway restart (with changes written while
// the gateway was down, which the relay must publish on resume) and a NATS server restart,
// and converges to the same cache as a fresh list each time.
import { connect, type NatsConnection } from 'nats';
import { Etcd3 } from 'etcd3';
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { Informer, keyOf } from '@keelson/controller-runtime';

jest.setTimeout(120_000);

const CM = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps')!;
const NS = 'relayed';
const quiet = createLogger('test', { write: () => undefined });
let cp: ControlPlane;
let nc: NatsConnection;
let client: KeelsonClient;
let etcd: Etcd3;

beforeAll(async () => {
  cp = await startControlPlane({ nats: { services: ['controller'] } });
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  nc = await connect({ ...cp.nats!.connectOptions('controller'), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  etcd = new Etcd3(cp.etcd.clientOptions);
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
afterAll(async () => {
  etcd?.close();
  await nc?.close();
  client?.close();
  await cp?.stop();
});

const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { v } });
const snapshot = (objs: KubeObject[]): string =>
  JSON.stringify(objs.map((o) => [keyOf(o), o.metadata.resourceVersion, (o as { data?: unknown }).data]).sort());

async function converges(inf: Informer): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    const fresh = await client.list(CM, NS).catch(() => undefined);
    if (fresh) {
      last = `cache ${snapshot(inf.cache.byNamespace(NS))}\nlist  ${snapshot(fresh.items)}`;
      if (snapshot(inf.cache.byNamespace(NS)) === snapshot(fresh.items)) return;
    }
    if (Date.now() > deadline) throw new Error(`informer did not converge:\n${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('an informer survives a gateway restart and a NATS restart and converges to a fresh list', async () => {
  for (const n of ['a', 'b', 'c']) await client.create(CM, cm(n, '1'));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: NS, logger: quiet });
  const deletes: string[] = [];
  inf.addEventHandler({ onDelete: (o) => deletes.push(o.metadata.name!) });
  await inf.start();
  await converges(inf);

  // Gateway down: changes land in etcd directly (as another replica would have written them);
  // the restarted relay resumes from the stream's last revision and publishes them.
  await cp.killGateway('SIGKILL');
  await etcd.put(`/registry/core/configmaps/${NS}/a`).value(JSON.stringify(cm('a', 'changed-while-down')));
  await etcd.delete().key(`/registry/core/configmaps/${NS}/b`);
  await etcd.put(`/registry/core/configmaps/${NS}/d`).value(JSON.stringify({ ...cm('d', 'born-while-down'), metadata: { ...cm('d', '').metadata, uid: 'd-uid', creationTimestamp: '2026-01-01T00:00:00Z' } }));
  await cp.startGateway();
  await client.create(CM, cm('e', 'after-restart'));
  await converges(inf);
  expect(deletes).toContain('b');
  expect((inf.cache.getByName(NS, 'a') as { data?: { v: string } }).data?.v).toBe('changed-while-down');

  // NATS restart: the informer reconnects, relists, and keeps following the relay.
  await cp.nats!.restart();
  await client.delete(CM, NS, 'c');
  await client.create(CM, cm('f', 'after-nats-restart'));
  await converges(inf);
  expect(inf.cache.getByName(NS, 'f')).toBeDefined();
  expect(inf.cache.getByName(NS, 'c')).toBeUndefined();
  await inf.stop();
});
