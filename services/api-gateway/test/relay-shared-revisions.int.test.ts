// Several keys at one etcd revision (group commit's shared txns; Services with their
// allocations): the relay publishes every key's event of every revision, in revision order with
// no gap, and a relay that resumes where the stream ends inside such a revision publishes exactly
// the rest of it.
import { Etcd3 } from 'etcd3';
import type { NatsConnection } from 'nats';
import { buildEventMessage, EVENTS_STREAM, RESYNC_SUBJECT } from '@keelson/bus';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { toObjectChange } from '../src/relay/change';
import { toMsgHdrs } from '../src/relay/ordered-publisher';
import { configMap, connectAs, readStream, waitFor, type StreamEvent } from './relay-fixtures';

const CMS = '/api/v1/namespaces/default/configmaps';

describe('event relay with several keys at one revision', () => {
  jest.setTimeout(120_000);
  let cp: ControlPlane;
  let client: Etcd3;
  let nc: NatsConnection;

  beforeAll(async () => {
    cp = await startControlPlane({ nats: true, env: { KEELSON_RELAY_LEASE_TTL_SECONDS: '2', KEELSON_LOG_LEVEL: 'info' } });
    client = new Etcd3(cp.etcd.clientOptions);
    nc = await connectAs(cp, 'api-gateway'); // reads the whole stream, and publishes as the relay does
    await waitFor('the relay to start the stream', async () => (await readStream(nc)).length > 0);
  });
  afterAll(async () => {
    await nc?.close();
    client?.close();
    await cp?.stop();
  });

  const streamHas = async (pairs: Array<[number, string]>): Promise<StreamEvent[] | undefined> => {
    const events = await readStream(nc);
    const have = new Set(events.map((e) => `${e.envelope.revision}/${e.envelope.key}`));
    return pairs.every(([rev, key]) => have.has(`${rev}/${key}`)) ? events : undefined;
  };

  test('grouped creates through the gateway: every (revision, key) in the stream once, revisions never go back', async () => {
    const names = Array.from({ length: 240 }, (_, i) => `shared-${i}`);
    const written: Array<[number, string]> = [];
    let next = 0;
    await Promise.all(Array.from({ length: 48 }, async () => {
      for (let i = next++; i < names.length; i = next++) {
        const res = await cp.request('POST', CMS, { body: configMap(names[i], i), headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(201);
        const rv = Number((JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
        written.push([rv, `/registry/core/configmaps/default/${names[i]}`]);
      }
    }));
    // Group commit put several creates at one revision.
    const perRevision = new Map<number, number>();
    for (const [rev] of written) perRevision.set(rev, (perRevision.get(rev) ?? 0) + 1);
    expect(Math.max(...perRevision.values())).toBeGreaterThan(1);

    const events = await waitFor('every create in the stream', () => streamHas(written), 30_000);
    const ours = events.filter((e) => e.envelope.key?.startsWith('/registry/core/configmaps/default/shared-'));
    expect(ours).toHaveLength(written.length); // each once
    expect(ours.map((e) => [e.envelope.revision, e.envelope.key]).sort()).toEqual([...written].sort());
    for (const e of ours) {
      expect(e.envelope.type).toBe('ADDED');
      expect(e.msgId).toBe(`${e.envelope.revision}/${e.envelope.key}`);
    }
    const revisions = events.filter((e) => e.subject !== RESYNC_SUBJECT).map((e) => e.envelope.revision);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThanOrEqual(revisions[i - 1]);
    process.stdout.write(`relay shared revisions: ${written.length} creates at ${perRevision.size} revisions (up to ${Math.max(...perRevision.values())} keys at one)\n`);
  });

  test('the stream ends inside a revision: the relay resumes there and publishes exactly the rest of it, then what follows', async () => {
    await cp.killGateway('SIGKILL');
    const keys = Array.from({ length: 6 }, (_, i) => `/registry/core/configmaps/default/txn-${i}`);
    // One txn, six keys, one revision: what group commit writes.
    const txn = await client.kv.txn({ compare: [], success: keys.map((key, i) => ({ request_put: { key: Buffer.from(key), value: Buffer.from(configMap(key.split('/').pop()!, i)) } })), failure: [] });
    const revision = Number(txn.header.revision);
    // The killed relay got the first two of them out (as it would have: same subject, id, envelope).
    const jsm = await nc.jetstreamManager();
    let lastSeq = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    const js = nc.jetstream();
    for (const key of keys.slice(0, 2)) {
      const kv = (await client.get(key).exec()).kvs[0];
      // As the relay's watch reads it (revisions as numbers); a put needs no prev_kv.
      const msg = buildEventMessage(toObjectChange({ type: 'Put', kv: { key: kv.key, value: kv.value, create_revision: Number(kv.create_revision), mod_revision: Number(kv.mod_revision) } }))!;
      const ack = await js.publish(msg.subject, msg.data, { msgID: msg.msgId, headers: toMsgHdrs(msg), expect: { lastSequence: lastSeq } });
      lastSeq = ack.seq;
    }
    const seqBefore = lastSeq - 2;
    await cp.startGateway();
    const later = await cp.request('POST', CMS, { body: configMap('after-txn', 0), headers: { 'content-type': 'application/json' } });
    expect(later.status).toBe(201);
    const laterRev = Number((JSON.parse(later.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    const laterKey = '/registry/core/configmaps/default/after-txn';
    const events = await waitFor('the rest of the txn and the later create', () => streamHas([...keys.map((k): [number, string] => [revision, k]), [laterRev, laterKey]]), 30_000);
    const after = events.filter((e) => e.seq > seqBefore);
    // No RESYNC, nothing twice, the txn's keys in etcd's order, then the later create; the gateway's
    // own writes at start (none expected for existing namespaces) may sit between.
    expect(after.filter((e) => e.subject === RESYNC_SUBJECT)).toHaveLength(0);
    const txnEvents = after.filter((e) => e.envelope.revision === revision);
    expect(txnEvents.map((e) => e.envelope.key)).toEqual(keys);
    expect(after.find((e) => e.envelope.key === laterKey)?.envelope.revision).toBe(laterRev);
    const ids = after.map((e) => e.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    const revisions = after.map((e) => e.envelope.revision);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThanOrEqual(revisions[i - 1]);
  });
});
