// One HTTP(S) round trip with keep-alive, bearer auth, trace propagation, timeouts and
// retries with back-off (idempotent verbs only, plus requests the server never saw).
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ApiError, isRecord, type Status } from '@keelson/api';
import { injectInto } from '@keelson/telemetry';
import type { ClientConfig, RetryPolicy } from './config';

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

/** The request never got an HTTP answer (refused, reset, timed out) after all retries. */
export class ConnectionError extends Error {
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
// Errors on which the server may or may not have processed the request.
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);
const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 50, maxDelayMs: 2000 };

export class Transport {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly cfg: ClientConfig) {
    this.base = new URL(cfg.url);
    this.agent = this.base.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: cfg.ca })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
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
        // A refused connection never reached the server, so even a POST is safe to resend.
        const retryable = !opts.signal?.aborted && RETRYABLE_CODES.has(code ?? '') && (idempotent || code === 'ECONNREFUSED');
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

  private once(method: string, path: string, opts: RequestOptions): Promise<RawResponse> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.cfg.token) headers.authorization = `Bearer ${this.cfg.token}`;
    if (this.cfg.userAgent) headers['user-agent'] = this.cfg.userAgent;
    // The active OpenTelemetry context rides along, so the gateway continues the caller's trace.
    injectInto(headers);
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const url = new URL(path, this.base);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeout = opts.timeoutMs ?? this.timeoutMs;
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
