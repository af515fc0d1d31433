// Builds what the relay publishes for one etcd change: subject, envelope bytes, headers and
// de-duplication id. Pure, so the mapping is unit-tested without NATS or etcd.
import { TRACEPARENT_ANNOTATION, type KubeObject } from '@keelson/api';
import { encodeEnvelope, HEADERS, messageId, type EventEnvelope, type OmittedObject } from './envelope';
import { parseRegistryKey, subjectForKey } from './registry-key';
import { RESYNC_SUBJECT } from './subjects';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObjectChange {
  type: ChangeType;
  key: string;
  /** The change's etcd revision (mod_revision of a put, the delete's revision). */
  revision: number;
  /** The object after the change; for DELETED its last state with resourceVersion = the delete's revision. */
  object: KubeObject;
}

export interface EventMessage {
  subject: string;
  data: Uint8Array;
  /** `Nats-Msg-Id`: passed as the publish's msgID. */
  msgId: string;
  /** Everything else: `Keelson-Revision`, and `traceparent`/`tracestate` when the object carries one. */
  headers: Record<string, string>;
  revision: number;
}

/** The message for one object change; undefined when the key is not an object key (nothing to publish). */
export function buildEventMessage(change: ObjectChange): EventMessage | undefined {
  const subject = subjectForKey(change.key);
  if (!subject) return undefined;
  const envelope: EventEnvelope = { type: change.type, object: change.object, revision: change.revision, key: change.key };
  const headers: Record<string, string> = { [HEADERS.revision]: String(change.revision) };
  const annotations = change.object.metadata?.annotations;
  const traceparent = annotations?.[TRACEPARENT_ANNOTATION];
  if (traceparent) headers[HEADERS.traceparent] = traceparent;
  const tracestate = annotations?.[TRACESTATE_ANNOTATION];
  if (traceparent && tracestate) headers[HEADERS.tracestate] = tracestate;
  return { subject, data: encodeEnvelope(envelope), msgId: messageId(change.revision, change.key), headers, revision: change.revision };
}

/**
 * The reduced form of a change whose whole event cannot be published (larger than the bus
 * carries, or refused by the server): same subject, revision, key, headers and de-duplication
 * id, but no object — only its identity, which informers resolve with a GET (or, for DELETED,
 * from their cache). `bytes` is the size of the envelope that was left out.
 */
export function buildReferenceMessage(change: ObjectChange, bytes: number): EventMessage | undefined {
  const whole = buildEventMessage(change);
  const k = parseRegistryKey(change.key);
  if (!whole || !k) return undefined;
  const meta = change.object.metadata ?? {};
  const omitted: OmittedObject = { name: k.name, bytes };
  if (k.namespace) omitted.namespace = k.namespace;
  if (typeof meta.uid === 'string') omitted.uid = meta.uid;
  const envelope: EventEnvelope = { type: change.type, revision: change.revision, key: change.key, omitted };
  return { ...whole, data: encodeEnvelope(envelope) };
}

/** Optional companion of `keelson.dev/traceparent`, copied to the `tracestate` header when present. */
export const TRACESTATE_ANNOTATION = 'keelson.dev/tracestate';

/** The RESYNC marker: consumers relist; the relay continues after `revision`. */
export function buildResyncMessage(revision: number): EventMessage {
  return {
    subject: RESYNC_SUBJECT,
    data: encodeEnvelope({ type: 'RESYNC', revision }),
    msgId: `${revision}/RESYNC`,
    headers: { [HEADERS.revision]: String(revision) },
    revision,
  };
}
