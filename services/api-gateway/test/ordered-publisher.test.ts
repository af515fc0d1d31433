import { ErrorCode, NatsError, type NatsConnection } from 'nats';
import { trace } from '@opentelemetry/api';
import { buildEventMessage, type EventMessage } from '@keelson/bus';
import { OrderedPublisher, type AckedPublish } from '../src/relay/ordered-publisher';
import { StreamAcks } from '../src/relay/stream-acks';
import { WireHeaders } from '../src/relay/wire-headers';

interface Call { subject: string; expected?: number; msgId?: string; resolve(seq: number): void; reject(e: Error): void }

function fakeTarget(): { target: AckedPublish; calls: Call[] } {
  const calls: Call[] = [];
  const target: AckedPublish = {
    publish: (subject, _data, headers, done) => {
      // The headers as they go on the wire: JetStream reads its expectations from them.
      const wire = new TextDecoder().decode(headers.encode());
      const field = (name: string) => new RegExp(`\r\n${name}: ([^\r]*)`).exec(wire)?.[1];
      const expected = field('Nats-Expected-Last-Sequence');
      calls.push({ subject, expected: expected === undefined ? undefined : Number(expected), msgId: field('Nats-Msg-Id'), resolve: (seq) => done(undefined, seq), reject: (e) => done(e, 0) });
    },
  };
  return { target, calls };
}
const msg = (rev: number): EventMessage => buildEventMessage({ type: 'ADDED', key: `/registry/core/configmaps/default/c${rev}`, revision: rev, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${rev}` } } })!;
const ack = (seq: number): number => seq;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OrderedPublisher', () => {
  const setup = (maxInFlight: number) => {
    const { target, calls } = fakeTarget();
    const acked: number[] = [];
    const failures: Error[] = [];
    const p = new OrderedPublisher(target, { maxInFlight, maxQueued: 100, lastSeq: 10, tracer: trace.getTracer('t'), onAcked: (r) => acked.push(r), onFailed: (e) => failures.push(e) });
    return { p, calls, acked, failures };
  };

  test('sends in order, at most maxInFlight at a time, each expecting the previous sequence', async () => {
    const { p, calls } = setup(2);
    for (const r of [1, 2, 3, 4]) p.enqueue(msg(r));
    expect(calls.map((c) => c.expected)).toEqual([10, 11]);
    expect(calls.map((c) => c.msgId)).toEqual([msg(1).msgId, msg(2).msgId]);
    calls[0].resolve(ack(11));
    await tick();
    expect(calls.map((c) => c.expected)).toEqual([10, 11, 12]);
  });

  test('progress only moves over a prefix of acknowledged publishes', async () => {
    const { p, calls, acked } = setup(3);
    for (const r of [1, 2, 3]) p.enqueue(msg(r));
    calls[1].resolve(ack(12));
    await tick();
    expect(acked).toEqual([]);
    calls[0].resolve(ack(11));
    await tick();
    expect(acked).toEqual([2]);
  });

  test('a failure stops sending and is reported once', async () => {
    const { p, calls, failures, acked } = setup(2);
    for (const r of [1, 2, 3]) p.enqueue(msg(r));
    calls[0].reject(new Error('timeout'));
    calls[1].reject(new Error('wrong last sequence'));
    await tick();
    expect(failures.map((e) => e.message)).toEqual(['timeout']);
    expect(calls).toHaveLength(2);
    expect(acked).toEqual([]);
  });

  test("after close, in-flight publishes settle; those the acks' close cut off are no failure", async () => {
    const { p, calls, acked, failures } = setup(3);
    for (const r of [1, 2, 3]) p.enqueue(msg(r));
    p.close();
    p.enqueue(msg(4));
    expect(calls).toHaveLength(3); // nothing sent after close
    calls[0].resolve(ack(11));
    const settled = p.settled(1000);
    // What a StreamAcks answers on close (a real one, closed with nothing sent).
    const closedAcks = new StreamAcks({ subscribe: () => ({ unsubscribe: () => undefined }) } as unknown as NatsConnection, 1000);
    closedAcks.close();
    const cut = await new Promise<Error>((r) => closedAcks.publish('s', new Uint8Array(), new WireHeaders().asMsgHdrs(), (e) => r(e!)));
    calls[1].reject(cut);
    calls[2].reject(cut);
    await settled;
    expect(acked).toEqual([1]);
    expect(failures).toEqual([]);
  });

  test('a real failure while closed is still reported', async () => {
    const { p, calls, failures } = setup(1);
    p.enqueue(msg(1));
    p.close();
    calls[0].reject(new NatsError('timeout', ErrorCode.Timeout));
    await tick();
    expect(failures.map((e) => e.message)).toEqual(['timeout']);
  });

  test('too far behind is a failure (the session re-watches)', () => {
    const { p, failures } = setup(1);
    for (let r = 1; r <= 102; r++) p.enqueue(msg(r));
    expect(failures).toHaveLength(1);
  });
});
