// Minimal protobuf wire-format reader (proto2 as used by Kubernetes' gogo-generated types).
// Errors are thrown as WireError; the caller maps them to a 400 BadRequest.

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

export interface Tag {
  field: number;
  wire: WireType;
}

/** Reads a bounded window [pos, end) of a buffer. */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned varint as bigint (up to 64 bits). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new WireError('varint too long');
  }

  /** Past a varint, without its value (the same checks as varintBig, without a bigint per field). */
  skipVarint(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      if ((this.buf[this.pos++] & 0x80) === 0) return;
    }
    throw new WireError('varint too long');
  }

  /** Unsigned varint as a number; fast path for small values. */
  uvarint(): number {
    let result = 0;
    for (let i = 0, mul = 1; i < 4; i++, mul *= 128) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
    }
    // Slow path: re-read from the start of this varint with bigint.
    this.pos -= 4;
    return Number(this.varintBig());
  }

  /** Signed 64-bit (two's complement) varint → number (int32/int64 fields). */
  int64(): number {
    const start = this.pos;
    const small = this.uvarint();
    if (this.pos - start < 5) return small;
    this.pos = start;
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  bool(): boolean {
    return this.varintBig() !== 0n;
  }

  tag(): Tag {
    const key = this.uvarint();
    const field = Math.floor(key / 8);
    const wire = (key & 7) as WireType;
    if (field === 0) throw new WireError('invalid field number 0');
    return { field, wire };
  }

  /** Returns a sub-reader over a length-delimited payload and advances past it. */
  sub(): Reader {
    const len = this.uvarint();
    if (len > this.end - this.pos) throw new WireError('truncated length-delimited field');
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  bytes(): Buffer {
    const r = this.sub();
    return this.buf.subarray(r.pos, r.end);
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  fixed32(): number {
    if (this.end - this.pos < 4) throw new WireError('truncated fixed32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new WireError('truncated fixed64');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Skips a field's payload of the given wire type (unknown fields). */
  skip(wire: WireType, field: number): void {
    switch (wire) {
      case WireType.Varint:
        this.skipVarint();
        return;
      case WireType.Fixed64:
        if (this.end - this.pos < 8) throw new WireError('truncated fixed64');
        this.pos += 8;
        return;
      case WireType.LengthDelimited:
        this.sub();
        return;
      case WireType.Fixed32:
        if (this.end - this.pos < 4) throw new WireError('truncated fixed32');
        this.pos += 4;
        return;
      case WireType.StartGroup:
        // Skip nested fields until the matching end-group tag.
        for (;;) {
          if (this.done()) throw new WireError('unterminated group');
          const t = this.tag();
          if (t.wire === WireType.EndGroup) {
            if (t.field !== field) throw new WireError('mismatched end group');
            return;
          }
          this.skip(t.wire, t.field);
        }
      default:
        throw new WireError(`invalid wire type ${wire as number}`);
    }
  }
}
