// Relay completeness: two relay-capable gateway replicas, 10,000 etcd writes, and the relaying
// replica SIGKILLed three times; the stream must hold every revision, per key in order.
import { Etcd3 } from 'etcd3';
import type { NatsConnection } from 'nats';
import { RESYNC_SUBJECT } from '@keelson/bus';
import { startControlPlane, type ControlPlane, type GatewayReplica } from '@keelson/testing';
import { connectAs, lastStreamRevision, leader, LEADER_KEY, pacedPuts, readStream, waitFor } from './relay-fixtures';

const WRITES = 10_000;
const KEYS = 200;
const RATE = 1000; // writes/s: ~10 s of writing, time for three kills and take-overs
const TTL_SECONDS = 2;

describe('event relay completeness', () => {
  // 10,000 writes and three gateway restarts take ~40 s on a quiet 2-core machine; a loaded one needs more.
  jest.setTimeout(300_000);
  let cp: ControlPlane;
  let client: Etcd3;
  let nc: NatsConnection;
  const replicas: GatewayReplica[] = [];

  beforeAll(async () => {
    cp = await startControlPlane({ nats: true, env: { KEELSON_RELAY_LEASE_TTL_SECONDS: String(TTL_SECONDS), KEELSON_LOG_LEVEL: 'info' } });
    client = new Etcd3(cp.etcd.clientOptions);
    replicas.push(cp.gateway, await cp.addGatewayReplica());
    nc = await connectAs(cp, 'api-gateway'); // reads the whole stream (ordered consumer): the stream admin's right, not a service's
  });
  afterAll(async () => {
    await nc?.close();
    client?.close();
    await cp?.stop();
  });

  test('10,000 writes with the relaying gateway SIGKILLed three times: every revision, per key in order', async () => {
    // The first leader marks where the stream starts with a RESYNC.
    await waitFor('the first leader to start the stream', async () => (await lastStreamRevision(nc)) > 0);
    const keyOf = (i: number): string => `/registry/core/configmaps/default/cm-${i % KEYS}`;
    let done = 0;
    const t0 = Date.now();
    const writing = pacedPuts(client, WRITES, RATE, 16, keyOf, (n) => (done = n));

    const kills: Array<{ atWrite: number; takeoverMs: number }> = [];
    for (const at of [1500, 4500, 7500]) {
      await waitFor(`write ${at}`, async () => done >= at, 30_000);
      const victim = await waitFor('a running leader', () => leader(client, replicas));
      const identity = await client.get(LEADER_KEY).string();
      const killedAt = Date.now();
      await victim.kill('SIGKILL');
      const restarting = victim.start(); // comes back and stands by (or wins, if it is quicker)
      // Another identity holds the leader key once the dead leader's lease expires (≤ TTL).
      await waitFor('a new leader', async () => {
        const now = await client.get(LEADER_KEY).string();
        return now !== null && now !== identity;
      }, 15_000);
      kills.push({ atWrite: at, takeoverMs: Date.now() - killedAt });
      await restarting;
    }
    const written = await writing;
    const writeSeconds = (Date.now() - t0) / 1000;
    const maxRevision = Math.max(...[...written.values()].flat());
    await waitFor('the relay to catch up', async () => (await lastStreamRevision(nc)) >= maxRevision, 30_000);

    const events = await readStream(nc);
    const seen = new Map<string, number[]>();
    let duplicates = 0;
    let resyncs = 0;
    for (const e of events) {
      if (e.subject === RESYNC_SUBJECT) {
        resyncs++;
        continue;
      }
      expect(e.revisionHeader).toBe(e.envelope.revision);
      expect(e.msgId).toBe(`${e.envelope.revision}/${e.envelope.key}`);
      const list = seen.get(e.envelope.key!) ?? [];
      if (list.length && list[list.length - 1] === e.envelope.revision) duplicates++;
      // Per key in revision order (a replay may repeat the last one, never go back).
      if (list.length) expect(e.envelope.revision).toBeGreaterThanOrEqual(list[list.length - 1]);
      list.push(e.envelope.revision);
      seen.set(e.envelope.key!, list);
    }
    let missing = 0;
    for (const [key, revisions] of written) {
      const got = new Set(seen.get(key) ?? []);
      missing += revisions.filter((r) => !got.has(r)).length;
    }
    expect(missing).toBe(0);
    expect(kills).toHaveLength(3);
    // Only the stream's first event is a RESYNC: no take-over needed one.
    expect(resyncs).toBe(1);
    // Take-over time is printed, not asserted to the second (a timing assertion failed at 3.1 s
    // under load): a take-over that waits for anything but the lease's expiry fails the 15 s wait above.
    process.stdout.write(`relay completeness: ${WRITES} writes in ${writeSeconds.toFixed(1)} s, ${events.length} stream messages, ${duplicates} duplicates, take-overs (ms): ${kills.map((k) => k.takeoverMs).join(', ')}\n`);
  });
});

