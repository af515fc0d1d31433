// One multiplexed HTTP/2 connection per API server, as client-go keeps: every request and watch
// of a client is a stream on it. The session is opened on first use and replaced when the server
// sends GOAWAY (a gateway shutting down), the socket closes or fails; streams the server never
// started (above GOAWAY's last stream id, or refused) fail with `NotProcessed`, so the transport
// may resend them on the next session whatever their verb.
import { isIP } from 'node:net';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';

/** The server never started this stream (GOAWAY above its id, REFUSED_STREAM, or the session was already going away). */
export class NotProcessedError extends Error {
  readonly code = 'ENOTPROCESSED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotProcessedError';
  }
}

export interface Http2ConnectionOptions {
  /** PEM CA for the server's certificate (https only; `http:` means h2 with prior knowledge). */
  ca?: string;
}

export class Http2Connection {
  private current: ClientHttp2Session | undefined;
  private active = 0;
  /** Sessions opened so far (1 while the first lives; +1 per reconnect). */
  sessionsOpened = 0;

  constructor(private readonly origin: URL, private readonly opts: Http2ConnectionOptions = {}) {}

  /**
   * Opens a stream. Headers are sent at once, the body (if any) with `end`. Errors before the
   * server could have seen the request are NotProcessedError.
   */
  request(headers: OutgoingHttpHeaders, signal?: AbortSignal): ClientHttp2Stream {
    const session = this.session();
    let stream: ClientHttp2Stream;
    try {
      // endStream false: the caller ends the stream, with the body if there is one. Node's default
      // ends DELETE (and GET/HEAD) streams at once, so a DELETE's DeleteOptions body failed.
      stream = session.request(headers, { signal, endStream: false });
    } catch (e) {
      // ERR_HTTP2_GOAWAY_SESSION / ERR_HTTP2_INVALID_SESSION: this session just ended; the next call opens another.
      this.forget(session);
      throw new NotProcessedError(`HTTP/2 session unusable: ${(e as Error).message}`, { cause: e });
    }
    this.active++;
    if (this.active === 1) session.ref();
    stream.once('close', () => {
      this.active--;
      if (this.active === 0 && !session.destroyed) session.unref();
    });
    return stream;
  }

  /** Closes the session (GOAWAY to the server); in-flight streams finish. */
  close(): void {
    const s = this.current;
    this.current = undefined;
    if (s && !s.closed) s.close();
  }

  private session(): ClientHttp2Session {
    const s = this.current;
    if (s && !s.closed && !s.destroyed) return s;
    // No SNI for an IP address (RFC 6066; Node warns DEP0123): the certificate is still checked against the IP.
    const servername = isIP(this.origin.hostname.replace(/^\[|\]$/g, '')) ? '' : this.origin.hostname;
    // noDelay (net's socket option, passed through tls.connect): a small request goes out at once, not held back by Nagle.
    // initialWindowSize: each stream may receive 4 MiB before it waits for a WINDOW_UPDATE, as
    // client-go's transport allows (a 430 KB LIST of 500 Nodes: one round trip, not seven).
    const session = connect(this.origin, { ca: this.opts.ca, servername, maxSessionMemory: 64, noDelay: true, settings: { initialWindowSize: 4 << 20 } } as SecureClientSessionOptions);
    this.sessionsOpened++;
    this.current = session;
    // A server's GOAWAY (graceful or not) or a dead socket: new requests go to a fresh session,
    // streams already under way finish (or fail) on this one.
    session.once('goaway', () => this.forget(session));
    session.once('close', () => this.forget(session));
    session.on('error', () => this.forget(session)); // streams see their own error
    // Connection-level flow control: at HTTP/2's default 64 KiB one watch its consumer leaves
    // unread would stall every other stream; client-go uses 1 GiB, this 32 MiB.
    session.once('connect', () => session.setLocalWindowSize(32 << 20));
    session.unref(); // idle, it must not keep the process alive
    return session;
  }

  private forget(session: ClientHttp2Session): void {
    if (this.current === session) this.current = undefined;
  }
}

/** Whether a stream's failure means the server never processed it, so any verb may be resent. */
export function notProcessed(stream: ClientHttp2Stream, err: unknown): boolean {
  if (err instanceof NotProcessedError) return true;
  if (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // Refused before any byte went out (connect failed).
  return code === 'ECONNREFUSED' || code === 'ERR_HTTP2_GOAWAY_SESSION';
}

export type { IncomingHttpHeaders };
