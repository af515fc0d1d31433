// The generated NATS configuration enforces "only the gateway publishes events".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, type NatsConnection } from 'nats';
import { startSecuredNats, type SecuredNats } from '@keelson/testing';
import { ALL_EVENTS_SUBJECT, connectBus, DEFAULT_STREAM_LIMITS, encodeEnvelope, ensureEventsStream, EVENTS_STREAM, eventSubject } from '../src';

describe('NATS permissions from the generated config', () => {
  jest.setTimeout(30_000);
  let dir: string;
  let nats: SecuredNats;
  const conns: NatsConnection[] = [];
  const as = async (svc: string): Promise<NatsConnection> => {
    const u = nats.users[svc];
    const nc = await connectBus({ servers: [nats.url], user: u.user, password: u.password }, `test-${svc}`, { maxReconnectAttempts: 0 });
    conns.push(nc);
    return nc;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-nats-perm-'));
    nats = await startSecuredNats({ dir, services: ['scheduler'] });
  });
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a controller user cannot publish on keelson.events.>, the gateway user can, and the controller consumes', async () => {
    const gw = await as('api-gateway');
    await ensureEventsStream(await gw.jetstreamManager(), DEFAULT_STREAM_LIMITS);
    const subject = eventSubject('', 'pods', 'default');
    const data = encodeEnvelope({ type: 'ADDED', revision: 7, key: '/registry/core/pods/default/p' });
    const ack = await gw.jetstream().publish(subject, data, { msgID: '7/p' });
    expect(ack.seq).toBe(1);

    const ctl = await as('scheduler');
    const violations: string[] = [];
    void (async () => {
      for await (const s of ctl.status()) if (s.type === 'error') violations.push(String(s.data));
    })();
    // A JetStream publish is refused: the server drops it, so no ack ever comes.
    await expect(ctl.jetstream().publish(subject, data, { msgID: '8/p', timeout: 1000 })).rejects.toThrow();
    // A core publish is reported as a permissions violation.
    ctl.publish(subject, data);
    await ctl.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(violations).toContain('PERMISSIONS_VIOLATION');
    // Nor may it delete the stream.
    await expect((await ctl.jetstreamManager()).streams.delete(EVENTS_STREAM)).rejects.toThrow();

    // But it may create a consumer and read the gateway's event.
    const jsm = await ctl.jetstreamManager();
    await jsm.consumers.add(EVENTS_STREAM, { durable_name: 'scheduler', ack_policy: AckPolicy.Explicit, filter_subject: ALL_EVENTS_SUBJECT });
    const consumer = await ctl.jetstream().consumers.get(EVENTS_STREAM, 'scheduler');
    const m = await consumer.next({ expires: 2000 });
    expect(m?.subject).toBe(subject);
    expect(await m!.ackAck()).toBe(true);
    expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(1);
  });
});
