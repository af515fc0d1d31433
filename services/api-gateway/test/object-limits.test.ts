// The storage limits checked on every object written: the size bound never under-counts what
// JSON.stringify makes, and near the limit the answer is the exact one.
import { ApiError, type KubeObject } from '@keelson/api';
import { MAX_OBJECT_BYTES, MAX_OBJECT_DEPTH, TOO_DEEP, checkObjectLimits, jsonBytesAtMost } from '../src/registry/object-limits';

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? 'null');

test('the bound is never below the encoded size', () => {
  const values: unknown[] = [
    null, true, false, 0, -0, 1e21, -1.7976931348623157e308, 5e-324, -2.2250738585072014e-308, NaN, Infinity, 123456789.123456789,
    '', 'plain', 'quote " backslash \\ slash /', '\u0000\u0001\u001f control', '\n\r\t\b\f', 'é ü 中文 😀', '\ud800 lone \udfff', '\u2028\u2029',
    [], {}, [1, 'a', null, undefined, [[]]], { a: undefined, b: () => 1, c: Symbol('s') }, { '\u0000key"\\': { 'é😀': ['x'] } },
    { metadata: { name: 'p', labels: { a: 'b' }, managedFields: [{ fieldsV1: { 'f:spec': { 'k:{"name":"c"}': {} } } }] }, spec: { containers: [{ name: 'c', args: ['\u0000'.repeat(100)] }] } },
  ];
  for (const v of values) expect({ v, ok: jsonBytesAtMost(v) >= bytes(v) }).toEqual({ v, ok: true });
  // Anything with a toJSON of its own is not bounded.
  expect(jsonBytesAtMost({ when: new Date(0) })).toBe(Infinity);
});

test('an object under the limit whose bound is over it is measured exactly and accepted; one byte over is 413', () => {
  const obj = (dataBytes: number): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(dataBytes) } });
  const overhead = bytes(obj(0));
  const fits = obj(MAX_OBJECT_BYTES - overhead);
  expect(bytes(fits)).toBe(MAX_OBJECT_BYTES);
  expect(jsonBytesAtMost(fits)).toBeGreaterThan(MAX_OBJECT_BYTES);
  expect(() => checkObjectLimits(fits)).not.toThrow();
  let err: unknown;
  try {
    checkObjectLimits(obj(MAX_OBJECT_BYTES - overhead + 1));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(413);
});

test('nesting beyond the stored objects\' cap is 400, however deep the value', () => {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  let err: unknown;
  try {
    checkObjectLimits({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, data: deep } as KubeObject);
  } catch (e) {
    err = e;
  }
  expect((err as ApiError).code).toBe(400);
  expect((err as ApiError).message).toContain('the object is nested too deeply');
});

test('depth counts arrays and objects only, the value itself at 1: exactly the cap passes, one more is too deep', () => {
  const nest = (levels: number, leaf: unknown, array: boolean): unknown => {
    let v = leaf;
    for (let i = 0; i < levels; i++) v = array ? [v] : { a: v };
    return v;
  };
  for (const array of [false, true]) {
    expect(jsonBytesAtMost(nest(5, 'x', array), 5)).toBeGreaterThanOrEqual(bytes(nest(5, 'x', array)));
    expect(jsonBytesAtMost(nest(6, 'x', array), 5)).toBe(TOO_DEEP);
    expect(jsonBytesAtMost(nest(5, {}, array), 5)).toBe(TOO_DEEP); // the empty leaf object is level 6
  }
  const atCap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cap' }, data: nest(MAX_OBJECT_DEPTH - 1, 'x', false) } as KubeObject;
  expect(() => checkObjectLimits(atCap)).not.toThrow();
  const over = { ...atCap, data: nest(MAX_OBJECT_DEPTH, 'x', false) } as KubeObject;
  expect(() => checkObjectLimits(over)).toThrow('nested too deeply');
});
