// Makes every change publishable, so that no single event can stall the relay (issue 9,
// defect 1). The relay publishes strictly in order, so an event the bus will not take — larger
// than the server's max_payload or the stream's max_msg_size, or refused by the server for good
// — used to end every session at the same message, forever: no later change reached any
// informer, and etcd compaction stayed pinned behind the relay. Such a change is published
// instead as a reference (the envelope without the object: key, name, namespace, uid,
// revision), which informers resolve with a GET; a reference the server still refuses is
// replaced by a RESYNC marker, on which every informer relists.
import { NatsError } from 'nats';
import {
  buildEventMessage, buildReferenceMessage, buildResyncMessage, EVENT_HEADER_ALLOWANCE_BYTES, EVENT_MAX_BYTES, isWrongLastSequence,
  type EventMessage, type ObjectChange,
} from '@keelson/bus';
import type { Logger } from '@keelson/telemetry';
import { isSecretChange } from './secret-events';

/** Refusals remembered across sessions (by message id); older ones are long published. */
const REMEMBERED_REFUSALS = 1024;

export interface EventFitOptions {
  /** The events stream's max_msg_size (default EVENT_MAX_BYTES). */
  maxEventBytes?: number;
  log: Logger;
}

export class EventFitter {
  /** msgId → how often the server refused it for good (1: send a reference; 2+: a RESYNC marker). */
  private readonly refused = new Map<string, number>();
  private limit = EVENT_MAX_BYTES;
  references = 0;

  constructor(private readonly opts: EventFitOptions) {}

  /** At each session start: the connected server's max_payload bounds every message. */
  setServerMaxPayload(maxPayload: number | undefined): void {
    const caps = [EVENT_MAX_BYTES, maxPayload ?? Infinity, this.opts.maxEventBytes ?? Infinity];
    this.limit = Math.min(...caps) - EVENT_HEADER_ALLOWANCE_BYTES;
  }

  /** The message to publish for a change: whole when it fits and was never refused, else reduced. */
  fit(change: ObjectChange): EventMessage | undefined {
    const whole = buildEventMessage(change);
    if (!whole) return undefined;
    const refusals = this.refused.get(whole.msgId) ?? 0;
    if (refusals >= 2) {
      this.opts.log.error('the bus refused even the reference to a change; publishing a RESYNC in its place', { key: change.key, revision: change.revision });
      return { ...buildResyncMessage(change.revision), msgId: `${whole.msgId}/RESYNC` };
    }
    if (isSecretChange(change.key)) return buildReferenceMessage(change, 0); // Secret values never travel on the bus (secret-events.ts)
    if (refusals === 0 && whole.data.length <= this.limit) return whole;
    this.references++;
    this.opts.log.warn('publishing a reference instead of the object', {
      key: change.key, revision: change.revision, bytes: whole.data.length, limitBytes: this.limit, refused: refusals > 0,
    });
    return buildReferenceMessage(change, refusals > 0 ? 0 : whole.data.length);
  }

  /**
   * Called with a session's first publish failure. A permanent refusal of one message (too
   * large, or any JetStream error about the message itself) makes the next session publish it
   * reduced; returns whether it was one.
   */
  noteFailure(err: Error, msg: EventMessage | undefined): boolean {
    if (!msg || !isPermanentRefusal(err)) return false;
    this.refused.set(msg.msgId, (this.refused.get(msg.msgId) ?? 0) + 1);
    if (this.refused.size > REMEMBERED_REFUSALS) this.refused.delete(this.refused.keys().next().value!);
    return true;
  }
}

/**
 * The server will never take this message as it is: over max_payload (the client refuses it
 * before sending), or a JetStream error about the message (400-class API error such as
 * "message size exceeds maximum allowed"), except a wrong expected last sequence, which only
 * says an earlier publish failed. Timeouts, disconnects and 503s are transient.
 */
export function isPermanentRefusal(err: Error): boolean {
  if (!(err instanceof NatsError)) return false;
  if (err.code === 'MAX_PAYLOAD_EXCEEDED') return true;
  if (isWrongLastSequence(err)) return false;
  const api = err.api_error;
  return api !== undefined && api.code >= 400 && api.code < 500;
}
