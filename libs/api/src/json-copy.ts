// A deep copy of a JSON value (what decoded API objects are): plain objects, arrays, strings,
// numbers, booleans and null. A recursive walk is ~8x cheaper than structuredClone or a JSON
// round trip for a pod (1.8 vs 14.6 / 13.4 µs), and copies are on every write's hot path
// (storage's private copy, update's working copy, defaulting, controllers' templates).
//
// Like structuredClone (not like JSON), undefined properties are kept. A `__proto__` key is
// copied as an own property, as JSON.parse makes it, never as the copy's prototype. Anything
// that is not plain JSON (a Date, a Map, a class instance, a typed array) is handed to
// structuredClone, so the copy is never shallower than before.

export function copyJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = copy((v as Record<string, unknown>)[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
