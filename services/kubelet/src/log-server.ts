// The kubelet's log endpoint (kubelet server's /containerLogs/{namespace}/{pod}/{container}),
// which the gateway proxies for `kubectl logs`. Listens on loopback by default; when an
// auth token is configured, only a caller presenting it (the gateway) is served.
import { bearerTokenMatches } from '@keelson/controller-runtime';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { open, stat } from 'node:fs/promises';

/** What the server needs to know about a container to find its log. */
export interface LogTarget {
  /** The log file of attempt `restartCount` (undefined: the runtime keeps no logs). */
  path(restartCount: number): string | undefined;
  restartCount: number;
  running: boolean;
  /** Waiting reason when it has not started yet. */
  waiting?: string;
  /** Whether the same attempt is still running (follow ends when it is not). */
  stillRunning(): boolean;
}

export type LogLookup = (namespace: string, pod: string, container: string) => LogTarget | 'no-pod' | 'no-container';

export interface LogServerOptions {
  address: string;
  port: number;
  authToken?: string;
  lookup: LogLookup;
  /** Follow polls the file this often; default 200 ms. */
  pollMs?: number;
  /** Connection upgrades (exec, attach, port-forward: streaming/server.ts) on the same port. */
  upgrade?: (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void;
  /** Further authenticated routes (the Summary API: stats/stats-server.ts); true when answered. */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export class LogServer {
  private server?: Server;

  constructor(private readonly opts: LogServerOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      });
    });
    if (this.opts.upgrade) this.server.on('upgrade', this.opts.upgrade);
    await new Promise<void>((ok, fail) => {
      this.server!.once('error', fail);
      this.server!.listen(this.opts.port, this.opts.address, () => ok());
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private authorized(req: IncomingMessage): boolean {
    return bearerTokenMatches(req, this.opts.authToken);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') return void res.end('ok');
    if (!this.authorized(req)) return text(res, 401, 'Unauthorized');
    if (this.opts.routes && (await this.opts.routes(req, res, url))) return;
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return text(res, 404, 'not found');
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
    const q = url.searchParams;
    const target = this.opts.lookup(ns, pod, container);
    if (target === 'no-pod') return text(res, 404, `pod ${ns}/${pod} not found on this node`);
    if (target === 'no-container') return text(res, 400, `container ${container} is not valid for pod ${pod}`);
    const previous = q.get('previous') === 'true';
    const attempt = previous ? target.restartCount - 1 : target.restartCount;
    if (previous && attempt < 0) return text(res, 400, `previous terminated container "${container}" in pod "${pod}" not found`);
    if (!previous && target.waiting) return text(res, 400, `container "${container}" in pod "${pod}" is waiting to start: ${target.waiting}`);
    const path = target.path(attempt);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    if (!path) return void res.end();
    const tail = q.has('tailLines') ? Math.max(0, Number(q.get('tailLines'))) : undefined;
    const limitBytes = q.has('limitBytes') ? Math.max(0, Number(q.get('limitBytes'))) : undefined;
    let pos = await writeExisting(res, path, tail, limitBytes);
    if (q.get('follow') !== 'true' || previous) return void res.end();
    res.flushHeaders();
    // Follow: poll for appended bytes until the attempt ends (and is drained) or the client leaves.
    let closed = false;
    res.on('close', () => (closed = true));
    const pollMs = this.opts.pollMs ?? 200;
    while (!closed) {
      const alive = target.stillRunning();
      pos = await copyFrom(res, path, pos);
      if (!alive) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    res.end();
  }
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
}

/** Writes the file (its last `tail` lines, at most `limit` bytes); returns the offset read to. */
async function writeExisting(res: ServerResponse, path: string, tail: number | undefined, limit: number | undefined): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return 0; // not written yet
  }
  const f = await open(path, 'r');
  try {
    // Reading back at most 8 MiB bounds the cost of tailing a very long log.
    const start = Math.max(0, size - 8 * 1024 * 1024);
    const buf = Buffer.alloc(size - start);
    await f.read(buf, 0, buf.length, start);
    let out: Buffer = buf;
    if (tail !== undefined) out = tailLines(out, tail);
    if (limit !== undefined) out = out.subarray(0, limit);
    res.write(out);
    return size;
  } finally {
    await f.close();
  }
}

async function copyFrom(res: ServerResponse, path: string, pos: number): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return pos;
  }
  if (size <= pos) return size < pos ? 0 : pos;
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - pos);
    await f.read(buf, 0, buf.length, pos);
    res.write(buf);
    return size;
  } finally {
    await f.close();
  }
}

/** The last `n` lines of `buf` (each ending in a newline, except a final partial one). */
export function tailLines(buf: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  let idx = buf.length;
  if (idx > 0 && buf[idx - 1] === 10) idx--; // a trailing newline ends the last line, it does not start one
  for (let i = 0; i < n; i++) {
    // (a negative offset would search from the end: stop at the start instead)
    idx = idx > 0 ? buf.lastIndexOf(10, idx - 1) : -1;
    if (idx < 0) return buf;
  }
  return buf.subarray(idx + 1);
}
