// JetStream publishes with their acknowledgements on one subscription, as nats.go's PublishAsync
// does: each publish is a plain NATS publish whose reply subject is `<inbox>.<n>`, and the
// stream's ack (or its error) comes back on `<inbox>.*`, matched by n. nats.js's js.publish()
// instead makes a request per message — a request object in the mux map, a timer, a promise per
// step of an async function, the ack parsed through its API client — and that was the largest
// share of what the relay allocated per event (37 % of what outlived a young-generation GC, in
// a sampling heap profile at 1,000 events/s), hence of its GC pauses, its latency tail.
//
// A publish is answered exactly once: its ack (`{stream, seq, duplicate}`), the stream's error
// (`{error: {code, err_code, description}}`, as a NatsError carrying `api_error` like nats.js's
// own), "no responders" (no stream listens on the subject), a timeout, or the close of this
// object. Timeouts are checked a few times per timeout period against the oldest publishes.
import { ErrorCode, NatsError, createInbox, type ApiError, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { inboxPrefixOf } from '@keelson/bus';

/** The stream stored the message as `seq` (or refused it: `err`). */
export type AckCallback = (err: Error | undefined, seq: number) => void;

interface Pending {
  done: AckCallback;
  deadline: number;
}

interface PubAckBody {
  stream?: string;
  seq?: number;
  error?: ApiError;
}

const decoder = new TextDecoder();
const CLOSED = 'stream acks closed';

/** The answer of a publish still open when its StreamAcks closed (or sent after). */
export function isClosedAcks(err: Error): boolean {
  return err instanceof NatsError && err.code === ErrorCode.ConnectionClosed && err.message === CLOSED;
}

export class StreamAcks {
  private readonly inbox: string;
  private readonly sub: Subscription;
  /** In publish order (a Map iterates in insertion order): the oldest are checked for timeouts. */
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly nc: NatsConnection, private readonly timeoutMs: number) {
    this.inbox = `${createInbox(inboxPrefixOf(nc))}.`;
    this.sub = nc.subscribe(`${this.inbox}*`, { callback: (err, m) => this.onReply(err, m) });
    this.timer = setInterval(() => this.expire(), Math.max(20, Math.min(1000, timeoutMs / 4)));
    this.timer.unref();
  }

  /** Publishes `data` to `subject` with `headers` (message id and expectations already in them). */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, done: AckCallback): void {
    if (this.closed) return done(new NatsError(CLOSED, ErrorCode.ConnectionClosed), 0);
    const token = this.next++;
    this.pending.set(token, { done, deadline: performance.now() + this.timeoutMs });
    try {
      this.nc.publish(subject, data, { reply: this.inbox + token, headers });
    } catch (err) {
      this.pending.delete(token);
      done(err instanceof Error ? err : new Error(String(err)), 0);
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Answers every open publish with an error and stops listening. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.sub.unsubscribe();
    this.failAll(new NatsError(CLOSED, ErrorCode.ConnectionClosed));
  }

  private onReply(err: NatsError | null, m: Msg): void {
    // A subscription error (a permissions violation on the inbox): no ack can come any more.
    if (err) return this.failAll(err);
    const token = Number(m.subject.slice(this.inbox.length));
    const p = this.pending.get(token);
    if (!p) return; // answered already (timed out)
    this.pending.delete(token);
    if (m.data.length === 0 && m.headers?.code === 503) return p.done(NatsError.errorForCode(ErrorCode.NoResponders), 0);
    let body: PubAckBody;
    try {
      body = JSON.parse(decoder.decode(m.data)) as PubAckBody;
    } catch (e) {
      return p.done(new NatsError(`unreadable JetStream ack: ${String(e)}`, ErrorCode.JetStreamInvalidAck), 0);
    }
    if (body.error) {
      const apiErr = new NatsError(body.error.description, String(body.error.code));
      apiErr.api_error = body.error;
      return p.done(apiErr, 0);
    }
    if (!body.stream || typeof body.seq !== 'number') return p.done(NatsError.errorForCode(ErrorCode.JetStreamInvalidAck), 0);
    p.done(undefined, body.seq);
  }

  private expire(): void {
    const now = performance.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) break;
      this.pending.delete(token);
      p.done(NatsError.errorForCode(ErrorCode.Timeout), 0);
    }
  }

  private failAll(err: Error): void {
    const open = [...this.pending.values()];
    this.pending.clear();
    for (const p of open) p.done(err, 0);
  }
}
