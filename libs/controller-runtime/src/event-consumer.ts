// An ordered, ephemeral JetStream push consumer we control fully (the nats.js ordered
// consumer leaves timers running after close across server restarts). It delivers messages
// of one subject filter in stream order and calls `onReset` whenever it had to recreate the
// consumer — a delivery-sequence gap, a reconnect, missed heartbeats — unless the new consumer
// could resume right after the last message seen (the stream still holds it): then `onResumed`.
import { AckPolicy, DeliverPolicy, createInbox, nanos, type ConsumerConfig, type JetStreamManager, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { inboxPrefixOf } from '@keelson/bus';
import type { Logger } from '@keelson/telemetry';

export interface StreamMessage {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  streamSeq: number;
  /** When the stream stored it (ms since epoch). */
  timestampMs: number;
}

export interface EventConsumerOptions {
  nats: NatsConnection;
  stream: string;
  filter: string;
  onMessage(m: StreamMessage): void;
  /** The consumer was recreated and events may have been missed: the owner must relist. */
  onReset(reason: string): void;
  /** The consumer was recreated right after the last message seen: nothing was missed. */
  onResumed?(reason: string, fromSeq: number): void;
  logger: Logger;
  /** Server heartbeat on an idle consumer; three missed ones recreate it. Default 2000 ms. */
  heartbeatMs?: number;
}

export class EventConsumer {
  private jsm?: JetStreamManager;
  private sub?: Subscription;
  private consumerName?: string;
  private gen = 0;
  private dseq = 0;
  private sseq = 0;
  private lastSeen = Date.now();
  private resetting?: Promise<void>;
  private stopped = false;
  private watchdog?: NodeJS.Timeout;
  private statusIter?: AsyncIterable<{ type: string }> & { stop?: () => void };
  private readonly hbMs: number;

  constructor(private readonly opts: EventConsumerOptions) {
    this.hbMs = opts.heartbeatMs ?? 2000;
  }

  /** Creates the consumer (delivering only messages stored from now on); throws if the stream is missing. */
  async start(): Promise<void> {
    this.jsm ??= await this.opts.nats.jetstreamManager();
    await this.create();
    this.watchConnection();
    this.watchdog = setInterval(() => {
      if (!this.opts.nats.isClosed() && Date.now() - this.lastSeen > 3 * this.hbMs) this.reset('heartbeats-missed');
    }, this.hbMs);
  }

  /** The server-made name of the current consumer (diagnostics). */
  get name(): string | undefined {
    return this.consumerName;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.statusIter?.stop?.();
    await this.resetting;
    // No delete: services may not delete consumers (NATS permissions cannot tell whose a
    // consumer is); without a subscriber the server drops it after `inactive_threshold`.
    this.sub?.unsubscribe();
  }

  /**
   * Recreates the consumer after the last message seen. When the stream still holds that next
   * message, nothing was missed: the new consumer delivers from there and the owner keeps its
   * state (`onResumed`). Only when it cannot tell (nothing seen yet) or the stream no longer
   * holds it (the head moved past it, the stream was recreated) must the owner relist (`onReset`)
   * — so a NATS server lost does not make every informer connected to it relist at once.
   */
  reset(reason: string): void {
    if (this.stopped || this.resetting) return;
    this.resetting = (async () => {
      let delay = 100;
      const from = this.sseq ? this.sseq + 1 : undefined;
      while (!this.stopped) {
        try {
          await this.create(from);
          break;
        } catch (err) {
          this.opts.logger.warn('cannot recreate the event consumer; retrying', { reason, err, delayMs: delay });
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
      if (this.stopped) return;
      // Checked after the consumer exists: the head only moves forward, so if the stream holds
      // `from` now, the consumer started at `from`.
      if (from !== undefined && (await this.streamHolds(from))) this.opts.onResumed?.(reason, from);
      else this.opts.onReset(reason);
    })().finally(() => (this.resetting = undefined));
  }

  /** Whether stream sequence `seq` is still stored (or is the next to be stored). Unknown: false. */
  private async streamHolds(seq: number): Promise<boolean> {
    try {
      const { state } = await this.jsm!.streams.info(this.opts.stream);
      return state.first_seq <= seq && seq <= state.last_seq + 1;
    } catch (err) {
      this.opts.logger.warn('cannot read the events stream state; relisting to be safe', { err });
      return false;
    }
  }

  private async create(startSeq?: number): Promise<void> {
    const gen = ++this.gen;
    const inbox = createInbox(inboxPrefixOf(this.opts.nats)); // under the prefix this user may subscribe to
    // Subscribe before the consumer exists, so its first push cannot arrive unheard.
    const sub = this.opts.nats.subscribe(inbox, { callback: (_err, m) => this.onPush(gen, m) });
    const cfg: Partial<ConsumerConfig> = {
      deliver_subject: inbox,
      filter_subject: this.opts.filter,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      idle_heartbeat: nanos(this.hbMs),
      inactive_threshold: nanos(30_000),
      ...(startSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.New }),
    };
    let name: string;
    try {
      name = (await this.jsm!.consumers.add(this.opts.stream, cfg)).name;
    } catch (err) {
      sub.unsubscribe();
      throw err;
    }
    const oldSub = this.sub;
    this.sub = sub;
    this.consumerName = name;
    this.dseq = 0;
    this.lastSeen = Date.now();
    oldSub?.unsubscribe(); // the old consumer expires (inactive_threshold) once nobody listens
  }

  private onPush(gen: number, m: Msg): void {
    if (gen !== this.gen || this.stopped) return; // a replaced consumer's late message
    this.lastSeen = Date.now();
    if (m.headers?.code === 100) {
      // Idle heartbeat: it names the last delivery sequence; beyond ours means we lost some.
      const last = Number(m.headers.get('Nats-Last-Consumer') || 0);
      if (last > this.dseq) this.reset('sequence-gap');
      return;
    }
    const ack = parseAckSubject(m.reply);
    if (!ack) return;
    if (ack.dseq !== this.dseq + 1) return this.reset('sequence-gap');
    this.dseq = ack.dseq;
    this.sseq = ack.sseq;
    this.opts.onMessage({ subject: m.subject, data: m.data, headers: m.headers, streamSeq: ack.sseq, timestampMs: ack.tsNanos / 1e6 });
  }

  private watchConnection(): void {
    const iter = this.opts.nats.status() as AsyncIterable<{ type: string }> & { stop?: () => void };
    this.statusIter = iter;
    void (async () => {
      for await (const s of iter) {
        if (this.stopped) return;
        // The server may have lost our (memory) consumer or messages while we were away.
        if (s.type === 'reconnect') this.reset('reconnect');
      }
    })();
  }
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (optionally with domain and account hash). */
function parseAckSubject(reply: string | undefined): { sseq: number; dseq: number; tsNanos: number } | undefined {
  if (!reply?.startsWith('$JS.ACK.')) return undefined;
  const t = reply.split('.');
  const off = t.length === 9 ? 2 : t.length >= 11 ? 4 : -1;
  if (off < 0) return undefined;
  return { sseq: Number(t[off + 3]), dseq: Number(t[off + 4]), tsNanos: Number(t[off + 5]) };
}
