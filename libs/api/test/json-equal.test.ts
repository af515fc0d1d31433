// jsonDeepEqual: JSON's equality (what two objects encode to), the no-op check of every write.
import { jsonDeepEqual } from '../src';

test('key order does not matter, array order does; undefined counts as absent', () => {
  expect(jsonDeepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
  expect(jsonDeepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  expect(jsonDeepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  expect(jsonDeepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
  expect(jsonDeepEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(true);
  expect(jsonDeepEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
  expect(jsonDeepEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
  expect(jsonDeepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
  expect(jsonDeepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
});

test('kinds differ: arrays, objects, null, scalars', () => {
  expect(jsonDeepEqual([], {})).toBe(false);
  expect(jsonDeepEqual({}, [])).toBe(false);
  expect(jsonDeepEqual(null, {})).toBe(false);
  expect(jsonDeepEqual({}, null)).toBe(false);
  expect(jsonDeepEqual('1', 1)).toBe(false);
  expect(jsonDeepEqual([{ a: [null] }], [{ a: [null] }])).toBe(true);
  expect(jsonDeepEqual([1, [2]], [1, [2, 3]])).toBe(false);
});

test('only own keys count; a __proto__ key from JSON is compared as data', () => {
  const inherited = Object.create({ x: 1 }) as Record<string, unknown>;
  expect(jsonDeepEqual(inherited, {})).toBe(true);
  expect(jsonDeepEqual({}, inherited)).toBe(true);
  const p1 = JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as unknown;
  const p2 = JSON.parse('{"__proto__": {"a": 2}, "b": 2}') as unknown;
  expect(jsonDeepEqual(p1, p2)).toBe(false);
  expect(jsonDeepEqual(p1, JSON.parse('{"b": 2, "__proto__": {"a": 1}}'))).toBe(true);
  expect(jsonDeepEqual(p1, { b: 2 })).toBe(false);
});
