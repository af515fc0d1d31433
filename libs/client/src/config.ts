// Client configuration, read from the environment in this one place.
import { readFileSync } from 'node:fs';

export interface RetryPolicy {
  /** Extra attempts after the first; default 5. */
  maxRetries: number;
  /** First back-off; doubles per attempt (with jitter) up to maxDelayMs. Default 50 ms. */
  baseDelayMs: number;
  /** Default 2000 ms. */
  maxDelayMs: number;
}

export interface ClientConfig {
  /** `https://127.0.0.1:6443` */
  url: string;
  /** Bearer token; sent on every request when set. */
  token?: string;
  /** PEM of the CA that signed the gateway's serving certificate. */
  ca?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sent as User-Agent (shows in gateway logs and managedFields). */
  userAgent?: string;
  /**
   * One multiplexed HTTP/2 connection (true; the default for https) or HTTP/1.1 keep-alive sockets
   * (false). `KEELSON_API_HTTP2`.
   */
  http2?: boolean;
}

/**
 * Environment variables (defaults in brackets):
 *   KEELSON_API_URL      [https://127.0.0.1:6443]
 *   KEELSON_TOKEN        bearer token, or
 *   KEELSON_TOKEN_FILE   a file holding it (first line; a kube-apiserver token file's first field)
 *   KEELSON_CA_FILE      PEM CA bundle for the gateway's certificate
 *   KEELSON_API_TIMEOUT_MS [30000]
 *   KEELSON_API_HTTP2    [true for https] false: HTTP/1.1 keep-alive instead of one HTTP/2 connection
 */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv = process.env, userAgent?: string): ClientConfig {
  const cfg: ClientConfig = { url: env.KEELSON_API_URL || 'https://127.0.0.1:6443' };
  if (env.KEELSON_TOKEN) cfg.token = env.KEELSON_TOKEN;
  else if (env.KEELSON_TOKEN_FILE) cfg.token = tokenFromFile(env.KEELSON_TOKEN_FILE);
  if (env.KEELSON_CA_FILE) cfg.ca = readFileSync(env.KEELSON_CA_FILE, 'utf8');
  if (env.KEELSON_API_TIMEOUT_MS) cfg.timeoutMs = Number(env.KEELSON_API_TIMEOUT_MS);
  if (env.KEELSON_API_HTTP2) cfg.http2 = env.KEELSON_API_HTTP2 !== 'false';
  if (userAgent) cfg.userAgent = userAgent;
  return cfg;
}

// Accepts a bare token file or a kube-apiserver static token file (`token,user,uid,...`): first line, first field.
function tokenFromFile(path: string): string {
  const line = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#')) ?? '';
  return line.split(',')[0].trim();
}
