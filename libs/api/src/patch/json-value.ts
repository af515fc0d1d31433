// Small helpers over decoded JSON values shared by the patch engines.
// Patch engines never mutate their inputs: they clone once, then work on the copy.

export type JsonObject = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property test that ignores the prototype chain (`toString`, `__proto__`). */
export function hasOwn(o: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Sets an own data property; `__proto__` from JSON.parse stays a plain key, never a prototype. */
export function setOwn(o: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Deep copy of a JSON value; non-JSON leaves (Date, class instances) are kept by reference. */
export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((e) => deepClone(e)) as unknown as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) setOwn(out, k, deepClone(e));
    return out as T;
  }
  return v;
}

/**
 * Structural JSON equality: key order of objects is irrelevant, array order is not, and a key
 * whose value is `undefined` counts as absent (as JSON.stringify would drop it).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  // Without key lists: it runs on every write (the no-op checks compare whole objects).
  let defined = 0;
  for (const k in a) {
    if (!hasOwn(a, k)) continue;
    const v = a[k];
    if (v === undefined) continue;
    defined++;
    if (!hasOwn(b, k) || !deepEqual(v, b[k])) return false;
  }
  for (const k in b) if (hasOwn(b, k) && b[k] !== undefined) defined--;
  return defined === 0;
}

/** The JSON kind of a value, used to compare shapes the way Go's reflect.TypeOf does. */
export function jsonKind(v: unknown): 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'other';
  }
}
