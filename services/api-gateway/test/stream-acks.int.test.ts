// StreamAcks (relay/stream-acks.ts) against a real NATS server with JetStream, as the relay uses
// it: every publish is answered once — the stored sequence, the stream's own refusals as
// nats.js reports them (wrong last sequence, a message over the stream's size), no responders,
// a timeout, the close — and the acks come back under the user's own inbox prefix on the
// secured server `npm start` runs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, ErrorCode, NatsError, type NatsConnection } from 'nats';
import { ALL_EVENTS_SUBJECT, DEFAULT_STREAM_LIMITS, ensureEventsStream, isWrongLastSequence } from '@keelson/bus';
import { startNats, startSecuredNats, type NatsServer, type SecuredNats } from '@keelson/testing';
import { isPermanentRefusal } from '../src/relay/event-fit';
import { StreamAcks } from '../src/relay/stream-acks';
import { WireHeaders } from '../src/relay/wire-headers';

const SUBJECT = ALL_EVENTS_SUBJECT.replace('>', 'core.configmaps.default');
const MAX_MSG_BYTES = 64 * 1024;

function publish(acks: StreamAcks, data: string, fields: Record<string, string> = {}, subject = SUBJECT): Promise<number> {
  return new Promise((resolve, reject) => acks.publish(subject, new TextEncoder().encode(data), new WireHeaders(fields).asMsgHdrs(), (err, seq) => (err ? reject(err) : resolve(seq))));
}
const failure = (p: Promise<unknown>): Promise<NatsError> => p.then(() => { throw new Error('expected the publish to fail'); }, (e: NatsError) => e);

describe('StreamAcks', () => {
  jest.setTimeout(60_000);
  let nats: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(await nc.jetstreamManager(), { ...DEFAULT_STREAM_LIMITS, maxMsgBytes: MAX_MSG_BYTES });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });
  const lastSeq = async (): Promise<number> => (await (await nc.jetstreamManager()).streams.info('KEELSON_EVENTS')).state.last_seq;

  test('answers each publish with its stored sequence, in order; a repeated message id is the same message', async () => {
    const acks = new StreamAcks(nc, 5000);
    const before = await lastSeq();
    const seqs = await Promise.all([1, 2, 3, 4, 5].map((i) => publish(acks, `m${i}`, { 'Nats-Msg-Id': `acks-order-${i}` })));
    expect(seqs).toEqual([1, 2, 3, 4, 5].map((i) => before + i));
    expect(await publish(acks, 'm3 again', { 'Nats-Msg-Id': 'acks-order-3' })).toBe(before + 3);
    expect(await lastSeq()).toBe(before + 5);
    expect(acks.inFlight).toBe(0);
    acks.close();
  });

  test("the stream's refusals come back as nats.js reports them: wrong last sequence, too large", async () => {
    const acks = new StreamAcks(nc, 5000);
    const last = await lastSeq();
    const wrong = await failure(publish(acks, 'late', { 'Nats-Expected-Last-Sequence': String(last - 1) }));
    expect(isWrongLastSequence(wrong)).toBe(true);
    expect(isPermanentRefusal(wrong)).toBe(false);
    const big = await failure(publish(acks, 'x'.repeat(MAX_MSG_BYTES + 1)));
    expect(big.api_error?.code).toBe(400);
    expect(isPermanentRefusal(big)).toBe(true);
    expect(await lastSeq()).toBe(last); // nothing stored
    expect(await publish(acks, 'fits', { 'Nats-Expected-Last-Sequence': String(last) })).toBe(last + 1);
    acks.close();
  });

  test('no stream on the subject is "no responders"; a responder that never answers is a timeout', async () => {
    const acks = new StreamAcks(nc, 300);
    expect((await failure(publish(acks, 'nowhere', {}, 'keelson.nostream.x'))).code).toBe(ErrorCode.NoResponders);
    const silent = nc.subscribe('keelson.silent.x'); // takes the message, never replies
    const started = Date.now();
    const timedOut = await failure(publish(acks, 'unanswered', {}, 'keelson.silent.x'));
    expect(timedOut.code).toBe(ErrorCode.Timeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(isPermanentRefusal(timedOut)).toBe(false);
    silent.unsubscribe();
    acks.close();
  });

  test('close answers what is still open, and refuses what comes after', async () => {
    const acks = new StreamAcks(nc, 5000);
    const silent = nc.subscribe('keelson.silent.y');
    const open = failure(publish(acks, 'open', {}, 'keelson.silent.y'));
    await nc.flush();
    acks.close();
    expect((await open).code).toBe(ErrorCode.ConnectionClosed);
    expect((await failure(publish(acks, 'after'))).code).toBe(ErrorCode.ConnectionClosed);
    silent.unsubscribe();
  });

  describe('on the secured server, as the gateway', () => {
    let secured: SecuredNats;
    let gw: NatsConnection;
    beforeAll(async () => {
      secured = await startSecuredNats({ dir: mkdtempSync(join(tmpdir(), 'stream-acks-')) });
      gw = await connect(secured.connectOptions('api-gateway'));
      await ensureEventsStream(await gw.jetstreamManager(), DEFAULT_STREAM_LIMITS);
    });
    afterAll(async () => {
      await gw?.close();
      await secured?.stop();
    });

    test("acks arrive under the user's own inbox prefix", async () => {
      const acks = new StreamAcks(gw, 5000);
      expect(await publish(acks, 'secured', { 'Nats-Msg-Id': 'acks-secured-1' })).toBeGreaterThan(0);
      acks.close();
    });
  });
});
