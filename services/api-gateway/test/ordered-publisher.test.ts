import type { JetStreamClient, PubAck } from 'nats';
import { trace } from '@opentelemetry/api';
import { buildEventMessage, type EventMessage } from '@keelson/bus';
import { OrderedPublisher } from '../src/relay/ordered-publisher';

interface Call { subject: string; expected?: number; resolve(ack: PubAck): void; reject(e: Error): void }

function fakeJs(): { js: JetStreamClient; calls: Call[] } {
  const calls: Call[] = [];
  const js = {
    publish: (subject: string, _data: Uint8Array, opts: { expect?: { lastSequence?: number } }) =>
      new Promise<PubAck>((resolve, reject) => calls.push({ subject, expected: opts.expect?.lastSequence, resolve, reject })),
  } as unknown as JetStreamClient;
  return { js, calls };
}
const msg = (rev: number): EventMessage => buildEventMessage({ type: 'ADDED', key: `/registry/core/configmaps/default/c${rev}`, revision: rev, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${rev}` } } })!;
const ack = (seq: number): PubAck => ({ stream: 'KEELSON_EVENTS', seq, duplicate: false, domain: '' });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OrderedPublisher', () => {
  const setup = (maxInFlight: number) => {
    const { js, calls } = fakeJs();
    const acked: number[] = [];
    const failures: Error[] = [];
    const p = new OrderedPublisher(js, { maxInFlight, maxQueued: 100, lastSeq: 10, timeoutMs: 1000, tracer: trace.getTracer('t'), onAcked: (r) => acked.push(r), onFailed: (e) => failures.push(e) });
    return { p, calls, acked, failures };
  };

  test('sends in order, at most maxInFlight at a time, each expecting the previous sequence', async () => {
    const { p, calls } = setup(2);
    for (const r of [1, 2, 3, 4]) p.enqueue(msg(r));
    expect(calls.map((c) => c.expected)).toEqual([10, 11]);
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

  test('too far behind is a failure (the session re-watches)', () => {
    const { p, failures } = setup(1);
    for (let r = 1; r <= 102; r++) p.enqueue(msg(r));
    expect(failures).toHaveLength(1);
  });
});
