// The relay's etcd watch, decoded without etcd3's object conversion. etcd3 turns each
// WatchResponse into plain objects through protobufjs's toObject with every int64 as a string
// (long.js divisions per revision, eight int64 fields per event), then wraps it in its watcher
// machinery: about half of what the relay allocated per event (sampling heap profile at 1,000
// events/s), hence of its young-generation collections, its latency tail. The relay needs little of
// it — one watch, from one revision, with previous values, ended by any failure (the next session
// resumes from the stream) — so it opens the Watch stream itself, on etcd3's connection (same
// hosts, TLS and auth metadata), and decodes the few fields it reads straight from the wire.
//
// Wire format (etcd's rpc.proto / kv.proto, proto3):
//   WatchRequest { WatchCreateRequest create_request = 1 }
//   WatchCreateRequest { bytes key = 1; bytes range_end = 2; int64 start_revision = 3; bool prev_kv = 6 }
//   WatchResponse { ResponseHeader header = 1; int64 watch_id = 2; bool created = 3; bool canceled = 4;
//                   int64 compact_revision = 5; string cancel_reason = 6; bool fragment = 7; repeated Event events = 11 }
//   ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4 }
//   Event { EventType type = 1 (PUT 0, DELETE 1); KeyValue kv = 2; KeyValue prev_kv = 3 }
//   KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6 }
import type { Etcd3 } from 'etcd3';

/** One change as the relay reads it (the fields of etcd3's IEvent it used, revisions as numbers). */
export interface WatchEvent {
  type: 'Put' | 'Delete';
  kv: RawKeyValue;
  prev_kv?: RawKeyValue;
}

export interface RawKeyValue {
  key: Buffer;
  value: Buffer;
  create_revision: number;
  mod_revision: number;
}

export interface WatchResponseFields {
  revision: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  events: WatchEvent[];
}

// ---- encoding ----

function varint(n: number, out: number[]): void {
  // Non-negative integers up to 2^53 (revisions): 7 bits at a time, without 32-bit bitwise overflow.
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function bytesField(field: number, b: Buffer, out: number[]): void {
  out.push((field << 3) | 2);
  varint(b.length, out);
  for (const x of b) out.push(x);
}

/** A WatchRequest creating a watch of [key, rangeEnd) from `startRevision`, with previous values. */
export function encodeWatchCreate(key: Buffer, rangeEnd: Buffer, startRevision: number): Buffer {
  const create: number[] = [];
  bytesField(1, key, create);
  bytesField(2, rangeEnd, create);
  create.push((3 << 3) | 0);
  varint(startRevision, create);
  create.push((6 << 3) | 0, 1); // prev_kv = true
  const req: number[] = [];
  bytesField(1, Buffer.from(create), req);
  return Buffer.from(req);
}

// ---- decoding ----

class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
      if (mul > 2 ** 63) throw new Error('varint too long');
    }
  }

  /** [start, end) of a length-delimited field's bytes. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error('truncated field');
    return [start, this.pos];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.span();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

function decodeKeyValue(buf: Buffer, start: number, end: number): RawKeyValue {
  const r = new Reader(buf, start, end);
  const kv: RawKeyValue = { key: EMPTY, value: EMPTY, create_revision: 0, mod_revision: 0 };
  while (r.pos < end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) kv.key = sub(buf, r.span());
    else if (field === 2 && wire === 0) kv.create_revision = r.varint();
    else if (field === 3 && wire === 0) kv.mod_revision = r.varint();
    else if (field === 5 && wire === 2) kv.value = sub(buf, r.span());
    else r.skip(wire);
  }
  return kv;
}

function decodeEvent(buf: Buffer, start: number, end: number): WatchEvent {
  const r = new Reader(buf, start, end);
  let type: WatchEvent['type'] = 'Put';
  let kv: RawKeyValue | undefined;
  let prev: RawKeyValue | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) {
      const t = r.varint();
      if (t !== 0 && t !== 1) throw new Error(`unknown event type ${t}`);
      type = t === 1 ? 'Delete' : 'Put';
    } else if (field === 2 && wire === 2) kv = decodeKeyValue(buf, ...r.span());
    else if (field === 3 && wire === 2) prev = decodeKeyValue(buf, ...r.span());
    else r.skip(wire);
  }
  if (!kv) throw new Error('watch event without kv');
  return prev ? { type, kv, prev_kv: prev } : { type, kv };
}

function decodeHeaderRevision(buf: Buffer, start: number, end: number): number {
  const r = new Reader(buf, start, end);
  let revision = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === ((3 << 3) | 0)) revision = r.varint();
    else r.skip(tag & 7);
  }
  return revision;
}

/**
 * A WatchResponse's fields the relay reads. Keys and values are views into `buf` (grpc-js hands
 * each message its own buffer).
 */
export function decodeWatchResponse(buf: Buffer): WatchResponseFields {
  const r = new Reader(buf);
  const out: WatchResponseFields = { revision: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', events: [] };
  while (r.pos < buf.length) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) out.revision = decodeHeaderRevision(buf, ...r.span());
    else if (field === 3 && wire === 0) out.created = r.varint() !== 0;
    else if (field === 4 && wire === 0) out.canceled = r.varint() !== 0;
    else if (field === 5 && wire === 0) out.compactRevision = r.varint();
    else if (field === 6 && wire === 2) out.cancelReason = sub(buf, r.span()).toString('utf8');
    else if (field === 11 && wire === 2) out.events.push(decodeEvent(buf, ...r.span()));
    else r.skip(wire);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);
const sub = (buf: Buffer, [start, end]: [number, number]): Buffer => buf.subarray(start, end);

// ---- the stream ----

/** The grpc-js client etcd3 keeps per host and service (only what is used here). */
interface GrpcClient {
  makeBidiStreamRequest(
    method: string,
    serialize: (value: Buffer) => Buffer,
    deserialize: (value: Buffer) => WatchResponseFields,
    metadata: unknown,
    options: object,
  ): GrpcDuplex;
}

interface GrpcDuplex {
  write(message: Buffer): boolean;
  cancel(): void;
  on(event: 'data', listener: (res: WatchResponseFields) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'end', listener: () => void): this;
}

/** etcd3's connection pool (a protected member of the client: same hosts, credentials and auth). */
interface EtcdPool {
  withConnection<T>(service: string, fn: (c: { client: GrpcClient; metadata: unknown }) => T | Promise<T>): Promise<T>;
}

export interface EtcdWatchHandlers {
  /** A response with events, in etcd's order. */
  onEvents(events: WatchEvent[], revision: number): void;
  /** The watch ended: etcd cancelled it (compacted, or another reason), the stream failed or closed. Called once. */
  onEnd(err: Error): void;
}

export interface EtcdWatch {
  /** Closes the stream (etcd drops the watch with it). onEnd is not called after. */
  cancel(): void;
}

/** Watches [key, rangeEnd) from `startRevision` with previous values, over one Watch stream of its own. */
export async function openEtcdWatch(client: Etcd3, key: Buffer, rangeEnd: Buffer, startRevision: number, h: EtcdWatchHandlers): Promise<EtcdWatch> {
  const pool = (client as unknown as { pool: EtcdPool }).pool;
  const call = await pool.withConnection('Watch', ({ client: grpc, metadata }) =>
    grpc.makeBidiStreamRequest('/etcdserverpb.Watch/Watch', (b) => b, decodeWatchResponse, metadata, {}));
  let ended = false;
  const end = (err: Error): void => {
    if (ended) return;
    ended = true;
    call.cancel();
    h.onEnd(err);
  };
  call.on('data', (res) => {
    if (ended) return;
    if (res.canceled) {
      const why = res.compactRevision > 0 ? `required revision has been compacted (compact revision ${res.compactRevision})` : res.cancelReason || 'watch cancelled by etcd';
      return end(new Error(why));
    }
    if (res.events.length) h.onEvents(res.events, res.revision);
  });
  call.on('error', (err) => end(err));
  call.on('end', () => end(new Error('etcd closed the watch stream')));
  call.write(encodeWatchCreate(key, rangeEnd, startRevision));
  return {
    cancel: () => {
      ended = true;
      call.cancel();
    },
  };
}
