// The gateway's TLS listener: HTTP/2 (ALPN `h2`) with HTTP/1.1 on the same port, as kube-apiserver
// serves. kubectl and client-go negotiate h2, so their requests and watches are streams multiplexed
// on one connection; clients that offer no ALPN or only `http/1.1` (Node's https, curl --http1.1,
// client-go's WebSocket and SPDY dialers for exec/attach/port-forward) get HTTP/1.1, where
// connection upgrades exist. Handlers see the same request/response API under both protocols
// (Node's compatibility layer); the few HTTP/1.1-only headers they set are dropped under h2.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createSecureServer, Http2ServerRequest, Http2ServerResponse, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Duplex, ReadableOptions } from 'node:stream';
import type { TLSSocket } from 'node:tls';

export interface SecureServerOptions {
  cert: Buffer | string;
  key: Buffer | string;
  /** Largest request header block, both protocols (kube's Go server: 1 MiB). */
  maxHeaderBytes: number;
  /** Idle HTTP/1.1 keep-alive connections close after this long. */
  keepAliveTimeoutMs: number;
  /** Concurrent streams per HTTP/2 connection (kube-apiserver's --http2-max-streams-per-connection: 1000). */
  maxConcurrentStreams?: number;
  /** Offer `h2` in ALPN; false serves HTTP/1.1 only (KEELSON_API_HTTP2=false). */
  http2?: boolean;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface SecureServer {
  server: Http2SecureServer;
  /** Ends every connection at once: open HTTP/2 sessions get GOAWAY first, then all sockets close. */
  closeAllConnections(): void;
}

// RFC 9113 §8.2.2: connection-specific fields are malformed in HTTP/2 (Node throws on them).
// Handlers written for HTTP/1.1 set Transfer-Encoding on watches and proxies copy it from upstreams;
// over h2 each DATA frame is already a chunk, so these are dropped rather than sent.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function withoutConnectionSpecific(headers: OutgoingHttpHeaders | readonly unknown[] | undefined): OutgoingHttpHeaders | readonly unknown[] | undefined {
  if (!headers) return headers;
  if (Array.isArray(headers)) {
    // The flat [name, value, name, value, ...] form.
    const out: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (!CONNECTION_SPECIFIC.has(String(headers[i]).toLowerCase())) out.push(headers[i], headers[i + 1]);
    return out;
  }
  let copy: OutgoingHttpHeaders | undefined;
  for (const name of Object.keys(headers)) {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) {
      copy ??= { ...(headers as OutgoingHttpHeaders) };
      delete copy[name];
    }
  }
  return copy ?? headers;
}

/**
 * The compatibility request, whose `socket` keeps the peer's and our address after the stream
 * closes: Node's proxies the stream's session, which is gone by then, so the audit line written
 * when the response closes saw no source IP. Other socket properties still go to the live proxy.
 */
export class GatewayHttp2Request extends Http2ServerRequest {
  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, options: ReadableOptions, rawHeaders: readonly string[]) {
    super(stream, headers, options, rawHeaders);
    const snapshot: unknown = Object.create(this.socket, addressesOf(stream.session, this.socket));
    Object.defineProperty(this, 'socket', { value: snapshot, enumerable: true });
  }
}

// A session's addresses, read once per connection: through the per-stream socket proxy they were
// five proxied getter reads on every request.
const sessionAddresses = new WeakMap<object, PropertyDescriptorMap>();

function addressesOf(session: object | undefined, live: TLSSocket | Duplex): PropertyDescriptorMap {
  const known = session && sessionAddresses.get(session);
  if (known) return known;
  const s = live as Partial<TLSSocket>;
  const fixed = (v: unknown): PropertyDescriptor => ({ value: v, enumerable: true });
  const map = { remoteAddress: fixed(s.remoteAddress), remotePort: fixed(s.remotePort), remoteFamily: fixed(s.remoteFamily), localAddress: fixed(s.localAddress), localPort: fixed(s.localPort) };
  if (session && s.remoteAddress !== undefined) sessionAddresses.set(session, map); // not a closed one's
  return map;
}

/** The compatibility response, minus HTTP/1.1-only headers. */
export class GatewayHttp2Response extends Http2ServerResponse {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.setHeader(name, value);
    return this;
  }

  /**
   * As http.ServerResponse's: end(chunk) writes the chunk without going through `this.write`.
   * Node's h2 compat end() calls this.write, so a tap wrapping both (the audit log's) saw the last
   * chunk twice, and the audited response body no longer parsed.
   */
  override end(...args: unknown[]): this {
    let [chunk, encoding, cb] = args;
    if (typeof chunk === 'function') [chunk, encoding, cb] = [undefined, undefined, chunk];
    else if (typeof encoding === 'function') [encoding, cb] = [undefined, encoding];
    if (chunk !== undefined && chunk !== null && !this.writableEnded && !this.stream.destroyed && !this.stream.closed) {
      Http2ServerResponse.prototype.write.call(this, chunk as string | Uint8Array, (encoding ?? 'utf8') as BufferEncoding);
    }
    return typeof cb === 'function' ? super.end(cb as () => void) : super.end();
  }

  override writeHead(statusCode: number, ...rest: unknown[]): this {
    // writeHead(code, headers) or writeHead(code, statusMessage, headers); HTTP/2 has no status message.
    const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
    return super.writeHead(statusCode, withoutConnectionSpecific(headers as OutgoingHttpHeaders | undefined) as OutgoingHttpHeaders);
  }
}

export function createGatewayServer(opts: SecureServerOptions, listener: RequestListener, upgrade: UpgradeListener): SecureServer {
  const http2 = opts.http2 ?? true;
  const server: Http2SecureServer = createSecureServer(
    {
      cert: opts.cert,
      key: opts.key,
      allowHTTP1: true,
      // As http.createServer defaults (net.Server does not): a small answer goes out at once,
      // not after the client's delayed ACK (Nagle), which one request at a time would wait on.
      noDelay: true,
      // Without `h2` here every client falls back to HTTP/1.1 on this same code path.
      ALPNProtocols: http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      maxSessionMemory: 64, // MiB per session: a connection carries many watches (Node's default is 10)
      maxHeaderListPairs: 4096,
      settings: { maxHeaderListSize: opts.maxHeaderBytes, maxConcurrentStreams: opts.maxConcurrentStreams ?? 1000, enablePush: false },
      Http2ServerRequest: GatewayHttp2Request,
      Http2ServerResponse: GatewayHttp2Response,
    },
    listener as unknown as Parameters<typeof createSecureServer>[1],
  ) as unknown as Http2SecureServer;
  // The HTTP/1.1 side of the server reads these like http.Server's (Node's _http_server).
  const h1 = server as unknown as { maxHeaderSize: number; keepAliveTimeout: number };
  h1.maxHeaderSize = opts.maxHeaderBytes;
  h1.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.on('upgrade', upgrade);

  const sockets = new Set<TLSSocket>();
  const sessions = new Set<ServerHttp2Session>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    // Connection-level window for request bodies: at HTTP/2's default 64 KiB one stalled upload
    // would hold up every other stream's body on the connection.
    session.once('connect', () => session.setLocalWindowSize(32 << 20));
    session.once('close', () => sessions.delete(session));
    // A client vanishing mid-stream must not take the process down with an unhandled 'error'.
    session.on('error', () => session.destroy());
  });
  return {
    server,
    closeAllConnections() {
      for (const s of sessions) if (!s.destroyed) s.goaway();
      for (const s of sockets) s.destroy();
    },
  };
}
