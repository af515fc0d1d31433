// Issue 9, defect 1: the relay can never block on one event. An event over the bus' limit goes
// out as a reference; one the server refuses for good goes out as a reference next session, and
// a refused reference as a RESYNC marker; transient failures change nothing.
import { ErrorCode, NatsError } from 'nats';
import type { KubeObject } from '@keelson/api';
import { decodeEnvelope, RESYNC_SUBJECT, type ObjectChange } from '@keelson/bus';
import { createLogger } from '@keelson/telemetry';
import { EventFitter, isPermanentRefusal } from '../src/relay/event-fit';

const quiet = createLogger('test', { write: () => undefined });
const change = (bytes: number, revision = 5): ObjectChange => ({
  type: 'MODIFIED', key: '/registry/core/configmaps/default/cm', revision,
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', uid: 'u' }, data: { p: 'x'.repeat(bytes) } } as KubeObject,
});
const jsError = (code: number, errCode: number, description: string): NatsError => {
  const e = new NatsError(description, ErrorCode.JetStreamInvalidAck);
  e.api_error = { code, err_code: errCode, description };
  return e;
};

test('events within the server\'s max_payload go whole; larger ones as references', () => {
  const fit = new EventFitter({ log: quiet });
  fit.setServerMaxPayload(64 * 1024);
  expect(decodeEnvelope(fit.fit(change(10_000))!.data).object).toBeDefined();
  const ref = decodeEnvelope(fit.fit(change(100_000))!.data);
  expect(ref.object).toBeUndefined();
  expect(ref.omitted).toMatchObject({ name: 'cm', namespace: 'default', uid: 'u' });
  expect(fit.references).toBe(1);
});

test('the stream\'s max message size bounds events too', () => {
  const fit = new EventFitter({ maxEventBytes: 32 * 1024, log: quiet });
  fit.setServerMaxPayload(4 * 1024 * 1024);
  expect(decodeEnvelope(fit.fit(change(40_000))!.data).omitted).toBeDefined();
});

test('a permanent refusal makes the next attempt a reference, then a RESYNC marker; never the same message again', () => {
  const fit = new EventFitter({ log: quiet });
  fit.setServerMaxPayload(4 * 1024 * 1024);
  const first = fit.fit(change(10))!;
  expect(fit.noteFailure(NatsError.errorForCode(ErrorCode.MaxPayloadExceeded), first)).toBe(true);
  const second = fit.fit(change(10))!;
  expect(decodeEnvelope(second.data)).toMatchObject({ type: 'MODIFIED', revision: 5, omitted: { name: 'cm', bytes: 0 } });
  expect(second.msgId).toBe(first.msgId);
  expect(fit.noteFailure(jsError(400, 10054, 'message size exceeds maximum allowed'), second)).toBe(true);
  const third = fit.fit(change(10))!;
  expect(third.subject).toBe(RESYNC_SUBJECT);
  expect(decodeEnvelope(third.data)).toEqual({ type: 'RESYNC', revision: 5 });
  // Other changes are unaffected.
  expect(decodeEnvelope(fit.fit(change(10, 6))!.data).object).toBeDefined();
});

test('transient failures and knock-on refusals are not held against the message', () => {
  const fit = new EventFitter({ log: quiet });
  const m = fit.fit(change(10))!;
  expect(fit.noteFailure(jsError(400, 10071, 'wrong last sequence: 7'), m)).toBe(false);
  expect(fit.noteFailure(NatsError.errorForCode(ErrorCode.Timeout), m)).toBe(false);
  expect(fit.noteFailure(jsError(503, 10008, 'JetStream system temporarily unavailable'), m)).toBe(false);
  expect(fit.noteFailure(new Error('connection closed'), m)).toBe(false);
  expect(fit.noteFailure(NatsError.errorForCode(ErrorCode.MaxPayloadExceeded), undefined)).toBe(false);
  expect(decodeEnvelope(fit.fit(change(10))!.data).object).toBeDefined();
  expect(isPermanentRefusal(jsError(400, 10054, 'message size exceeds maximum allowed'))).toBe(true);
});
