// The generated NATS configuration enforces "only the gateway publishes events".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, connect, createInbox, nanos, type NatsConnection } from 'nats';
import { startSecuredNats, type SecuredNats } from '@keelson/testing';
import { permissionsFor } from '@keelson/local';
import { ALL_EVENTS_SUBJECT, connectBus, DEFAULT_STREAM_LIMITS, encodeEnvelope, ensureEventsStream, EVENTS_STREAM, eventSubject, inboxPrefixFor, inboxPrefixOf } from '../src';

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
    nats = await startSecuredNats({ dir, services: ['scheduler', 'kubelet'] });
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

    // But it may create a (server-named) consumer and read the gateway's event.
    const jsm = await ctl.jetstreamManager();
    const info = await jsm.consumers.add(EVENTS_STREAM, { ack_policy: AckPolicy.None, filter_subject: ALL_EVENTS_SUBJECT, deliver_policy: DeliverPolicy.All, deliver_subject: createInbox(inboxPrefixFor('scheduler')), inactive_threshold: nanos(30_000) });
    expect(info.name).toBeTruthy();
    expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(1);
  });

  // Issue 9 (13): any service could delete (or take over) another service's JetStream consumer.
  test("a service cannot delete, replace or read another service's consumer, nor name one itself", async () => {
    const gw = await as('api-gateway');
    await ensureEventsStream(await gw.jetstreamManager(), DEFAULT_STREAM_LIMITS);
    const kubelet = await as('kubelet');
    const scheduler = await as('scheduler');
    const received: string[] = [];
    const inbox = createInbox(inboxPrefixFor('kubelet'));
    kubelet.subscribe(inbox, { callback: (_e, m) => { if (m.data.length) received.push(m.subject); } });
    const cfg = { ack_policy: AckPolicy.None, filter_subject: ALL_EVENTS_SUBJECT, deliver_policy: DeliverPolicy.New, deliver_subject: inbox, inactive_threshold: nanos(30_000) };
    const victim = (await (await kubelet.jetstreamManager()).consumers.add(EVENTS_STREAM, cfg)).name;

    const sjsm = await scheduler.jetstreamManager({ timeout: 1500 });
    await expect(sjsm.consumers.delete(EVENTS_STREAM, victim)).rejects.toThrow();
    await expect(sjsm.consumers.info(EVENTS_STREAM, victim)).rejects.toThrow();
    // Re-creating it under its name (an update that would redirect delivery) and naming or
    // making durable consumers are refused too.
    await expect(sjsm.consumers.add(EVENTS_STREAM, { ...cfg, name: victim, deliver_subject: createInbox() })).rejects.toThrow();
    await expect(sjsm.consumers.add(EVENTS_STREAM, { ...cfg, name: 'scheduler_mine', deliver_subject: createInbox() })).rejects.toThrow();
    await expect(sjsm.consumers.add(EVENTS_STREAM, { ...cfg, durable_name: 'scheduler', deliver_subject: createInbox() })).rejects.toThrow();
    // Nor may it push into the victim's delivery inbox.
    scheduler.publish(inbox, encodeEnvelope({ type: 'ADDED', revision: 99, key: '/registry/core/pods/default/forged' }));
    await scheduler.flush();

    // The victim's consumer is intact: the gateway (stream administrator) still sees it, and it delivers.
    expect((await (await gw.jetstreamManager()).consumers.info(EVENTS_STREAM, victim)).name).toBe(victim);
    const subject = eventSubject('', 'configmaps', 'default');
    await gw.jetstream().publish(subject, encodeEnvelope({ type: 'ADDED', revision: 100, key: '/registry/core/configmaps/default/c' }), { msgID: '100/c' });
    const deadline = Date.now() + 5000;
    while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([subject]);
  });

  // Issue 9: every service could subscribe to `_INBOX.>`, so one service could read the replies
  // meant for another (JetStream API answers, a consumer's deliveries, the gateway's acks).
  test("a service's credentials cannot subscribe to another service's inbox; its own inbox works", async () => {
    const gw = await as('api-gateway');
    await ensureEventsStream(await gw.jetstreamManager(), DEFAULT_STREAM_LIMITS);
    const kubelet = await as('kubelet');
    const scheduler = await as('scheduler');
    // Each connects with its own prefix, the one the generated config lets it subscribe under.
    expect([inboxPrefixOf(kubelet), inboxPrefixOf(scheduler), inboxPrefixOf(gw)]).toEqual(['_INBOX_kubelet', '_INBOX_scheduler', '_INBOX_api-gateway']);
    expect(permissionsFor('scheduler').subscribe.allow).toContain(`${inboxPrefixOf(scheduler)}.>`);

    const refused: string[] = [];
    const stolen: string[] = [];
    for (const subject of ['_INBOX_kubelet.>', '_INBOX_api-gateway.>', '_INBOX.>', '>']) {
      scheduler.subscribe(subject, { callback: (err, m) => (err ? refused.push(`${subject} ${err.message}`) : stolen.push(m.subject)) });
    }
    await scheduler.flush();
    // The kubelet's own request-reply works, and the gateway's acked publish: their replies reach only them.
    const info = await (await kubelet.jetstreamManager()).streams.info(EVENTS_STREAM);
    expect(info.config.name).toBe(EVENTS_STREAM);
    await gw.jetstream().publish(eventSubject('', 'pods', 'default'), encodeEnvelope({ type: 'ADDED', revision: 200, key: '/registry/core/pods/default/q' }), { msgID: '200/q' });
    const deadline = Date.now() + 5000;
    while (refused.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(refused.map((r) => r.split(' ')[0]).sort()).toEqual(['>', '_INBOX.>', '_INBOX_api-gateway.>', '_INBOX_kubelet.>']);
    expect(refused.every((r) => /permissions violation/i.test(r))).toBe(true);
    expect(stolen).toEqual([]);
    // The scheduler's own request-reply still works.
    expect((await (await scheduler.jetstreamManager()).streams.info(EVENTS_STREAM)).config.name).toBe(EVENTS_STREAM);
  });
});

describe('NATS with TLS, as npm start runs it', () => {
  jest.setTimeout(30_000);
  let dir: string;
  let nats: SecuredNats;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-nats-tls-'));
    nats = await startSecuredNats({ dir, services: ['scheduler'], tls: true });
  });
  afterAll(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a plaintext client is refused; a client trusting the local CA connects and works', async () => {
    const u = nats.users.scheduler;
    await expect(connect({ servers: nats.url, user: u.user, pass: u.password, maxReconnectAttempts: 0, timeout: 3000 })).rejects.toThrow();
    // A client that does not trust the local CA cannot verify the server.
    await expect(connect({ servers: nats.url, user: u.user, pass: u.password, tls: {}, maxReconnectAttempts: 0, timeout: 3000 })).rejects.toThrow();
    const gw = await connectBus({ servers: [nats.url], user: nats.users['api-gateway'].user, password: nats.users['api-gateway'].password, caFile: nats.caFile }, 'test-gw', { maxReconnectAttempts: 0 });
    try {
      await ensureEventsStream(await gw.jetstreamManager(), DEFAULT_STREAM_LIMITS);
      expect((await gw.jetstream().publish(eventSubject('', 'pods', 'default'), encodeEnvelope({ type: 'ADDED', revision: 1, key: '/registry/core/pods/default/p' }), { msgID: '1/p' })).seq).toBe(1);
      expect(gw.info?.tls_required).toBe(true);
    } finally {
      await gw.close();
    }
    const nc = await connect({ ...nats.connectOptions('scheduler'), maxReconnectAttempts: 0 });
    await nc.close();
  });
});
