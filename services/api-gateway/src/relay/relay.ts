// The relay (leader only): etcd watch of /registry/ → JetStream stream KEELSON_EVENTS.
// A session reads where the stream ends, watches etcd from there and publishes in order;
// any failure ends the session and the next one starts again from the stream, so nothing is
// skipped (at-least-once; Nats-Msg-Id drops replays inside the duplicate window).
import type { Etcd3 } from 'etcd3';
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Tracer } from '@opentelemetry/api';
import {
  buildResyncMessage, connectBus, ensureEventsStream, readLastEvent, REGISTRY_PREFIX,
  type BusConfig, type EventMessage, type EventsStreamLimits,
} from '@keelson/bus';
import type { Logger } from '@keelson/telemetry';
import { toObjectChange } from './change';
import { openEtcdWatch, prefixEnd, type EtcdWatch, type WatchEvent } from '@keelson/storage';
import { EventFitter } from './event-fit';
import { OrderedPublisher, toMsgHdrs, type PublishLatencyObserver } from './ordered-publisher';
import { StreamAcks } from './stream-acks';

export interface RelayOptions {
  /** A client of the relay's own (its watch must not share fate with the watch caches'). */
  client: Etcd3;
  bus: BusConfig;
  limits: EventsStreamLimits;
  maxInFlight: number;
  maxQueued: number;
  publishTimeoutMs: number;
  tracer: Tracer;
  log: Logger;
  onPublished?: PublishLatencyObserver;
}

export interface RelayStatus {
  leading: boolean;
  /** Highest revision known to be in the stream (with everything before it); undefined when not leading. */
  ackedRevision?: number;
  /** Messages this replica got acknowledged. */
  published: number;
  sessions: number;
  resyncs: number;
  /** Changes published as a reference, without their object (too large for the bus, or refused). */
  references: number;
}

/** Where a session starts: watch etcd from `from`; the stream's last sequence is `seq`, holding every revision up to `acked`. */
interface ResumePoint {
  from: number;
  seq: number;
  acked: number;
  /** Resuming inside a multi-key revision: its changes up to this key are in the stream already. */
  skipThrough?: { revision: number; key: string };
}

const COMPACTED = 'required revision has been compacted';
const BACKOFF_MS = [100, 250, 500, 1000, 2000];

export class EventRelay {
  private readonly stats: RelayStatus = { leading: false, published: 0, sessions: 0, resyncs: 0, references: 0 };
  private readonly fitter: EventFitter;

  constructor(private readonly opts: RelayOptions) {
    this.fitter = new EventFitter({ maxEventBytes: opts.limits.maxMsgBytes, log: opts.log });
  }

  status(): RelayStatus {
    return { ...this.stats, references: this.fitter.references };
  }

  /** Relays until `signal` aborts (leadership lost or gateway stopping); returns promptly then. */
  async lead(signal: AbortSignal): Promise<void> {
    this.stats.leading = true;
    let nc: NatsConnection | undefined;
    let attempt = 0;
    try {
      while (!signal.aborted) {
        try {
          nc ??= await connectBus(this.opts.bus, 'api-gateway-relay');
          await this.session(nc, signal);
          attempt = 0;
        } catch (err) {
          if (signal.aborted) break;
          const delay = BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)];
          this.opts.log.warn('relay session ended; restarting from the stream', { err: String(err), retryInMs: delay });
          await sleep(delay, signal);
        }
      }
    } finally {
      this.stats.leading = false;
      this.stats.ackedRevision = undefined;
      await nc?.close().catch(() => undefined);
    }
  }

  // One pass: resume point from the stream, then watch and publish until something fails.
  private async session(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    this.stats.sessions++;
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await ensureEventsStream(jsm, this.opts.limits);
    this.fitter.setServerMaxPayload(nc.info?.max_payload);
    const start = await this.resumePoint(jsm, js, signal);
    this.stats.ackedRevision = start.acked;
    if (signal.aborted) return;
    this.opts.log.info('relay resuming', { fromRevision: start.from, streamSeq: start.seq });

    const acks = new StreamAcks(nc, this.opts.publishTimeoutMs);
    try {
      await this.watchAndPublish(acks, start, signal);
    } finally {
      acks.close(); // the session's end waited (up to 1 s) for publishes in flight to be acknowledged
    }
  }

  private watchAndPublish(acks: StreamAcks, start: ResumePoint, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let watch: EtcdWatch | undefined;
      let ended = false;
      const end = (err?: Error): void => {
        if (ended) return;
        ended = true;
        publisher.close();
        signal.removeEventListener('abort', onAbort);
        watch?.cancel(); // closing the stream drops the watch in etcd
        watch = undefined;
        // Publishes still in flight get a moment to be acknowledged before the acks close.
        void publisher.settled(1000).then(() => (err ? reject(err) : resolve()));
      };
      const onAbort = (): void => end();
      signal.addEventListener('abort', onAbort, { once: true });

      const publisher = new OrderedPublisher(acks, {
        maxInFlight: this.opts.maxInFlight,
        maxQueued: this.opts.maxQueued,
        lastSeq: start.seq,
        tracer: this.opts.tracer,
        onPublished: this.opts.onPublished,
        onAcked: (revision, count) => {
          this.stats.ackedRevision = revision;
          this.stats.published += count;
        },
        onFailed: (err, msg) => {
          // Refused for good: the next session publishes that change reduced, so it cannot stall the relay.
          if (this.fitter.noteFailure(err, msg)) this.opts.log.warn('the bus refused an event; it goes out reduced next', { msgId: msg?.msgId, err: err.message });
          end(new Error(`publish failed: ${err.message}`));
        },
      });
      let skipping = start.skipThrough;
      const onEvents = (events: WatchEvent[]): void => {
        if (ended) return;
        for (const ev of events) {
          const key = ev.kv.key.toString();
          // Resuming inside a revision (a multi-key txn): drop what the stream already has.
          if (skipping) {
            if (ev.kv.mod_revision === skipping.revision) {
              if (key === skipping.key) skipping = undefined;
              continue;
            }
            skipping = undefined;
          }
          let msg: EventMessage | undefined;
          try {
            msg = this.fitter.fit(toObjectChange(ev));
          } catch (err) {
            this.opts.log.error('skipping an undecodable etcd value', { key, revision: ev.kv.mod_revision, err: String(err) });
          }
          if (!msg) continue;
          publisher.enqueue(msg);
        }
      };
      if (signal.aborted) return end();
      // Any end of the watch (etcd cancelled it, compaction, the stream failed or closed) ends the
      // session: the next one resumes from the stream, never from a revision etcd3 would guess.
      openEtcdWatch(this.opts.client, Buffer.from(REGISTRY_PREFIX), prefixEnd(REGISTRY_PREFIX), start.from, {
        onEvents,
        onEnd: (err) => end(new Error(`etcd watch ended: ${err.message}`)),
      }).then(
        (w) => {
          if (ended) w.cancel();
          else watch = w;
        },
        (err: unknown) => end(new Error(`etcd watch failed to open: ${String(err)}`)),
      );
    });
  }

  /**
   * Where to watch from: after the stream's last event; or, when the stream is empty or etcd
   * compacted past that point, a RESYNC at the current revision and on from there.
   */
  private async resumePoint(jsm: JetStreamManager, js: JetStreamClient, signal: AbortSignal): Promise<ResumePoint> {
    const last = await readLastEvent(jsm);
    const current = await this.currentRevision();
    const env = last.envelope;
    if (env) {
      // Watch from the last revision itself when it was a key's change: a txn may have changed more keys in it.
      const from = env.key ? env.revision : env.revision + 1;
      if (from > current || !(await this.compacted(from))) {
        return { from, seq: last.seq, acked: env.revision, skipThrough: env.key ? { revision: env.revision, key: env.key } : undefined };
      }
      this.opts.log.warn('etcd compacted past the relay resume point; publishing RESYNC', { resumeRevision: from, currentRevision: current });
    } else {
      this.opts.log.info('events stream is empty; publishing RESYNC to mark where it starts', { currentRevision: current });
    }
    if (signal.aborted) throw new Error('leadership lost before the RESYNC');
    const msg = buildResyncMessage(current);
    const ack = await js.publish(msg.subject, msg.data, { msgID: msg.msgId, headers: toMsgHdrs(msg), timeout: this.opts.publishTimeoutMs, expect: { lastSequence: last.seq } });
    this.stats.resyncs++;
    return { from: current + 1, seq: ack.seq, acked: current };
  }

  private async currentRevision(): Promise<number> {
    const res = await this.opts.client.kv.range({ key: Buffer.from(REGISTRY_PREFIX), limit: 1, keys_only: true });
    return Number(res.header.revision);
  }

  private async compacted(revision: number): Promise<boolean> {
    try {
      await this.opts.client.kv.range({ key: Buffer.from(REGISTRY_PREFIX), range_end: prefixEnd(REGISTRY_PREFIX), revision, limit: 1, keys_only: true });
      return false;
    } catch (e) {
      if (e instanceof Error && e.message.includes(COMPACTED)) return true;
      throw e;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
