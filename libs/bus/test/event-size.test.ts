// Issue 9, defect 1: any object the API may store travels whole; anything that still does not
// fit goes out as a reference with everything an informer needs to fetch it.
import type { KubeObject } from '@keelson/api';
import { natsServerConfig } from '@keelson/local';
import {
  buildEventMessage, buildReferenceMessage, decodeEnvelope, DEFAULT_STREAM_LIMITS, EVENT_HEADER_ALLOWANCE_BYTES, EVENT_MAX_BYTES,
  eventsStreamConfig, HEADERS, MAX_OBJECT_BYTES,
} from '../src';

const KEY = '/registry/core/configmaps/default/big';
const big = (bytes: number): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'big', namespace: 'default', uid: 'u-1', resourceVersion: '7', annotations: { note: 'n'.repeat(60_000) } },
  data: { payload: 'a'.repeat(bytes) },
});

test('the event of an object at the storage limit fits the bus, headers included', () => {
  const m = buildEventMessage({ type: 'DELETED', key: KEY, revision: 7, object: big(MAX_OBJECT_BYTES - 61_000) })!;
  expect(m.data.length).toBeGreaterThan(MAX_OBJECT_BYTES - 1000);
  expect(m.data.length + EVENT_HEADER_ALLOWANCE_BYTES).toBeLessThanOrEqual(EVENT_MAX_BYTES);
});

test('nats-server (npm start, compose) and the events stream allow EVENT_MAX_BYTES; NATS\' 1 MiB default did not', () => {
  const conf = natsServerConfig({ file: '/dev/null', users: { 'api-gateway': { user: 'api-gateway', password: 'p' } } });
  expect(conf).toMatch(new RegExp(`^max_payload: ${EVENT_MAX_BYTES}$`, 'm'));
  expect(eventsStreamConfig(DEFAULT_STREAM_LIMITS).max_msg_size).toBe(EVENT_MAX_BYTES);
  expect(eventsStreamConfig({ ...DEFAULT_STREAM_LIMITS, maxMsgBytes: 65_536 }).max_msg_size).toBe(65_536);
  expect(EVENT_MAX_BYTES).toBeGreaterThan(1024 * 1024);
});

test('a reference keeps subject, revision, key, id and headers, names the object and carries no object', () => {
  const change = { type: 'MODIFIED' as const, key: KEY, revision: 7, object: big(1_000_000) };
  const whole = buildEventMessage(change)!;
  const ref = buildReferenceMessage(change, whole.data.length)!;
  expect(ref.subject).toBe(whole.subject);
  expect(ref.msgId).toBe(whole.msgId);
  expect(ref.headers).toEqual({ [HEADERS.revision]: '7' });
  expect(ref.data.length).toBeLessThan(1000);
  expect(decodeEnvelope(ref.data)).toEqual({
    type: 'MODIFIED', revision: 7, key: KEY, omitted: { name: 'big', namespace: 'default', uid: 'u-1', bytes: whole.data.length },
  });
  const cluster = buildReferenceMessage({ type: 'DELETED', key: '/registry/core/namespaces/ns1', revision: 9, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } } }, 0)!;
  expect(decodeEnvelope(cluster.data)).toEqual({ type: 'DELETED', revision: 9, key: '/registry/core/namespaces/ns1', omitted: { name: 'ns1', bytes: 0 } });
});
