// Minimal protobuf wire-format writer, the counterpart of wire.ts's Reader. Messages are
// built as a list of byte chunks: a nested message is written into its own Writer, then
// appended behind its tag and length, so no chunk is copied until `finish()`.
import { WireType } from './wire';

export class Writer {
  private chunks: Buffer[] = [];
  /** Bytes written so far. */
  length = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  private varint(v: number): void {
    const out: number[] = [];
    let n = v;
    while (n > 0x7f) {
      out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    this.push(Buffer.from(out));
  }

  private tag(field: number, wire: WireType): void {
    this.varint(field * 8 + wire);
  }

  /** A string field; proto3 leaves the empty string out. */
  string(field: number, v: string | undefined): this {
    if (!v) return this;
    const b = Buffer.from(v, 'utf8');
    this.tag(field, WireType.LengthDelimited);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  /** A bytes field; proto3 leaves an empty one out. */
  bytes(field: number, v: Buffer | undefined): this {
    if (!v?.length) return this;
    this.tag(field, WireType.LengthDelimited);
    this.varint(v.length);
    this.push(v);
    return this;
  }

  /** Each element, even empty ones: a repeated string keeps its positions. */
  strings(field: number, vs: readonly string[] | undefined): this {
    for (const v of vs ?? []) {
      const b = Buffer.from(v, 'utf8');
      this.tag(field, WireType.LengthDelimited);
      this.varint(b.length);
      this.push(b);
    }
    return this;
  }

  bool(field: number, v: boolean | undefined): this {
    if (!v) return this;
    this.tag(field, WireType.Varint);
    this.varint(1);
    return this;
  }

  /** A non-negative int64 (lengths and counts); negative values are not needed here. */
  int64(field: number, v: number | undefined): this {
    if (!v || v < 0 || !Number.isFinite(v)) return this;
    this.tag(field, WireType.Varint);
    this.varint(Math.floor(v));
    return this;
  }

  double(field: number, v: number | undefined): this {
    if (v === undefined || v === 0 || !Number.isFinite(v)) return this;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.tag(field, WireType.Fixed64);
    this.push(b);
    return this;
  }

  /** A nested message, written by `build` into its own Writer (always emitted, even when empty). */
  message(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    this.tag(field, WireType.LengthDelimited);
    this.varint(w.length);
    for (const c of w.chunks) this.push(c);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
