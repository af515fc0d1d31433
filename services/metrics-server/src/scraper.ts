// Scrapes every Node's kubelet Summary API (GET /stats/summary on the kubelet's address and
// daemonEndpoints.kubeletEndpoint.Port, with the kubelet bearer token), all nodes each round,
// a bounded number at a time, as metrics-server's scraper does every --metric-resolution.
import { request } from 'node:http';
import { isRecord, type KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { MetricsStorage, Summary } from './storage';

export interface ScraperOptions {
  nodes: () => KubeObject[];
  storage: MetricsStorage;
  token?: string;
  log: Logger;
  timeoutMs?: number;
  concurrency?: number;
}

export function kubeletAddress(node: KubeObject): { host: string; port: number } | undefined {
  const status = isRecord(node.status) ? node.status : {};
  const addresses = (Array.isArray(status.addresses) ? status.addresses : []).filter(isRecord);
  const host = String(addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses[0]?.address ?? '');
  const ep = isRecord(status.daemonEndpoints) && isRecord(status.daemonEndpoints.kubeletEndpoint) ? status.daemonEndpoints.kubeletEndpoint : {};
  const port = Number(ep.Port);
  return host && port ? { host, port } : undefined;
}

export class Scraper {
  constructor(private readonly opts: ScraperOptions) {}

  /** One round over every node; returns how many answered. */
  async scrapeAll(): Promise<{ ok: number; failed: number }> {
    const nodes = this.opts.nodes();
    const seen = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    let ok = 0;
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < nodes.length) {
        const node = nodes[next++];
        const name = node.metadata?.name ?? '';
        try {
          this.opts.storage.store(name, await this.scrape(node));
          ok++;
        } catch (err) {
          failed++;
          // As metrics-server: a node that does not answer has no metrics until it does.
          this.opts.storage.forgetNode(name);
          this.opts.log.debug('scraping a node failed', { node: name, err: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 20, nodes.length) }, worker));
    void seen;
    return { ok, failed };
  }

  scrape(node: KubeObject): Promise<Summary> {
    const name = node.metadata?.name ?? '';
    const addr = kubeletAddress(node);
    if (!addr) return Promise.reject(new Error(`node ${name} has no kubelet endpoint`));
    return new Promise<Summary>((ok, fail) => {
      const rq = request({
        host: addr.host, port: addr.port, path: `/stats/summary?nodeName=${encodeURIComponent(name)}`, method: 'GET',
        headers: this.opts.token ? { Authorization: `Bearer ${this.opts.token}` } : {}, timeout: this.opts.timeoutMs ?? 10_000,
      }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
          if (res.statusCode !== 200) return fail(new Error(`kubelet answered ${res.statusCode}: ${body.slice(0, 200)}`));
          try {
            ok(JSON.parse(body) as Summary);
          } catch (e) {
            fail(e as Error);
          }
        });
      });
      rq.on('error', fail).on('timeout', () => rq.destroy(new Error('timeout'))).end();
    });
  }
}
