// Informer against real NATS JetStream and a real gateway. Until the relay lands in the test
// harness, the test plays the relay: it writes through the API and publishes the envelope.
import { connect, headers as natsHeaders, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { ALL_EVENTS_SUBJECT, encodeEnvelope, eventSubject, EVENTS_STREAM, HEADERS, messageId, RESYNC_SUBJECT, type EventType } from '@keelson/bus';
import { KeelsonClient } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane, startNats, type ControlPlane, type NatsServer } from '@keelson/testing';
import { Informer, keyOf, type EventInfo } from '@keelson/controller-runtime';

jest.setTimeout(90_000);

const CM = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps')!;
const quiet = createLogger('test', { write: () => undefined });
let cp: ControlPlane;
let nats: NatsServer;
let nc: NatsConnection;
let client: KeelsonClient;

beforeAll(async () => {
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: EVENTS_STREAM, subjects: [ALL_EVENTS_SUBJECT], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: 120e9 });
});

afterAll(async () => {
  await nc?.close();
  client?.close();
  await Promise.all([cp?.stop(), nats?.stop()]);
});

/** What the relay does for one change. */
async function publish(type: EventType, obj: KubeObject, revision = Number(obj.metadata.resourceVersion), tp?: string): Promise<void> {
  const key = `/registry/configmaps/${obj.metadata.namespace}/${obj.metadata.name}`;
  const h = natsHeaders();
  h.set(HEADERS.msgId, `${messageId(revision, key)}/${Math.random()}`); // unique: the test replays on purpose
  h.set(HEADERS.revision, String(revision));
  if (tp) h.set(HEADERS.traceparent, tp);
  await nc.jetstream().publish(eventSubject('', 'configmaps', obj.metadata.namespace), encodeEnvelope({ type, object: obj, revision, key }), { headers: h });
}

/** Until the (restarted) server's JetStream answers for the events stream. */
async function jetStreamReady(): Promise<void> {
  // Each attempt may wait out a request timeout while the client is still reconnecting.
  await eventually(() => nc.jetstreamManager().then((jsm) => jsm.streams.info(EVENTS_STREAM)).then(() => true, () => false), 60_000);
}

const cm = (ns: string, name: string, v = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });

// Every namespace gets the cluster's CA ConfigMap from the gateway shortly after it is made (as
// kube's root-ca-cert-publisher does). The tests wait for it so it is in every informer's first
// list, and leave it out of what they compare: the test plays the relay and publishes no event for it.
const ROOT_CA = 'kube-root-ca.crt';
const ours = (o: KubeObject): boolean => o.metadata.name !== ROOT_CA;

async function createNs(name: string): Promise<void> {
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await eventually(() => client.get(CM, name, ROOT_CA).then(() => true, () => false));
}

function snapshot(objs: KubeObject[]): Record<string, string> {
  return Object.fromEntries(objs.filter(ours).map((o) => [keyOf(o), o.metadata.resourceVersion!]).sort());
}

async function eventually(f: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function cacheMatchesFreshList(inf: Informer, ns: string): Promise<boolean> {
  const fresh = await client.list(CM, ns);
  return JSON.stringify(snapshot(inf.cache.byNamespace(ns))) === JSON.stringify(snapshot(fresh.items));
}

test('list + published events fill the cache; duplicates and older revisions are ignored', async () => {
  await createNs('inf1');
  const a = await client.create(CM, cm('inf1', 'a'));
  await client.create(CM, cm('inf1', 'b'));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf1', logger: quiet });
  const seen: string[] = [];
  const infos: EventInfo[] = [];
  inf.addEventHandler({
    onAdd: (o, i) => { if (ours(o)) { seen.push(`add ${o.metadata.name}`); infos.push(i); } },
    onUpdate: (o, n) => ours(n) && seen.push(`update ${n.metadata.name} ${o.data && (o.data as Record<string, string>).v}->${(n.data as Record<string, string>).v}`),
    onDelete: (o) => ours(o) && seen.push(`delete ${o.metadata.name}`),
  });
  await inf.start();
  expect(inf.hasSynced()).toBe(true);
  expect(Object.keys(snapshot(inf.cache.list()))).toEqual(['inf1/a', 'inf1/b']);
  // Held without managedFields, as events carry objects (the API's copy has them).
  expect(a.metadata.managedFields).toBeDefined();
  expect(inf.cache.get('inf1/a')?.metadata.managedFields).toBeUndefined();
  expect(inf.cache.get('inf1/a')?.metadata.uid).toBe(a.metadata.uid);

  const c = await client.create(CM, cm('inf1', 'c'));
  await publish('ADDED', c, undefined, `00-${'c1'.repeat(16)}-${'d2'.repeat(8)}-01`);
  const a2 = await client.update(CM, { ...a, data: { v: '2' } });
  await publish('MODIFIED', a2);
  await eventually(() => inf.cache.get('inf1/a')?.metadata.resourceVersion === a2.metadata.resourceVersion);
  expect(inf.cache.get('inf1/c')).toBeDefined();
  expect(infos.at(-1)?.traceparent).toBe(`00-${'c1'.repeat(16)}-${'d2'.repeat(8)}-01`);

  // Replays: the same revision again, and an older state of a — neither changes anything.
  await publish('MODIFIED', a2);
  await publish('MODIFIED', a); // older revision
  await publish('ADDED', c);
  await client.delete(CM, 'inf1', 'b');
  const bGone = await client.list(CM, 'inf1');
  await publish('DELETED', (await inf.cache.get('inf1/b'))!, Number(bGone.metadata.resourceVersion));
  await eventually(() => !inf.cache.get('inf1/b'));
  await publish('ADDED', (await client.list(CM, 'inf1')).items[0], 1); // ancient
  await new Promise((r) => setTimeout(r, 200));
  expect(seen).toEqual(['add a', 'add b', 'add c', 'update a 1->2', 'delete b']);
  expect(inf.cache.get('inf1/a')?.data).toEqual({ v: '2' });
  expect(await cacheMatchesFreshList(inf, 'inf1')).toBe(true);
  await inf.stop();
});

test('events published between subscribe and list are applied once, in order', async () => {
  await createNs('inf2');
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf2', logger: quiet });
  let adds = 0;
  inf.addEventHandler({ onAdd: (o) => { if (ours(o)) adds++; } });
  const started = inf.start();
  // Write and publish concurrently with the start: some land before the list, some after.
  for (let i = 0; i < 20; i++) await publish('ADDED', await client.create(CM, cm('inf2', `o${i}`)));
  await started;
  await eventually(() => inf.cache.list().filter(ours).length === 20);
  expect(adds).toBe(20);
  expect(await cacheMatchesFreshList(inf, 'inf2')).toBe(true);
  await inf.stop();
});

test('a NATS server restart: the informer resumes from the stream right after the last event it saw, without a relist', async () => {
  await createNs('inf3');
  for (let i = 0; i < 5; i++) await client.create(CM, cm('inf3', `o${i}`));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf3', logger: quiet });
  await inf.start();
  const seen = await client.create(CM, cm('inf3', 'seen'));
  await publish('ADDED', seen);
  await eventually(() => inf.cache.get('inf3/seen') !== undefined);
  const before = inf.listRevision;

  // While the server restarts, changes happen; the relay publishes them once it is back.
  const restarted = nats.restart();
  const o1 = await client.get(CM, 'inf3', 'o1');
  const changed = await client.update(CM, { ...o1, data: { v: 'changed' } });
  const created = await client.create(CM, cm('inf3', 'new'));
  const o0 = await client.get(CM, 'inf3', 'o0');
  await client.delete(CM, 'inf3', 'o0');
  await restarted;
  await jetStreamReady(); // a restarted server answers before its JetStream does (TIMEOUT in CI)
  await publish('MODIFIED', changed);
  await publish('ADDED', created);
  await publish('DELETED', o0, Number(created.metadata.resourceVersion) + 1); // the delete's revision is the next one

  await eventually(() => inf.cache.get('inf3/new') !== undefined && inf.cache.get('inf3/o0') === undefined);
  expect(inf.cache.get('inf3/o1')?.data).toEqual({ v: 'changed' });
  expect(inf.listRevision).toBe(before); // no relist: every change came from the stream
  await inf.stop();
});

test('the stream no longer holds the next event after the last one seen: the informer relists and converges', async () => {
  await createNs('inf7');
  for (let i = 0; i < 3; i++) await client.create(CM, cm('inf7', `o${i}`));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf7', logger: quiet });
  await inf.start();
  const seen = await client.create(CM, cm('inf7', 'seen'));
  await publish('ADDED', seen);
  await eventually(() => inf.cache.get('inf7/seen') !== undefined);
  const before = inf.listRevision;

  // Another resource's event, then a purge: the stream's head is now past what the informer would resume from.
  await publish('ADDED', cm('other', 'x', '1'), Number(seen.metadata.resourceVersion));
  await (await nc.jetstreamManager()).streams.purge(EVENTS_STREAM);
  // Changes the informer can only learn about by relisting: no events for them exist.
  await client.delete(CM, 'inf7', 'o0');
  await client.create(CM, cm('inf7', 'new'));
  await nats.restart();
  await jetStreamReady();

  await eventually(() => inf.listRevision > before);
  await eventually(() => cacheMatchesFreshList(inf, 'inf7'));
  expect(inf.cache.get('inf7/o0')).toBeUndefined();
  expect(inf.cache.get('inf7/new')).toBeDefined();

  // Events flow again after the relist.
  const after = await client.create(CM, cm('inf7', 'after'));
  await publish('ADDED', after);
  await eventually(() => inf.cache.get('inf7/after') !== undefined);
  await inf.stop();
});

test('a RESYNC marker makes the informer relist', async () => {
  await createNs('inf4');
  await client.create(CM, cm('inf4', 'x'));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf4', logger: quiet });
  await inf.start();
  await client.create(CM, cm('inf4', 'unseen')); // no event: only a relist finds it
  await client.delete(CM, 'inf4', 'x');
  expect(inf.cache.get('inf4/unseen')).toBeUndefined();
  await nc.jetstream().publish(RESYNC_SUBJECT, encodeEnvelope({ type: 'RESYNC', revision: 0 }));
  await eventually(() => cacheMatchesFreshList(inf, 'inf4'));
  expect(Object.keys(snapshot(inf.cache.list()))).toEqual(['inf4/unseen']);
  await inf.stop();
});

test('periodic resync re-delivers cached objects to onUpdate; indexes answer queries', async () => {
  await createNs('inf5');
  await client.create(CM, { ...cm('inf5', 'l1'), metadata: { name: 'l1', namespace: 'inf5', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-1', controller: true }] } });
  await client.create(CM, { ...cm('inf5', 'l2'), metadata: { name: 'l2', namespace: 'inf5', labels: { app: 'db' } } });
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf5', resyncPeriodMs: 100, logger: quiet });
  const resyncs: string[] = [];
  inf.addEventHandler({ onUpdate: (o, n, i) => { if (i.resync && o === n) resyncs.push(n.metadata.name!); } });
  await inf.start();
  await eventually(() => resyncs.filter((n) => n === 'l1').length >= 2);
  expect(inf.cache.bySelector({ matchLabels: { app: 'web' } }).map((o) => o.metadata.name)).toEqual(['l1']);
  expect(inf.cache.bySelector({}, 'inf5').filter(ours)).toHaveLength(2);
  expect(inf.cache.bySelector(undefined)).toHaveLength(0);
  expect(inf.cache.byOwnerUid('u-1').map((o) => o.metadata.name)).toEqual(['l1']);
  expect(inf.cache.byNamespace('inf5').filter(ours)).toHaveLength(2);
  await inf.stop();
});

test('resyncNow() while a relist runs re-delivers every object once the list is applied (a new leader catches up even mid-relist)', async () => {
  await createNs('inf6');
  await client.create(CM, cm('inf6', 'a'));
  await client.create(CM, cm('inf6', 'b'));
  const inf = new Informer({ client, nats: nc, resource: CM, namespace: 'inf6', logger: quiet });
  const resynced = new Set<string>();
  inf.addEventHandler({ onUpdate: (o, n, i) => { if (i.resync && o === n) resynced.add(n.metadata.name!); } });
  await inf.start();
  inf.relist('test'); // a NATS reconnect's relist, say; unchanged objects raise no handler call
  inf.resyncNow(); // onStartedLeading at that moment
  await eventually(() => resynced.has('a') && resynced.has('b'));
  expect([...resynced].filter((n) => n !== ROOT_CA).sort()).toEqual(['a', 'b']);
  await inf.stop();
});
