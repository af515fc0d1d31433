// Issue 9, defect 1: one object must not stop the control plane. A valid ConfigMap just over
// 1 MiB with a 60 KB annotation made an event larger than NATS' default max_payload; the relay
// retried it forever, no later change reached any informer and etcd compaction stayed pinned.
// Now the bus carries any allowed object's event whole, and an event that still does not fit
// goes out as a reference that the informer resolves with a GET (DELETED: from its cache).
import { Etcd3 } from 'etcd3';
import { connect, type NatsConnection } from 'nats';
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { decodeEnvelope, eventSubject, EVENTS_STREAM, type EventEnvelope } from '@keelson/bus';
import { KeelsonClient } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { Informer } from '@keelson/controller-runtime';

jest.setTimeout(120_000);

const CM = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps')!;
const NS = 'default';
const quiet = createLogger('test', { write: () => undefined });

interface Harness {
  cp: ControlPlane;
  client: KeelsonClient;
  nc: NatsConnection;
  /** As the gateway's NATS user, the one that may read stream messages directly. */
  admin: NatsConnection;
  etcd: Etcd3;
  informer: Informer;
  seen: string[];
}

async function harness(env: Record<string, string>): Promise<Harness> {
  const cp = await startControlPlane({ nats: { services: ['controller'] }, env });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const nc = await connect(cp.nats!.connectOptions('controller'));
  const admin = await connect(cp.nats!.connectOptions('api-gateway'));
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const informer = new Informer({ client, nats: nc, resource: CM, namespace: NS, logger: quiet });
  const seen: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => seen.push(`update ${n.metadata.name} ${n.metadata.resourceVersion}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name} ${((o as { data?: Record<string, string> }).data?.payload ?? '').length}`),
  });
  await informer.start();
  return { cp, client, nc, admin, etcd, informer, seen };
}

async function close(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await h.informer.stop();
  await h.nc.close();
  await h.admin.close();
  h.etcd.close();
  h.client.close();
  await h.cp.stop();
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type CmObject = KubeObject & { data?: Record<string, string> };
const configMap = (name: string, data: Record<string, string>): CmObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });

/** The last stored event of the namespace's ConfigMaps. */
async function lastEvent(nc: NatsConnection): Promise<EventEnvelope> {
  const jsm = await nc.jetstreamManager();
  const m = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: eventSubject('', 'configmaps', NS) });
  return decodeEnvelope(m.data);
}

/** etcd compacted away `revision` (the compactor only goes as far as the relay got). */
async function compactedPast(etcd: Etcd3, revision: number): Promise<boolean> {
  return etcd.get('/registry/core/configmaps/default/big').revision(String(revision)).string().then(() => false, (e: Error) => /compacted/.test(e.message));
}

describe('with the bus sized for any allowed object', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await harness({ KEELSON_COMPACTION_INTERVAL_SECONDS: '1' });
  });
  afterAll(() => close(h));

  test('a ConfigMap of 1 MB with a 60 KB annotation travels whole; later changes flow; compaction moves on', async () => {
    const { client, informer, admin: nc, etcd, seen } = h!;
    const created = await client.create(CM, configMap('big', { payload: 'a'.repeat(1_000_000) }));
    const bigRevision = Number(created.metadata.resourceVersion);
    await client.patch(CM, NS, 'big', { metadata: { annotations: { note: 'n'.repeat(60_000) } } }, 'merge');
    const cached = await until('the annotated big ConfigMap in the informer', () => {
      const o = informer.cache.getByName(NS, 'big') as CmObject | undefined;
      return o?.metadata.annotations?.note?.length === 60_000 && o;
    });
    expect(cached.data!.payload).toHaveLength(1_000_000);
    // Published whole (over 1 MiB with its envelope), not as a reference.
    const env = await lastEvent(nc);
    expect(env.type).toBe('MODIFIED');
    expect(env.omitted).toBeUndefined();
    expect(((env.object as CmObject).data?.payload ?? '').length).toBe(1_000_000);

    const after = await client.create(CM, configMap('after', { v: '1' }));
    await until('a later change in the informer', () => informer.cache.getByName(NS, 'after'));
    await client.delete(CM, NS, 'big');
    await until('the big ConfigMap\'s deletion', () => seen.includes('delete big 1000000'));
    expect(seen).toEqual(expect.arrayContaining(['add big', 'add after']));
    // The relay acknowledged past the big object, so the compactor is free to compact past it.
    await until('compaction past the big object', () => compactedPast(etcd, bigRevision), 30_000);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(bigRevision);
  });
});

describe('with events over the stream\'s max message size', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await harness({ KEELSON_EVENTS_MAX_MSG_BYTES: '65536' });
  });
  afterAll(() => close(h));

  test('ADDED, MODIFIED and DELETED go out as references that the informer resolves; small changes stay whole', async () => {
    const { client, informer, admin: nc, seen } = h!;
    await client.create(CM, configMap('ref', { payload: 'r'.repeat(200_000) }));
    await until('the referenced ConfigMap in the informer', () => ((informer.cache.getByName(NS, 'ref') as CmObject | undefined)?.data?.payload ?? '').length === 200_000);
    const added = await lastEvent(nc);
    expect(added).toMatchObject({ type: 'ADDED', key: `/registry/core/configmaps/${NS}/ref`, omitted: { name: 'ref', namespace: NS } });
    expect(added.object).toBeUndefined();
    expect(added.omitted!.bytes).toBeGreaterThan(200_000);

    const updated = await client.patch(CM, NS, 'ref', { data: { more: 'm' } }, 'merge');
    await until('the update in the informer', () => informer.cache.getByName(NS, 'ref')?.metadata.resourceVersion === updated.metadata.resourceVersion);
    expect(seen).toContain(`update ref ${updated.metadata.resourceVersion}`);
    expect((await lastEvent(nc)).omitted).toBeDefined();

    await client.create(CM, configMap('small', { v: '1' }));
    await until('a small ConfigMap', () => informer.cache.getByName(NS, 'small'));
    const small = await lastEvent(nc);
    expect(small.omitted).toBeUndefined();
    expect(small.object?.metadata.name).toBe('small');

    await client.delete(CM, NS, 'ref');
    // The handler gets the last state the informer held, payload and all.
    await until('the deletion', () => seen.includes('delete ref 200000'));
    expect(informer.cache.getByName(NS, 'ref')).toBeUndefined();
    await client.patch(CM, NS, 'small', { data: { v: '2' } }, 'merge');
    await until('a later small change', () => (informer.cache.getByName(NS, 'small') as CmObject | undefined)?.data?.v === '2');
  });
});
