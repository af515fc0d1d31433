// The DNS wire format (RFC 1035, with RFC 2782 SRV, RFC 3596 AAAA, RFC 6891 EDNS(0)), as much of
// it as a cluster DNS server answers with: one parsed query in, one encoded response out.
import { isIPv4, isIPv6 } from 'node:net';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const CLASS_IN = 1;

export interface Question {
  /** Lower case, without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface Query {
  id: number;
  opcode: number;
  /** Recursion desired (copied into the answer). */
  rd: boolean;
  question: Question;
  /** The client's EDNS(0) UDP payload size, when it sent an OPT record. */
  udpSize?: number;
}

export type RecordData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'PTR'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export interface ResourceRecord {
  name: string;
  ttl: number;
  data: RecordData;
}

export interface Answer {
  rcode: number;
  /** Authoritative (names of the cluster zone). */
  aa: boolean;
  answers: ResourceRecord[];
  authority?: ResourceRecord[];
}

export class DnsFormatError extends Error {}

function readName(buf: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = start;
  let end = -1;
  for (let hops = 0; ; ) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length || ++hops > 16) throw new DnsFormatError('bad compression pointer');
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    if (len > 63 || pos + 1 + len > buf.length) throw new DnsFormatError('bad label');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  const name = labels.join('.').toLowerCase();
  if (name.length > 253) throw new DnsFormatError('name too long');
  return { name, end };
}

/** The header and first question of a query (and its EDNS payload size); throws DnsFormatError. */
export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) throw new DnsFormatError('a response, not a query');
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (qd !== 1) throw new DnsFormatError(`${qd} questions`);
  const { name, end } = readName(buf, 12);
  if (end + 4 > buf.length) throw new DnsFormatError('question runs past the message');
  const question = { name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) };
  const query: Query = { id, opcode: (flags >> 11) & 0xf, rd: (flags & 0x0100) !== 0, question };
  // Skip answer and authority records to reach the additional section's OPT record.
  let pos = end + 4;
  for (let i = 0; i < an + ns + ar; i++) {
    const rr = readName(buf, pos);
    if (rr.end + 10 > buf.length) throw new DnsFormatError('record runs past the message');
    const type = buf.readUInt16BE(rr.end);
    const rdlen = buf.readUInt16BE(rr.end + 8);
    if (i >= an + ns && type === TYPE.OPT) query.udpSize = Math.max(512, buf.readUInt16BE(rr.end + 2));
    pos = rr.end + 10 + rdlen;
    if (pos > buf.length) throw new DnsFormatError('record data runs past the message');
  }
  return query;
}

class Writer {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private readonly names = new Map<string, number>();

  u16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.push(b);
  }

  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.push(b);
  }

  bytes(b: Buffer): void {
    this.push(b);
  }

  /** A name, compressed against the names written before it. */
  name(name: string): void {
    const labels = name ? name.split('.') : [];
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x3fff) this.names.set(suffix, this.length);
      const label = Buffer.from(labels[i], 'latin1');
      this.push(Buffer.from([label.length]));
      this.push(label);
    }
    this.push(Buffer.from([0]));
  }

  get size(): number {
    return this.length;
  }

  /** Writes `fn`'s bytes behind a 16-bit length. */
  withLength(fn: () => void): void {
    const lenAt = this.parts.length;
    this.u16(0);
    const before = this.length;
    fn();
    this.parts[lenAt].writeUInt16BE(this.length - before);
  }

  done(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
}

const TYPE_OF: Record<RecordData['type'], number> = { A: TYPE.A, AAAA: TYPE.AAAA, CNAME: TYPE.CNAME, PTR: TYPE.PTR, SRV: TYPE.SRV, SOA: TYPE.SOA };

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  let h = groups(head);
  let t = groups(tail);
  const last = (t.length ? t : h).at(-1);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  if (last && isIPv4(last)) {
    const [a, b, c, d] = last.split('.').map(Number);
    const v4 = [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    if (t.length) t = [...t.slice(0, -1), ...v4];
    else h = [...h.slice(0, -1), ...v4];
  }
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  const d = rr.data;
  w.name(rr.name);
  w.u16(TYPE_OF[d.type]);
  w.u16(CLASS_IN);
  w.u32(rr.ttl);
  w.withLength(() => {
    switch (d.type) {
      case 'A': w.bytes(Buffer.from(d.address.split('.').map(Number))); break;
      case 'AAAA': w.bytes(ipv6Bytes(d.address)); break;
      case 'CNAME': case 'PTR': w.name(d.target); break;
      case 'SRV': w.u16(d.priority); w.u16(d.weight); w.u16(d.port); w.name(d.target); break;
      case 'SOA': w.name(d.mname); w.name(d.rname); for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v); break;
    }
  });
}

/**
 * The response to `q`. Over UDP (`maxBytes` = 512, or the client's EDNS size) records that do not
 * fit are left out and TC is set, so the client asks again over TCP (RFC 1035 4.2.1).
 */
export function encodeResponse(q: Query, a: Answer, maxBytes = 65535): Buffer {
  const sections = [a.answers, a.authority ?? []];
  const build = (answers: ResourceRecord[], authority: ResourceRecord[], truncated: boolean): Buffer => {
    const w = new Writer();
    w.u16(q.id);
    // QR, opcode, AA, TC, RD; RA (we recurse for names outside the zone); rcode.
    w.u16(0x8000 | (q.opcode << 11) | (a.aa ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | (q.rd ? 0x0100 : 0) | 0x0080 | (a.rcode & 0xf));
    w.u16(1);
    w.u16(answers.length);
    w.u16(authority.length);
    w.u16(q.udpSize ? 1 : 0);
    w.name(q.question.name);
    w.u16(q.question.type);
    w.u16(q.question.class);
    for (const rr of answers) writeRecord(w, rr);
    for (const rr of authority) writeRecord(w, rr);
    if (q.udpSize) {
      // OPT: root name, our payload size, no extended rcode or flags.
      w.bytes(Buffer.from([0]));
      w.u16(TYPE.OPT);
      w.u16(4096);
      w.u32(0);
      w.u16(0);
    }
    return w.done();
  };
  const full = build(sections[0], sections[1], false);
  if (full.length <= maxBytes) return full;
  // Truncated: as many whole answers as fit.
  let n = sections[0].length;
  let out = build([], [], true);
  while (n > 0) {
    const attempt = build(sections[0].slice(0, n), [], true);
    if (attempt.length <= maxBytes) {
      out = attempt;
      break;
    }
    n--;
  }
  return out;
}

/** The answer (FORMERR) to a query that could not be parsed past its header: the header alone. */
export function errorResponse(raw: Buffer, rcode: number): Buffer | undefined {
  if (raw.length < 2) return undefined;
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  const rd = raw.length >= 3 ? raw[2] & 0x01 : 0;
  out.writeUInt16BE(0x8000 | (rd << 8) | 0x0080 | (rcode & 0xf), 2);
  return out;
}

export const isAddress = (s: string): boolean => isIPv4(s) || isIPv6(s);
