// Publishes event messages to JetStream strictly in the order given, with a bounded window of
// unacknowledged publishes. Every publish carries `Nats-Expected-Last-Sequence`, so the server
// stores only an unbroken prefix of that order: once one publish fails, every later one is
// refused too, and the stream's last message is always a safe point to resume after.
import type { MsgHdrs } from 'nats';
import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { HEADERS, type EventMessage } from '@keelson/bus';
import { backgroundContext, contextFromTraceparent, traceHeadersOf } from '@keelson/telemetry';
import { isClosedAcks, type AckCallback } from './stream-acks';
import { WireHeaders } from './wire-headers';

/** Where messages go: a publish to the stream, answered once (StreamAcks in the relay). */
export interface AckedPublish {
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, done: AckCallback): void;
}

/** JetStream's publish headers: deduplication within the stream's window, and the order check. */
const MSG_ID = 'Nats-Msg-Id';
const EXPECTED_LAST_SEQ = 'Nats-Expected-Last-Sequence';

/** One publish settled `seconds` after it was sent: acknowledged (`ok`) or refused/timed out. */
export type PublishLatencyObserver = (subject: string, seconds: number, ok: boolean) => void;

export interface OrderedPublisherOptions {
  maxInFlight: number;
  /** Messages waiting to be sent beyond which the relay gives up this session (it is too far behind). */
  maxQueued: number;
  /** The stream's last sequence before the first publish. */
  lastSeq: number;
  tracer: Tracer;
  /** Every message up to and including this revision is confirmed stored (`count` more since the last call). */
  onAcked(revision: number, count: number): void;
  /** First failure; nothing more is sent afterwards. `msg` is the message whose publish failed, when one did. */
  onFailed(err: Error, msg?: EventMessage): void;
  onPublished?: PublishLatencyObserver;
}

interface Sent {
  msg: EventMessage;
  seq?: number;
  span: Span;
}

export class OrderedPublisher {
  private queue: (EventMessage | undefined)[] = [];
  private head = 0;
  private readonly sent: Sent[] = [];
  private inFlight = 0;
  private lastSeq: number;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly target: AckedPublish, private readonly opts: OrderedPublisherOptions) {
    this.lastSeq = opts.lastSeq;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  get pending(): number {
    return this.queued + this.inFlight;
  }

  enqueue(msg: EventMessage): void {
    if (this.failure || this.closed) return;
    this.queue.push(msg);
    if (this.queued > this.opts.maxQueued) return this.fail(new Error(`relay is ${this.queued} events behind; re-watching from the stream`));
    this.pump();
  }

  /** Sends nothing more; in-flight publishes still settle. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once nothing is in flight, or after `maxMs`. */
  async settled(maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (this.inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  private pump(): void {
    while (!this.failure && !this.closed && this.inFlight < this.opts.maxInFlight && this.head < this.queue.length) {
      const msg = this.queue[this.head];
      // Let go of a taken message now: a queue that kept its sent prefix until the next
      // compaction held ~4,000 messages (seconds of events at 1,000/s), and every young-generation
      // GC copied them once more and promoted them; the pauses (5–20 ms) were the relay's latency tail.
      this.queue[this.head++] = undefined;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.send(msg!);
    }
  }

  private send(msg: EventMessage): void {
    // The write's trace (the object's keelson.dev/traceparent); a change nobody traced (the
    // gateway's own writes) is background, not a root trace of its own.
    const tp = msg.headers[HEADERS.traceparent];
    const parent = tp ? contextFromTraceparent(tp, msg.headers[HEADERS.tracestate]) : backgroundContext();
    // No sampler here reads attributes, so they are set only on a span that records (most of
    // the relay's changes are background, dropped: the object would be garbage at once).
    const span = this.opts.tracer.startSpan(`publish ${msg.subject}`, { kind: SpanKind.PRODUCER }, parent);
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'nats', 'messaging.operation.type': 'publish', 'messaging.operation.name': 'publish',
        'messaging.destination.name': msg.subject, 'messaging.message.id': msg.msgId, 'keelson.revision': msg.revision,
      });
    }
    // Consumers continue the publish span (messaging conventions), so each reconcile hangs under it.
    const propagated: Record<string, string | undefined> = traceHeadersOf(trace.setSpan(parent, span));
    const wire = new WireHeaders();
    for (const k in msg.headers) if (propagated[k] === undefined) wire.set(k, msg.headers[k]);
    for (const k in propagated) if (propagated[k] !== undefined) wire.set(k, propagated[k]);
    const entry: Sent = { msg, span };
    const sentAt = performance.now();
    this.sent.push(entry);
    this.inFlight++;
    const expected = this.lastSeq++;
    wire.set(MSG_ID, msg.msgId);
    wire.set(EXPECTED_LAST_SEQ, String(expected));
    this.target.publish(msg.subject, msg.data, wire.asMsgHdrs(), (err, seq) => {
      this.inFlight--;
      // Cut off by the session's own end (its acks closed): not the bus's failure.
      if (err && this.closed && isClosedAcks(err)) return span.end();
      this.opts.onPublished?.(msg.subject, (performance.now() - sentAt) / 1000, !err);
      if (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        span.end();
        return this.fail(err, msg);
      }
      entry.seq = seq;
      span.end();
      this.advance();
      this.pump();
    });
  }

  // Progress moves only over a prefix of confirmed publishes.
  private advance(): void {
    let last: Sent | undefined;
    let count = 0;
    while (this.sent.length && this.sent[0].seq !== undefined) {
      last = this.sent.shift();
      count++;
    }
    if (last) this.opts.onAcked(last.msg.revision, count);
  }

  private fail(err: Error, msg?: EventMessage): void {
    if (this.failure) return;
    this.failure = err;
    this.opts.onFailed(err, msg);
  }
}

export function toMsgHdrs(msg: EventMessage): MsgHdrs {
  return new WireHeaders(msg.headers).asMsgHdrs();
}
