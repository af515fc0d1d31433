// copyJson: a deep copy of decoded API objects that is equal to, and shares nothing with, the
// original; hostile keys stay data; what is not plain JSON is still copied deeply.
import { copyJson } from '../src/json-copy';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'x' }, ownerReferences: [{ uid: 'u', controller: true }], managedFields: [{ fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': {} } } } }] },
  spec: { containers: [{ name: 'c', command: ['sleep', '1'], ports: [{ containerPort: 80 }] }], priority: 0, hostNetwork: false, nodeName: null },
  status: {},
});

test('the copy equals the original, and shares no object or array with it', () => {
  const orig = pod();
  const c = copyJson(orig);
  expect(c).toStrictEqual(orig);
  const shared: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (typeof a !== 'object' || a === null) return;
    if (a === b) shared.push(path);
    for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(orig, c, '$');
  expect(shared).toEqual([]);
  c.spec.containers[0].command.push('x');
  c.metadata.labels.app = 'y';
  expect(orig).toStrictEqual(pod());
});

test('scalars, null, empty containers and undefined properties come through as structuredClone keeps them', () => {
  for (const v of [null, 0, -1.5, '', 's', true, false, [], {}, [[], {}], { a: undefined, b: [undefined, null] }]) {
    expect(copyJson(v)).toStrictEqual(structuredClone(v));
  }
  expect(Object.keys(copyJson({ a: undefined }))).toEqual(['a']);
});

test('a __proto__ key is copied as an own property, as JSON.parse makes it, never as the prototype', () => {
  const parsed = JSON.parse('{"metadata":{"__proto__":{"polluted":true},"name":"n"}}') as { metadata: Record<string, unknown> };
  const c = copyJson(parsed);
  expect(Object.getPrototypeOf(c.metadata)).toBe(Object.prototype);
  expect((c.metadata as { polluted?: unknown }).polluted).toBeUndefined();
  expect(Object.keys(c.metadata)).toEqual(['__proto__', 'name']);
  expect(JSON.stringify(c)).toBe(JSON.stringify(parsed));
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
});

test('objects made without a prototype are plain too; what is not plain JSON is still copied deeply', () => {
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: { b: 1 } });
  const c = copyJson(bare);
  expect(c.a).toEqual({ b: 1 });
  expect(c.a).not.toBe(bare.a);

  const when = new Date(0);
  const odd = { when, m: new Map([['k', { v: 1 }]]), bytes: new Uint8Array([1, 2]) };
  const d = copyJson(odd);
  expect(d.when).toEqual(when);
  expect(d.when).not.toBe(when);
  expect(d.m.get('k')).toEqual({ v: 1 });
  expect(d.m.get('k')).not.toBe(odd.m.get('k'));
  expect(d.bytes).not.toBe(odd.bytes);
  expect([...d.bytes]).toEqual([1, 2]);
});
