// The KEELSON_EVENTS stream: its configuration, and reading back the last event the relay
// stored (the relay's only record of progress, so it cannot disagree with the stream).
import { DiscardPolicy, NatsError, nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';
import { decodeEnvelope, type EventEnvelope } from './envelope';
import { EVENT_MAX_BYTES } from './limits';
import { ALL_EVENTS_SUBJECT, EVENTS_STREAM } from './subjects';

export interface EventsStreamLimits {
  /** Oldest event kept, in seconds (0 = no limit). */
  maxAgeSeconds: number;
  /** Bytes kept; the oldest events go first (-1 = no limit). */
  maxBytes: number;
  /** JetStream de-duplication window for `Nats-Msg-Id`, in seconds (≥ 120). */
  duplicateWindowSeconds: number;
  /**
   * The stream's max_msg_size (default EVENT_MAX_BYTES, room for any allowed object's event); the
   * relay publishes a larger event, or one over the server's max_payload, as a reference.
   */
  maxMsgBytes?: number;
  /** Copies of the stream in a JetStream cluster (1 on a single server; 3 in the HA compose stack). */
  replicas?: number;
}

export const DEFAULT_STREAM_LIMITS: EventsStreamLimits = { maxAgeSeconds: 24 * 3600, maxBytes: 1024 ** 3, duplicateWindowSeconds: 120, maxMsgBytes: EVENT_MAX_BYTES };

export function eventsStreamConfig(limits: EventsStreamLimits): Partial<StreamConfig> & { name: string } {
  const window = Math.max(120, limits.duplicateWindowSeconds);
  return {
    name: EVENTS_STREAM,
    subjects: [ALL_EVENTS_SUBJECT],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: limits.maxAgeSeconds > 0 ? nanos(limits.maxAgeSeconds * 1000) : 0,
    max_bytes: limits.maxBytes,
    // The window may not exceed max_age.
    duplicate_window: nanos((limits.maxAgeSeconds > 0 ? Math.min(window, limits.maxAgeSeconds) : window) * 1000),
    // Any allowed object's event fits (the server's max_payload is the same, see limits.ts).
    max_msg_size: limits.maxMsgBytes ?? EVENT_MAX_BYTES,
    num_replicas: Math.max(1, limits.replicas ?? 1),
  };
}

/** Creates the stream, or updates its limits when they differ from `limits`. */
export async function ensureEventsStream(jsm: JetStreamManager, limits: EventsStreamLimits): Promise<void> {
  const want = eventsStreamConfig(limits);
  let have: StreamConfig;
  try {
    have = (await jsm.streams.info(EVENTS_STREAM)).config;
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add(want);
    return;
  }
  if (have.max_age !== want.max_age || have.max_bytes !== want.max_bytes || have.duplicate_window !== want.duplicate_window || have.max_msg_size !== want.max_msg_size || have.num_replicas !== want.num_replicas ||
      have.subjects.join(',') !== ALL_EVENTS_SUBJECT) {
    await jsm.streams.update(EVENTS_STREAM, { ...have, ...want });
  }
}

export interface LastEvent {
  /** The stream's last sequence (0 when nothing was ever stored). */
  seq: number;
  /** The last stored envelope; undefined when the stream is empty (never written, or aged out). */
  envelope?: EventEnvelope;
}

export async function readLastEvent(jsm: JetStreamManager): Promise<LastEvent> {
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  if (state.messages === 0 || state.last_seq === 0) return { seq: state.last_seq };
  try {
    const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq: state.last_seq });
    return { seq: state.last_seq, envelope: decodeEnvelope(m.data) };
  } catch (e) {
    if (isNotFound(e)) return { seq: state.last_seq }; // aged out between the two calls
    throw e;
  }
}

/** JetStream "not found" (stream 10059, message 10037) or a plain 404. */
export function isNotFound(e: unknown): boolean {
  if (!(e instanceof NatsError)) return false;
  const api = e.api_error;
  return e.code === '404' || api?.code === 404 || api?.err_code === 10059 || api?.err_code === 10037;
}

/** The server refused a publish because `Nats-Expected-Last-Sequence` did not match (10071). */
export function isWrongLastSequence(e: unknown): boolean {
  return e instanceof NatsError && (e.api_error?.err_code === 10071 || /wrong last sequence/i.test(e.message));
}
