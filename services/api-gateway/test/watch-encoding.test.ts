// The shared watch-event encoding: byte-for-byte what JSON.stringify of the event gives,
// and one object encoding per cached object whatever the number of watchers.
import type { KubeObject } from '@keelson/api';
import { objectJson, watchEventLine } from '../src/handlers/watch-encoding';

const pod = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', resourceVersion: '42', labels: { app: 'web', 'quote"d': 'a\nb' } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
});

test('a watch event line equals JSON.stringify of the event, for every event type', () => {
  const obj = pod();
  for (const type of ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']) {
    expect(watchEventLine(type, obj)).toBe(JSON.stringify({ type, object: obj }) + '\n');
    expect(JSON.parse(watchEventLine(type, obj))).toEqual({ type, object: obj });
  }
});

test('an object is encoded once and its encoding shared; another object (a new revision) gets its own', () => {
  const obj = pod();
  const first = objectJson(obj);
  const stringify = jest.spyOn(JSON, 'stringify');
  try {
    for (let watcher = 0; watcher < 5; watcher++) expect(objectJson(obj)).toBe(first);
    expect(stringify).not.toHaveBeenCalled();
  } finally {
    stringify.mockRestore();
  }
  // The cache never mutates an object it handed out; a new revision is a new object.
  const next = { ...obj, metadata: { ...obj.metadata, resourceVersion: '43' } };
  expect(objectJson(next)).toBe(JSON.stringify(next));
  expect(objectJson(next)).not.toBe(first);
});
