// The gateway's etcd watches (the relay's and the watch caches'), decoded without etcd3's object
// conversion. etcd3 turns each WatchResponse into plain objects through protobufjs's toObject with
// every int64 as a string (long.js divisions per revision, eight int64 fields per event), then wraps
// it in its watcher machinery: about half of what the relay allocated per event (sampling heap
// profile at 1,000 events/s), hence of its young-generation collections, its latency tail. A watch
// here needs little of it — one range, from one revision, with previous values, ended by any
// failure (the caller resumes from where it got to) — so it opens a Watch stream of its own, on
// etcd3's connection (same hosts, TLS and auth metadata), and decodes the few fields it reads
// straight from the wire, with the project's protobuf wire reader and writer (@keelson/api's,
// which Kubernetes' protobuf bodies use).
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
import { WireError, WireReader, WireType, WireWriter } from '@keelson/api';

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

/**
 * A WatchRequest creating a watch of [key, rangeEnd) from `startRevision`, with previous values
 * and, when asked, progress notifications (etcd's --experimental-watch-progress-notify-interval).
 */
export function encodeWatchCreate(key: Buffer, rangeEnd: Buffer, startRevision: number, progressNotify = false): Buffer {
  return new WireWriter()
    .message(1, (c) => {
      c.bytes(1, key).bytes(2, rangeEnd).int64(3, startRevision);
      if (progressNotify) c.bool(4, true);
      c.bool(6, true);
    })
    .finish();
}

function decodeKeyValue(r: WireReader): RawKeyValue {
  const kv: RawKeyValue = { key: EMPTY, value: EMPTY, create_revision: 0, mod_revision: 0 };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) kv.key = r.bytes();
    else if (field === 2 && wire === WireType.Varint) kv.create_revision = r.int64();
    else if (field === 3 && wire === WireType.Varint) kv.mod_revision = r.int64();
    else if (field === 5 && wire === WireType.LengthDelimited) kv.value = r.bytes();
    else r.skip(wire, field);
  }
  return kv;
}

function decodeEvent(r: WireReader): WatchEvent {
  let type: WatchEvent['type'] = 'Put';
  let kv: RawKeyValue | undefined;
  let prev: RawKeyValue | undefined;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.Varint) {
      const t = r.uvarint();
      if (t !== 0 && t !== 1) throw new WireError(`unknown event type ${t}`);
      type = t === 1 ? 'Delete' : 'Put';
    } else if (field === 2 && wire === WireType.LengthDelimited) kv = decodeKeyValue(r.sub());
    else if (field === 3 && wire === WireType.LengthDelimited) prev = decodeKeyValue(r.sub());
    else r.skip(wire, field);
  }
  if (!kv) throw new WireError('watch event without kv');
  return prev ? { type, kv, prev_kv: prev } : { type, kv };
}

function decodeHeaderRevision(r: WireReader): number {
  let revision = 0;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 3 && wire === WireType.Varint) revision = r.int64();
    else r.skip(wire, field);
  }
  return revision;
}

/**
 * A WatchResponse's fields the relay reads. Keys and values are views into `buf` (grpc-js hands
 * each message its own buffer).
 */
export function decodeWatchResponse(buf: Buffer): WatchResponseFields {
  const r = new WireReader(buf);
  const out: WatchResponseFields = { revision: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', events: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) out.revision = decodeHeaderRevision(r.sub());
    else if (field === 3 && wire === WireType.Varint) out.created = r.bool();
    else if (field === 4 && wire === WireType.Varint) out.canceled = r.bool();
    else if (field === 5 && wire === WireType.Varint) out.compactRevision = r.int64();
    else if (field === 6 && wire === WireType.LengthDelimited) out.cancelReason = r.string();
    else if (field === 11 && wire === WireType.LengthDelimited) out.events.push(decodeEvent(r.sub()));
    else r.skip(wire, field);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

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

/** etcd itself cancelled the watch: its start revision was compacted, or another reason it gave. */
export class WatchCanceledError extends Error {
  constructor(
    /** The compaction that removed the start revision (0 when cancelled for another reason). */
    readonly compactRevision: number,
    reason: string,
  ) {
    super(compactRevision > 0 ? `required revision has been compacted (compact revision ${compactRevision})` : reason || 'watch cancelled by etcd');
    this.name = 'WatchCanceledError';
  }
}

export interface EtcdWatchHandlers {
  /** A response with events, in etcd's order. */
  onEvents(events: WatchEvent[], revision: number): void;
  /**
   * With this handler the watch asks for progress notifications: every change up to `revision`
   * has been delivered (what an idle watcher learns of etcd's revision from).
   */
  onProgress?(revision: number): void;
  /** The watch ended: etcd cancelled it (a WatchCanceledError: compacted, or another reason), the stream failed or closed. Called once. */
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
    if (res.canceled) return end(new WatchCanceledError(res.compactRevision, res.cancelReason));
    if (res.events.length) h.onEvents(res.events, res.revision);
    // The creation's answer carries etcd's revision too, not how far this watch has caught up.
    else if (!res.created) h.onProgress?.(res.revision);
  });
  call.on('error', (err) => end(err));
  call.on('end', () => end(new Error('etcd closed the watch stream')));
  call.write(encodeWatchCreate(key, rangeEnd, startRevision, h.onProgress !== undefined));
  return {
    cancel: () => {
      ended = true;
      call.cancel();
    },
  };
}
