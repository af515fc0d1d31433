// Descriptor-driven decoding of Kubernetes protobuf messages into their JSON shape.
//
// Kubernetes' gogo marshallers write every non-pointer scalar even when it is the zero
// value, while Go's JSON encoding drops them (`omitempty`). So, to produce the same JSON
// as the apiserver would, zero scalars are dropped unless the field is flagged `keep`
// (Go pointer fields like `replicas`, or fields without omitempty). Messages that are
// present are always emitted (empty ones as `{}`), like Go structs.

import { Reader, WireError, WireType } from './wire';

export type Scalar =
  | 'string'
  | 'int' // int32/int64 varint → number
  | 'bool'
  | 'bytes' // → base64 string
  | 'double'
  | 'time' // metav1.Time → RFC3339 (null when zero)
  | 'microtime' // metav1.MicroTime → RFC3339 with 6 fractional digits
  | 'intstr' // intstr.IntOrString → number | string
  | 'quantity' // resource.Quantity → string
  | 'duration' // metav1.Duration → Go duration string
  | 'json' // message whose field 1 is raw JSON bytes (FieldsV1, RawExtension)
  | 'stringlist'; // wrapper message with repeated string items=1 (e.g. ExtraValue)

export type Kind = Scalar | { msg: () => Descriptor } | { map: Kind };

export interface Field {
  name: string;
  kind: Kind;
  repeated?: boolean;
  /** Embedded Go struct: decoded fields are merged into the parent (json:",inline"). */
  inline?: boolean;
  /** Emit even when the value is the zero value (Go pointer / no omitempty). */
  keep?: boolean;
}

export type Descriptor = Readonly<Record<number, Field>>;
export type JsonObject = Record<string, unknown>;

// ---- descriptor DSL ----
const f = (name: string, kind: Kind, opts: Omit<Field, 'name' | 'kind'> = {}): Field => ({ name, kind, ...opts });
const K = { keep: true } as const;
export const str = (n: string, keep = false): Field => f(n, 'string', keep ? K : {});
export const int = (n: string, keep = false): Field => f(n, 'int', keep ? K : {});
export const bool = (n: string, keep = false): Field => f(n, 'bool', keep ? K : {});
export const strs = (n: string): Field => f(n, 'string', { repeated: true });
export const ints = (n: string): Field => f(n, 'int', { repeated: true });
export const time = (n: string): Field => f(n, 'time');
export const microtime = (n: string): Field => f(n, 'microtime');
export const intstr = (n: string): Field => f(n, 'intstr', K);
export const quantity = (n: string): Field => f(n, 'quantity', K);
export const msg = (n: string, d: () => Descriptor): Field => f(n, { msg: d });
export const msgs = (n: string, d: () => Descriptor): Field => f(n, { msg: d }, { repeated: true });
export const inline = (d: () => Descriptor): Field => f('', { msg: d }, { inline: true });
export const strMap = (n: string): Field => f(n, { map: 'string' });
export const bytesMap = (n: string): Field => f(n, { map: 'bytes' });
export const quantityMap = (n: string): Field => f(n, { map: 'quantity' });
export const msgMap = (n: string, d: () => Descriptor): Field => f(n, { map: { msg: d } });
export const special = (n: string, s: Scalar, keep = false): Field => f(n, s, keep ? K : {});

// ---- decoding ----
const ZERO_TIME_SECONDS = -62135596800; // 0001-01-01T00:00:00Z

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

export function decodeMessage(r: Reader, desc: Descriptor): JsonObject {
  const out: JsonObject = {};
  while (!r.done()) {
    const { field, wire } = r.tag();
    const spec = desc[field];
    if (!spec) {
      r.skip(wire, field);
      continue;
    }
    if (spec.inline) {
      if (wire !== WireType.LengthDelimited) throw new WireError(`field ${spec.name || field}: expected message`);
      Object.assign(out, decodeMessage(r.sub(), (spec.kind as { msg: () => Descriptor }).msg()));
      continue;
    }
    if (spec.repeated) {
      const list = (out[spec.name] as unknown[] | undefined) ?? [];
      // Numeric repeated fields may arrive packed (one length-delimited run).
      if (wire === WireType.LengthDelimited && (spec.kind === 'int' || spec.kind === 'bool')) {
        const sub = r.sub();
        while (!sub.done()) list.push(spec.kind === 'int' ? sub.int64() : sub.bool());
      } else {
        list.push(decodeValue(r, wire, spec.kind, spec.name));
      }
      out[spec.name] = list;
      continue;
    }
    if (typeof spec.kind === 'object' && 'map' in spec.kind) {
      if (wire !== WireType.LengthDelimited) throw new WireError(`field ${spec.name}: expected map entry`);
      const map = (out[spec.name] as JsonObject | undefined) ?? {};
      const [k, v] = decodeMapEntry(r.sub(), spec.kind.map, spec.name);
      map[k] = v;
      out[spec.name] = map;
      continue;
    }
    const v = decodeValue(r, wire, spec.kind, spec.name);
    if (!spec.keep && isZero(v)) delete out[spec.name];
    else out[spec.name] = v;
  }
  return out;
}

function decodeMapEntry(r: Reader, valueKind: Kind, name: string): [string, unknown] {
  let key = '';
  let value: unknown = zeroOf(valueKind);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) key = r.string();
    else if (field === 2) value = decodeValue(r, wire, valueKind, name);
    else r.skip(wire, field);
  }
  return [key, value];
}

function zeroOf(kind: Kind): unknown {
  if (kind === 'string' || kind === 'bytes' || kind === 'quantity') return kind === 'quantity' ? '0' : '';
  if (typeof kind === 'object') return {};
  return null;
}

function expect(wire: WireType, want: WireType, name: string): void {
  if (wire !== want) throw new WireError(`field ${name}: unexpected wire type ${wire as number}`);
}

function decodeValue(r: Reader, wire: WireType, kind: Kind, name: string): unknown {
  if (typeof kind === 'object') {
    expect(wire, WireType.LengthDelimited, name);
    if ('msg' in kind) return decodeMessage(r.sub(), kind.msg());
    throw new WireError(`field ${name}: nested map`);
  }
  switch (kind) {
    case 'string':
      expect(wire, WireType.LengthDelimited, name);
      return r.string();
    case 'bytes':
      expect(wire, WireType.LengthDelimited, name);
      return r.bytes().toString('base64');
    case 'int':
      expect(wire, WireType.Varint, name);
      return r.int64();
    case 'bool':
      expect(wire, WireType.Varint, name);
      return r.bool();
    case 'double':
      if (wire === WireType.Fixed32) return r.fixed32();
      expect(wire, WireType.Fixed64, name);
      return r.double();
    default:
      expect(wire, WireType.LengthDelimited, name);
      return decodeSpecial(r.sub(), kind, name);
  }
}

/** Reads the varint/bytes fields 1..3 of a small well-known message. */
function readSmall(r: Reader): { ints: Map<number, number>; strs: Map<number, Buffer> } {
  const ints = new Map<number, number>();
  const strs = new Map<number, Buffer>();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WireType.Varint) ints.set(field, r.int64());
    else if (wire === WireType.LengthDelimited) strs.set(field, r.bytes());
    else r.skip(wire, field);
  }
  return { ints, strs };
}

function decodeSpecial(r: Reader, kind: Scalar, name: string): unknown {
  if (kind === 'stringlist') {
    const items: string[] = [];
    while (!r.done()) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === WireType.LengthDelimited) items.push(r.string());
      else r.skip(wire, field);
    }
    return items;
  }
  const { ints, strs } = readSmall(r);
  switch (kind) {
    case 'time':
    case 'microtime': {
      const seconds = ints.get(1) ?? 0;
      const nanos = ints.get(2) ?? 0;
      if ((!ints.has(1) && !ints.has(2)) || (seconds === ZERO_TIME_SECONDS && nanos === 0)) return null;
      return formatTime(seconds, nanos, kind === 'microtime');
    }
    case 'intstr':
      return (ints.get(1) ?? 0) === 1 ? (strs.get(3)?.toString('utf8') ?? '') : (ints.get(2) ?? 0);
    case 'quantity':
      return strs.get(1)?.toString('utf8') ?? '0';
    case 'duration':
      return formatDuration(ints.get(1) ?? 0);
    case 'json': {
      const raw = strs.get(1);
      if (!raw || raw.length === 0) return {};
      try {
        return JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        throw new WireError(`field ${name}: invalid embedded JSON`);
      }
    }
    default:
      throw new WireError(`field ${name}: unsupported kind ${kind}`);
  }
}

/** RFC3339 in UTC; Time truncates to seconds, MicroTime always shows 6 fractional digits. */
export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** Go's time.Duration.String(), e.g. 1h2m3.5s, 150ms, 0s. */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e9) {
    const [unit, div] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFrac(n / div)}${unit}`;
  } else {
    const h = Math.floor(n / 3.6e12);
    n -= h * 3.6e12;
    const m = Math.floor(n / 6e10);
    n -= m * 6e10;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimFrac(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(v: number): string {
  return v.toFixed(9).replace(/\.?0+$/, '');
}
