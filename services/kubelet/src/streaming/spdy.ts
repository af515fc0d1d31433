// A server-side SPDY/3.1 session, the framing Kubernetes streams use (moby/spdystream, which
// client-go speaks for port-forward, tunnelled in WebSocket binary messages or over a plain
// SPDY/3.1 upgrade). Implements what a peer like spdystream sends: SYN_STREAM (new streams, with
// zlib-compressed name/value headers), DATA with FIN half-closes, RST_STREAM, PING (echoed),
// SETTINGS, WINDOW_UPDATE (ignored: spdystream does no flow control) and GOAWAY. Each accepted
// stream gets a SYN_REPLY with no headers.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const MAX_DATA = 0xffff; // per DATA frame we send
const MAX_FRAME = 16 * 1024 * 1024;

/** RST_STREAM status codes (SPDY/3 2.6.3). */
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;

/**
 * SPDY/3's header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): these words,
 * each preceded by its 32-bit big-endian length, then the text tail. Built rather than pasted as
 * bytes; the unit test pins its size and zlib checksum to the spec's.
 */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
  '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.flatMap((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return [len, Buffer.from(w, 'latin1')];
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

/** One stream of a session: readable = the peer's DATA, writable = ours (end() sends FIN). */
export class SpdyStream extends Duplex {
  remoteClosed = false;
  private localClosed = false;

  constructor(readonly id: number, readonly headers: Map<string, string>, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    // Data is pushed as frames arrive; spdystream has no flow control to apply here.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb();
    this.session.sendData(this.id, chunk, false);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.localClosed) {
      this.localClosed = true;
      this.session.sendData(this.id, Buffer.alloc(0), true);
    }
    cb();
  }

  /** Aborts both directions (RST_STREAM). */
  reset(status = RST_CANCEL): void {
    this.localClosed = true;
    this.session.sendReset(this.id, status);
    this.destroy();
  }

  /** @internal */ receive(data: Buffer, fin: boolean): void {
    if (data.length) this.push(data);
    if (fin && !this.remoteClosed) {
      this.remoteClosed = true;
      this.push(null);
    }
  }
}

/**
 * Emits 'stream' (SpdyStream) for each stream the peer opens, after its SYN_REPLY was sent, and
 * 'close' once the transport ends.
 */
export class SpdySession extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inflated: Buffer[] = [];
  private deflated: Buffer[] = [];
  /** Frames are handled one at a time, in order (header (de)compression is asynchronous). */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly transport: Duplex) {
    super();
    this.inflate.on('data', (c: Buffer) => this.inflated.push(c));
    this.deflate.on('data', (c: Buffer) => this.deflated.push(c));
    this.inflate.on('error', (err) => this.fail(err));
    this.deflate.on('error', (err) => this.fail(err));
    transport.on('data', (chunk: Buffer) => this.onData(chunk));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.transport.destroy();
    this.emit('close');
  }

  /** @internal */ sendData(id: number, data: Buffer, fin: boolean): void {
    for (let off = 0; off < data.length || (fin && off === 0); off += MAX_DATA) {
      const part = data.subarray(off, off + MAX_DATA);
      const last = off + MAX_DATA >= data.length;
      const h = Buffer.alloc(8);
      h.writeUInt32BE(id & 0x7fffffff, 0);
      h.writeUInt32BE(((fin && last ? FLAG_FIN : 0) << 24) | part.length, 4);
      this.write(Buffer.concat([h, part]));
      if (last) break;
    }
    if (fin) this.maybeForget(id);
  }

  /** @internal */ sendReset(id: number, status: number): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    this.write(control(RST_STREAM, 0, body));
    this.streams.delete(id);
  }

  private write(frame: Buffer): void {
    if (!this.closed && this.transport.writable) this.transport.write(frame);
  }

  private maybeForget(id: number): void {
    const s = this.streams.get(id);
    if (s?.remoteClosed) this.streams.delete(id);
  }

  private fail(err: Error): void {
    this.emit('protocol-error', err);
    this.close();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (len > MAX_FRAME) return this.fail(new Error(`SPDY frame of ${len} bytes`));
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.queue = this.queue.then(() => this.onFrame(frame)).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    const body = frame.subarray(8);
    if (!(frame[0] & 0x80)) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      this.streams.get(id)?.receive(Buffer.from(body), (flags & FLAG_FIN) !== 0);
      if (flags & FLAG_FIN) this.maybeForgetRemote(id);
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) return this.fail(new Error(`SPDY version ${version} (want 3)`));
    switch (frame.readUInt16BE(2)) {
      case SYN_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.decompress(body.subarray(10)));
        if (this.streams.has(id)) return this.sendReset(id, RST_PROTOCOL_ERROR);
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        await this.reply(id);
        this.emit('stream', stream);
        if (flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
        return;
      }
      case RST_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const s = this.streams.get(id);
        this.streams.delete(id);
        s?.destroy();
        return;
      }
      case PING:
        return this.write(control(PING, 0, Buffer.from(body)));
      case GOAWAY:
        return this.close();
      default:
        return; // SETTINGS, WINDOW_UPDATE, HEADERS, NOOP: nothing to do
    }
  }

  private maybeForgetRemote(id: number): void {
    const s = this.streams.get(id);
    if (s && s.writableFinished) this.streams.delete(id);
  }

  private async reply(id: number): Promise<void> {
    const block = await this.compress(Buffer.alloc(4)); // zero name/value pairs
    const body = Buffer.alloc(4);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    this.write(control(SYN_REPLY, 0, Buffer.concat([body, block])));
  }

  private decompress(block: Buffer): Promise<Buffer> {
    return new Promise((ok) => {
      this.inflated = [];
      this.inflate.write(block);
      this.inflate.flush(zc.Z_SYNC_FLUSH, () => ok(Buffer.concat(this.inflated)));
    });
  }

  private compress(block: Buffer): Promise<Buffer> {
    return new Promise((ok) => {
      this.deflated = [];
      this.deflate.write(block);
      this.deflate.flush(zc.Z_SYNC_FLUSH, () => ok(Buffer.concat(this.deflated)));
    });
  }
}

function control(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((flags << 24) | body.length, 4);
  return Buffer.concat([h, body]);
}

/** SPDY/3 name/value block: 32-bit count, then length-prefixed names and values (NUL-separated multi-values). */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  if (block.length < 4) return out;
  let off = 4;
  const count = block.readUInt32BE(0);
  for (let i = 0; i < count && off + 4 <= block.length; i++) {
    const nlen = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nlen).toString('latin1').toLowerCase();
    off += 4 + nlen;
    const vlen = block.readUInt32BE(off);
    const value = block.subarray(off + 4, off + 4 + vlen).toString('latin1');
    off += 4 + vlen;
    out.set(name, value.split('\0')[0]);
  }
  return out;
}

/** Encodes a name/value block (tests play the client with it). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k, 'latin1'), u32(v.length), Buffer.from(v, 'latin1'));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
