// Readiness probes for the local cluster: poll an HTTP(S) URL until it answers 2xx, and port checks.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** One GET; resolves to the status code, or 0 when the connection fails. */
export function probe(url: string, ca?: string, timeoutMs = 2000): Promise<number> {
  const u = new URL(url);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const r = req(u, { method: 'GET', ca, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', () => resolve(0));
    r.end();
  });
}

export class NotReadyError extends Error {
  constructor(readonly url: string, readonly waitedMs: number) {
    super(`${url} not ready after ${Math.round(waitedMs / 1000)}s`);
    this.name = 'NotReadyError';
  }
}

/** Polls `url` until 2xx. `alive` lets the caller give up early when the process died for good. */
export async function waitReady(url: string, opts: { timeoutMs: number; ca?: string; intervalMs?: number; cancelled?: () => boolean }): Promise<void> {
  const start = Date.now();
  let interval = opts.intervalMs ?? 50;
  for (;;) {
    const code = await probe(url, opts.ca);
    if (code >= 200 && code < 300) return;
    if (opts.cancelled?.()) throw new Error(`waiting for ${url} cancelled`);
    if (Date.now() - start > opts.timeoutMs) throw new NotReadyError(url, Date.now() - start);
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, 500);
  }
}

/** True when nothing listens on host:port (so our child will not fail with EADDRINUSE). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
