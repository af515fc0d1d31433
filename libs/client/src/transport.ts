// One HTTP(S) round trip with bearer auth, trace propagation, timeouts and retries with back-off
// (idempotent verbs only, plus requests the server never saw). Over https every request and watch
// is a stream on one multiplexed HTTP/2 connection (http2-connection.ts), as client-go does;
// `http2: false` (KEELSON_API_HTTP2=false) uses HTTP/1.1 keep-alive sockets instead.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { constants as h2constants, type ClientHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';
import { ApiError, isRecord, type Status } from '@keelson/api';
import { injectInto } from '@keelson/telemetry';
import type { ClientConfig, RetryPolicy } from './config';
import { Http2Connection, NotProcessedError, notProcessed } from './http2-connection';

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  /** Overrides the configured timeout for this call. */
  timeoutMs?: number;
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
  /** The Accept header (default `application/json`), e.g. aggregated discovery's media type. */
  accept?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A long-running answer (a watch): its lines as they arrive; `close` ends it from this side. */
export interface StreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  lines: AsyncIterable<string>;
  close(): void;
}

/** The request never got an HTTP answer (refused, reset, timed out) after all retries. */
export class ConnectionError extends Error {
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
// Errors on which the server may or may not have processed the request.
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_STREAM_CANCEL', 'ENOTPROCESSED']);
// Errors after which the request certainly never reached the server, so even a POST may be resent.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTPROCESSED']);
const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 50, maxDelayMs: 2000 };

export class Transport {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  /** Set when requests go over HTTP/2 (the default for https). */
  private readonly h2: Http2Connection | undefined;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly cfg: ClientConfig) {
    this.base = new URL(cfg.url);
    this.agent = this.base.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: cfg.ca })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
    // h2 over TLS (ALPN) by default; over http only when asked (prior knowledge, no upgrade).
    if (cfg.http2 ?? this.base.protocol === 'https:') this.h2 = new Http2Connection(this.base, { ca: cfg.ca });
    this.retry = { ...DEFAULT_RETRY, ...cfg.retry };
    this.timeoutMs = cfg.timeoutMs ?? 30_000;
  }

  /** Sends the request; a non-2xx answer throws an ApiError built from its Status body. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const idempotent = IDEMPOTENT.has(method);
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.once(method, path, opts);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A refused connection or a stream the server never started (HTTP/2 GOAWAY, REFUSED_STREAM)
        // never reached the handler, so even a POST is safe to resend.
        const retryable = !opts.signal?.aborted && RETRYABLE_CODES.has(code ?? '') && (idempotent || NOT_SENT_CODES.has(code ?? ''));
        if (!retryable || attempt >= this.retry.maxRetries) {
          if (opts.signal?.aborted || !code) throw err;
          throw new ConnectionError(`${method} ${path}: ${(err as Error).message}`, code, { cause: err });
        }
        await this.sleep(this.backoff(attempt), opts.signal);
        continue;
      }
      if (res.status < 400) return res;
      const error = toApiError(res);
      // 429 is always a refusal before processing; 503 only for verbs safe to repeat.
      const retryable = res.status === 429 || (res.status === 503 && idempotent);
      if (!retryable || attempt >= this.retry.maxRetries) throw error;
      const after = Number(res.headers['retry-after']);
      await this.sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, this.retry.maxDelayMs) : this.backoff(attempt), opts.signal);
    }
  }

  close(): void {
    this.agent.destroy();
    this.h2?.close();
  }

  /** `http2` while requests are multiplexed on one HTTP/2 connection, else `http/1.1`. */
  get protocol(): 'http2' | 'http/1.1' {
    return this.h2 ? 'http2' : 'http/1.1';
  }

  /** HTTP/2 sessions opened so far (reconnects after GOAWAY or a lost connection add one each). */
  get sessionsOpened(): number {
    return this.h2?.sessionsOpened ?? 0;
  }

  /**
   * A long-running GET (a watch): resolves once the headers arrive; a non-2xx answer throws its
   * ApiError. Not retried: the caller resumes a watch from the last resourceVersion it saw.
   */
  async stream(path: string, opts: Pick<RequestOptions, 'signal' | 'accept'> = {}): Promise<StreamResponse> {
    const headers = this.headersFor(opts);
    const { status, head, body, close } = await new Promise<{ status: number; head: IncomingHttpHeaders; body: Readable; close: () => void }>((resolve, reject) => {
      if (this.h2) {
        let s: ClientHttp2Stream;
        try {
          s = this.h2.request({ ':method': 'GET', ':path': requestTarget(path, this.base), ...headers }, opts.signal);
        } catch (e) {
          return reject(e);
        }
        s.once('response', (h) => resolve({ status: Number(h[':status']), head: h, body: s, close: () => s.close(h2constants.NGHTTP2_CANCEL) }));
        s.on('error', reject); // after the answer, errors end `lines` (the iterator throws)
        s.end();
        return;
      }
      const url = new URL(path, this.base);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: 'GET', headers, agent: this.agent, signal: opts.signal }, (res: IncomingMessage) =>
        resolve({ status: res.statusCode ?? 0, head: res.headers, body: res, close: () => req.destroy() }),
      );
      req.on('error', reject);
      req.end();
    });
    if (status >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
      throw toApiError({ status, headers: head, body: Buffer.concat(chunks).toString('utf8') });
    }
    return { status, headers: head, lines: linesOf(body, close), close };
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.retry.baseDelayMs * 2 ** attempt, this.retry.maxDelayMs);
    return d / 2 + Math.random() * (d / 2);
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private headersFor(opts: Pick<RequestOptions, 'accept'>): Record<string, string> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.cfg.token) headers.authorization = `Bearer ${this.cfg.token}`;
    if (this.cfg.userAgent) headers['user-agent'] = this.cfg.userAgent;
    // The active OpenTelemetry context rides along, so the gateway continues the caller's trace.
    injectInto(headers);
    return headers;
  }

  private once(method: string, path: string, opts: RequestOptions): Promise<RawResponse> {
    const headers = this.headersFor(opts);
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    if (this.h2) return this.onceHttp2(method, requestTarget(path, this.base), headers, payload, timeout, opts.signal);
    const url = new URL(path, this.base);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal: opts.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.setTimeout(timeout, () => {
        const e = new Error(`no response within ${timeout} ms`) as NodeJS.ErrnoException;
        e.code = 'ETIMEDOUT';
        req.destroy(e);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  private onceHttp2(method: string, target: string, headers: Record<string, string>, payload: Buffer | undefined, timeout: number, signal?: AbortSignal): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = this.h2!.request({ ':method': method, ':path': target, ...headers }, signal);
      } catch (e) {
        return reject(e);
      }
      let status = 0;
      let head: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      const fail = (err: unknown): void => reject(notProcessed(stream, err) ? new NotProcessedError(`${method} ${target.split('?', 1)[0]}: not processed by the server (${(err as Error)?.message ?? err})`, { cause: err }) : err);
      const cutOff = (message: string): void => {
        const e = new Error(message) as NodeJS.ErrnoException;
        e.code = 'ECONNRESET';
        fail(e);
      };
      stream.on('response', (h) => {
        head = h;
        status = Number(h[':status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', fail);
      // Settle on 'close', not 'end': Node ends the readable side of a stream whose session died or
      // which the server reset, so 'end' alone does not mean the answer arrived whole. A stream
      // without an answer failed; an answer is complete when its body is as long as its
      // Content-Length or, without one, when the stream closed cleanly (NO_ERROR).
      stream.on('close', () => {
        const code = stream.rstCode ?? h2constants.NGHTTP2_NO_ERROR;
        if (!status) return cutOff(`stream closed with code ${code} before an answer`);
        const body = Buffer.concat(chunks);
        const declared = head['content-length'] === undefined ? undefined : Number(head['content-length']);
        if (!answerComplete(method, status, declared, body.length, code)) return cutOff(`response cut off after ${body.length}${declared === undefined ? '' : ` of ${declared}`} bytes (stream closed with code ${code})`);
        resolve({ status, headers: head, body: body.toString('utf8') });
      });
      stream.setTimeout(timeout, () => {
        const e = new Error(`no response within ${timeout} ms`) as NodeJS.ErrnoException;
        e.code = 'ETIMEDOUT';
        reject(e);
        stream.close(h2constants.NGHTTP2_CANCEL);
      });
      stream.end(payload);
    });
  }
}

// A path the client built itself (segments percent-encoded, no dot segments or fragment) is
// already what `new URL(path, base)` would give back as pathname + search: kept as it is, which
// spares parsing a URL per request (2 % of a kubelet's busy time in a rollout).
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~%!$&()*+,;=:@/?]*$/;

/** The `:path` of a request for `path` relative to `base`. */
export function requestTarget(path: string, base: URL): string {
  if (PLAIN_PATH.test(path) && !path.includes('/.') && !path.includes('//') && !path.endsWith('?')) return path;
  const url = new URL(path, base);
  return url.pathname + url.search;
}

/**
 * Whether an HTTP/2 answer arrived whole. A body is as long as its Content-Length; without one,
 * only a clean close (NO_ERROR) vouches for it. A bodiless answer (HEAD, 204, 304) is whole once
 * its headers came, if they declared a length or the stream closed cleanly.
 */
function answerComplete(method: string, status: number, declared: number | undefined, received: number, rstCode: number): boolean {
  const clean = rstCode === h2constants.NGHTTP2_NO_ERROR;
  if (method === 'HEAD' || status === 204 || status === 304) return clean || declared !== undefined;
  if (declared !== undefined && Number.isFinite(declared)) return received === declared;
  return clean;
}

/** Newline-delimited lines of a body, ending when it ends (or `close` is called by a consumer leaving early). */
async function* linesOf(body: Readable, close: () => void): AsyncGenerator<string> {
  let rest = '';
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      rest += chunk.toString('utf8');
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.trim()) yield line;
      }
    }
    if (rest.trim()) yield rest;
  } finally {
    close();
  }
}

function toApiError(res: RawResponse): ApiError {
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (isRecord(parsed) && parsed.kind === 'Status') return ApiError.fromStatus(parsed as Partial<Status>, res.status);
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall through to a generic error.
  }
  return ApiError.fromStatus({ message: res.body.slice(0, 500) || `HTTP ${res.status}`, reason: reasonFor(res.status) }, res.status);
}

function reasonFor(code: number): Status['reason'] {
  const m: Record<number, Status['reason']> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 503: 'ServiceUnavailable', 504: 'Timeout' };
  return m[code] ?? 'InternalError';
}
