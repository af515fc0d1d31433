// Where the relay resumes: RESYNC when etcd compacted past its resume point, a complete
// catch-up after downtime (and how fast), and compaction held back while NATS is away.
import { Etcd3 } from 'etcd3';
import type { NatsConnection } from 'nats';
import { RESYNC_SUBJECT } from '@keelson/bus';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { connectAs, lastStreamRevision, pacedPuts, readStream, waitFor, type StreamEvent } from './relay-fixtures';

describe('event relay resume point', () => {
  jest.setTimeout(60_000);
  let cp: ControlPlane;
  let client: Etcd3;
  let nc: NatsConnection;
  let cm = 0;

  beforeAll(async () => {
    cp = await startControlPlane({ nats: true, env: { KEELSON_COMPACTION_INTERVAL_SECONDS: '1', KEELSON_RELAY_LEASE_TTL_SECONDS: '2', KEELSON_LOG_LEVEL: 'info' } });
    client = new Etcd3(cp.etcd.clientOptions);
    nc = await connectAs(cp, 'api-gateway'); // reads the whole stream (ordered consumer): the stream admin's right, not a service's
    await waitFor('the relay to start the stream', async () => (await lastStreamRevision(nc)) > 0);
  });
  afterAll(async () => {
    await nc?.close();
    client?.close();
    await cp?.stop();
  });

  const put = async (): Promise<number> => {
    const name = `resume-${++cm}`;
    const res = await client.put(`/registry/core/configmaps/default/${name}`).value(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } })).exec();
    return Number(res.header.revision);
  };
  const relayed = (rev: number): Promise<boolean> => waitFor(`revision ${rev} in the stream`, async () => (await lastStreamRevision(nc)) >= rev);
  const since = (events: StreamEvent[], seq: number): StreamEvent[] => events.filter((e) => e.seq > seq);

  test('etcd compacted past the resume point: RESYNC at the current revision, then live events', async () => {
    await relayed(await put());
    const seqBefore = (await readStream(nc)).length;
    await cp.killGateway('SIGKILL');
    let last = 0;
    for (let i = 0; i < 20; i++) last = await put();
    await client.kv.compact({ revision: last, physical: true });
    await cp.startGateway();
    const resync = await waitFor('a RESYNC', async () => since(await readStream(nc), seqBefore).find((e) => e.subject === RESYNC_SUBJECT));
    // The current revision when the relay resumed: at least the compaction point.
    expect(resync.envelope.type).toBe('RESYNC');
    expect(resync.envelope.revision).toBeGreaterThanOrEqual(last);
    const after = await put();
    await relayed(after);
    const events = since(await readStream(nc), seqBefore);
    expect(events[0]).toEqual(resync);
    expect(events.slice(1).map((e) => [e.envelope.type, e.envelope.revision])).toEqual([['ADDED', after]]);
  });

  test('after downtime the relay publishes every missed revision in order (catch-up throughput)', async () => {
    const seqBefore = (await readStream(nc)).length;
    await cp.killGateway('SIGKILL');
    const written = await pacedPuts(client, 10_000, 100_000, 64, (i) => `/registry/core/configmaps/default/burst-${i % 500}`);
    const revisions = [...written.values()].flat().sort((a, b) => a - b);
    await cp.startGateway();
    await waitFor('the catch-up', async () => (await lastStreamRevision(nc)) >= revisions[revisions.length - 1], 40_000);
    const events = since(await readStream(nc), seqBefore);
    expect(events.map((e) => e.envelope.revision)).toEqual(revisions);
    // Throughput from the stream's own store times: first to last caught-up event.
    const seconds = (events[events.length - 1].storedAtMs - events[0].storedAtMs) / 1000;
    process.stdout.write(`relay catch-up: ${revisions.length} events in ${seconds.toFixed(2)} s = ${Math.round(revisions.length / seconds)} events/s\n`);
  });

  test('compaction never passes the relay while NATS is away: no RESYNC, nothing lost', async () => {
    const seqBefore = (await readStream(nc)).length;
    await cp.nats!.kill();
    const revisions: number[] = [];
    for (let i = 0; i < 30; i++) {
      revisions.push(await put());
      await new Promise((r) => setTimeout(r, 100)); // three compaction intervals pass meanwhile
    }
    await cp.nats!.restart();
    await waitFor('the relay to resume', async () => (await lastStreamRevision(nc)) >= revisions[revisions.length - 1], 30_000);
    const events = since(await readStream(nc), seqBefore);
    expect(events.filter((e) => e.subject === RESYNC_SUBJECT)).toHaveLength(0);
    expect(events.map((e) => e.envelope.revision)).toEqual(expect.arrayContaining(revisions));
    expect(cp.gatewayLog()).toContain('"heldBackByRelay":true');
  });
});
