// The health and metrics endpoints every controller process serves (the Manager's, and the
// operator SDK's Operator): /healthz and /livez (200 until the process stops), /readyz (200 with
// a short state once ready, 503 before), /metrics (a Prometheus registry). One implementation,
// so a Keelson service and an operator built outside answer probes and scrapes alike.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthOptions {
  /** 0 = any free port (see `port` after listen()). */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
}

export interface HealthProbes {
  /** False once stopping: /healthz and /livez answer 503 `stopping`. */
  live(): boolean;
  /** The /readyz body when ready (e.g. `ok: leading`), undefined when not (503 `not ready`). */
  ready(): string | undefined;
  metrics?: Registry;
}

export class HealthServer {
  private server?: Server;

  constructor(private readonly opts: HealthOptions, private readonly probes: HealthProbes) {}

  /** The port listened on (0 before listen()). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/livez') {
        const live = this.probes.live();
        res.writeHead(live ? 200 : 503, { 'content-type': 'text/plain' }).end(live ? 'ok' : 'stopping');
      } else if (path === '/readyz') {
        const ready = this.probes.ready();
        res.writeHead(ready !== undefined ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ?? 'not ready');
      } else if (path === '/metrics' && this.probes.metrics) {
        const registry = this.probes.metrics;
        registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
