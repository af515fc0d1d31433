// Path elements of a field set, in structured-merge-diff's FieldsV1 spelling:
//   f:<name>        a field of a struct or a key of a map
//   k:{"name":"x"}  an item of a list-map, by its key fields (sorted by name)
//   v:"x"           an item of a set (list of scalars)
//   i:3             an item of a list by position
// The encoded string is the element's identity everywhere in this folder; the order
// (fields < keys < values < indexes) is SMD's PathElement.Compare, so encoded sets
// come out as kube-apiserver writes them.

export type PathElement =
  | { field: string }
  | { key: [string, unknown][] }
  | { value: unknown }
  | { index: number };

export class FieldPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldPathError';
  }
}

export const fieldKey = (name: string): string => `f:${name}`;

/** `k:{...}` for a list-map item: key fields sorted by name, values as JSON. */
export function keyOfFields(fields: [string, unknown][]): string {
  const sorted = fields.length > 1 ? [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : fields;
  return `k:{${sorted.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(',')}}`;
}

export const valueKey = (v: unknown): string => `v:${JSON.stringify(v)}`;
export const indexKey = (i: number): string => `i:${i}`;

export function decodePathElement(s: string): PathElement {
  const prefix = s.slice(0, 2);
  const rest = s.slice(2);
  switch (prefix) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const parsed = parseJson(rest, s);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FieldPathError(`key element ${s} is not a JSON object`);
      return { key: Object.entries(parsed as Record<string, unknown>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
    }
    case 'v:':
      return { value: parseJson(rest, s) };
    case 'i:': {
      const n = Number(rest);
      if (!Number.isInteger(n) || rest.trim() !== rest || rest === '') throw new FieldPathError(`index element ${s} is not an integer`);
      return { index: n };
    }
    default:
      throw new FieldPathError(`unknown path element prefix in ${JSON.stringify(s)}: expected f:, k:, v: or i:`);
  }
}

function parseJson(text: string, whole: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FieldPathError(`path element ${JSON.stringify(whole)} does not hold valid JSON`);
  }
}

const RANK: Record<string, number> = { 'f:': 0, 'k:': 1, 'v:': 2, 'i:': 3 };

/** SMD's value.Compare: numbers < strings < booleans < lists < maps < null. */
function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Order of two encoded elements ('.' first), as SMD sorts path elements. */
export function compareEncoded(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '.') return -1;
  if (b === '.') return 1;
  const ra = RANK[a.slice(0, 2)] ?? 9;
  const rb = RANK[b.slice(0, 2)] ?? 9;
  if (ra !== rb) return ra - rb;
  if (ra === 0) return a < b ? -1 : 1;
  const pa = decodePathElement(a);
  const pb = decodePathElement(b);
  if ('index' in pa && 'index' in pb) return pa.index - pb.index;
  if ('value' in pa && 'value' in pb) return compareValues(pa.value, pb.value);
  if ('key' in pa && 'key' in pb) {
    for (let i = 0; ; i++) {
      if (i >= pa.key.length && i >= pb.key.length) return 0;
      if (i >= pa.key.length) return -1;
      if (i >= pb.key.length) return 1;
      const [na, va] = pa.key[i];
      const [nb, vb] = pb.key[i];
      if (na !== nb) return na < nb ? -1 : 1;
      const c = compareValues(va, vb);
      if (c !== 0) return c;
    }
  }
  return a < b ? -1 : 1;
}

/** Go's value.ToString: strings quoted, the rest as JSON. */
const show = (v: unknown): string => JSON.stringify(v);

/** One element as fieldpath.Path.String prints it: `.spec`, `[name="web"]`, `[="x"]`, `[0]`. */
export function pathElementString(encoded: string): string {
  const pe = decodePathElement(encoded);
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${show(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${show(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathString(path: readonly string[]): string {
  return path.map(pathElementString).join('');
}
