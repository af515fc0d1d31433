import { TRACEPARENT_ANNOTATION, type KubeObject } from '@keelson/api';
import { buildEventMessage, buildResyncMessage, decodeEnvelope, HEADERS, RESYNC_SUBJECT, TRACESTATE_ANNOTATION } from '../src';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const cm = (annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', resourceVersion: '42', annotations }, data: { a: '1' },
});

describe('event messages', () => {
  test('envelope {type, object, revision, key}, msg id <revision>/<key>, revision and traceparent headers', () => {
    const key = '/registry/core/configmaps/default/cm';
    const m = buildEventMessage({ type: 'MODIFIED', key, revision: 42, object: cm({ [TRACEPARENT_ANNOTATION]: TP }) })!;
    expect(m.subject).toBe('keelson.events.core.configmaps.default');
    expect(m.msgId).toBe(`42/${key}`);
    expect(m.headers).toEqual({ [HEADERS.revision]: '42', [HEADERS.traceparent]: TP });
    const env = decodeEnvelope(m.data);
    expect(env).toEqual({ type: 'MODIFIED', key, revision: 42, object: cm({ [TRACEPARENT_ANNOTATION]: TP }) });
  });

  test('tracestate only travels with a traceparent; no annotation, no trace headers', () => {
    const key = '/registry/core/configmaps/default/cm';
    expect(buildEventMessage({ type: 'ADDED', key, revision: 1, object: cm() })!.headers).toEqual({ [HEADERS.revision]: '1' });
    const withState = buildEventMessage({ type: 'ADDED', key, revision: 1, object: cm({ [TRACEPARENT_ANNOTATION]: TP, [TRACESTATE_ANNOTATION]: 'k=v' }) })!;
    expect(withState.headers[HEADERS.tracestate]).toBe('k=v');
  });

  test('a key outside the object layout produces no message', () => {
    expect(buildEventMessage({ type: 'ADDED', key: '/registry/oops', revision: 1, object: cm() })).toBeUndefined();
  });

  test('RESYNC: its own subject, no object or key, the revision to relist at', () => {
    const m = buildResyncMessage(900);
    expect(m.subject).toBe(RESYNC_SUBJECT);
    expect(m.msgId).toBe('900/RESYNC');
    expect(decodeEnvelope(m.data)).toEqual({ type: 'RESYNC', revision: 900 });
  });
});
