// The event envelope the relay publishes and informers consume.
import type { KubeObject } from '@keelson/api';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';

export interface EventEnvelope {
  type: EventType;
  /** The object after the change; for DELETED its last state. Absent on RESYNC. */
  object?: KubeObject;
  /** etcd revision of the change (= the object's resourceVersion); for RESYNC the revision the relay resumed at. */
  revision: number;
  /** The etcd key, e.g. `/registry/apps/deployments/default/web` (absent on RESYNC). */
  key?: string;
  /**
   * Set, with `object` absent, when the object could not travel on the bus (too large, or the
   * server refused the message): which object changed. Consumers GET it through the API (for
   * DELETED they use the state they hold), so one object can never stall the relay.
   */
  omitted?: OmittedObject;
}

/** The identity of an object left out of its event. */
export interface OmittedObject {
  name: string;
  namespace?: string;
  uid?: string;
  /** Bytes of the envelope that was not published whole (0 when the server refused it for another reason). */
  bytes: number;
}

/**
 * Objects travel on the bus without `metadata.managedFields`, and informers hold them without
 * (controller-runtime's TransformStripManagedFields): no controller reads them, a write without
 * them keeps the stored ones (the field manager's decodeLiveOrNew), and they were 37 % of a
 * running pod's bytes, parsed by every consumer of every event. `kubectl get
 * --show-managed-fields` and API watches read them from the gateway as before.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Header names on every event message. */
export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  revision: 'Keelson-Revision',
} as const;

/** JetStream de-duplication id: one etcd change is one message, however often it is replayed. */
export function messageId(revision: number, key: string): string {
  return `${revision}/${key}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEnvelope(e: EventEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(e));
}

export function decodeEnvelope(data: Uint8Array): EventEnvelope {
  const e = JSON.parse(decoder.decode(data)) as EventEnvelope;
  if (!e || typeof e.revision !== 'number' || !['ADDED', 'MODIFIED', 'DELETED', 'RESYNC'].includes(e.type)) {
    throw new Error('not a Keelson event envelope');
  }
  return e;
}
