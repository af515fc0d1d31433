// metrics.k8s.io/v1beta1 as metrics-server serves it (pkg/api): NodeMetrics (cluster-scoped)
// and PodMetrics (namespaced), get and list with labelSelector, read-only. Reached only through
// the gateway's aggregation proxy, which has authorized the user already: a request must carry
// the gateway's bearer token (the kubelet token both share).
import { bearerTokenMatches } from '@keelson/controller-runtime';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, errors, parseLabelSelector, type KubeObject, type LabelSelector } from '@keelson/api';
import { cpuQuantity, goDuration, memoryQuantity } from './quantity';
import type { MetricsStorage } from './storage';

export const GROUP = 'metrics.k8s.io';
export const VERSION = 'v1beta1';
const GV = `${GROUP}/${VERSION}`;
const PREFIX = `/apis/${GV}`;

export interface MetricsApiOptions {
  address: string;
  port: number;
  token?: string;
  storage: MetricsStorage;
  pods: { list(): KubeObject[]; getByName(namespace: string | undefined, name: string): KubeObject | undefined };
  nodes: { list(): KubeObject[]; getByName(namespace: string | undefined, name: string): KubeObject | undefined };
}

export const RESOURCE_LIST = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GV,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

export class MetricsApi {
  private server?: Server;

  constructor(private readonly opts: MetricsApiOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (err) {
        const e = err instanceof ApiError ? err : errors.internal(err instanceof Error ? err.message : String(err));
        res.writeHead(e.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(e.toStatus()));
      }
    });
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
    return bearerTokenMatches(req, this.opts.token);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://metrics-server');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/healthz' || path === '/readyz') return void res.end('ok');
    if (!this.authorized(req)) throw errors.unauthorized();
    if (path === PREFIX) return send(res, RESOURCE_LIST);
    if (!path.startsWith(`${PREFIX}/`)) throw errors.notFoundPath();
    if (req.method !== 'GET') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const parts = path.slice(PREFIX.length + 1).split('/').map(decodeURIComponent);
    const selector = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
    if (parts[0] === 'nodes' && parts.length <= 2) {
      if (parts.length === 2) return send(res, this.nodeMetrics(parts[1], true)!);
      return send(res, this.list('NodeMetricsList', this.opts.nodes.list().filter((n) => selector.matches(n.metadata?.labels)).map((n) => this.nodeMetrics(n.metadata?.name ?? '', false))));
    }
    if (parts[0] === 'pods' && parts.length === 1) return send(res, this.podList(undefined, selector));
    if (parts[0] === 'namespaces' && parts.length >= 3 && parts[2] === 'pods') {
      if (parts.length === 3) return send(res, this.podList(parts[1], selector));
      if (parts.length === 4) return send(res, this.podMetrics(parts[1], parts[3], true)!);
    }
    throw errors.notFoundPath();
  }

  private list(kind: string, items: Array<object | undefined>): object {
    return { kind, apiVersion: GV, metadata: {}, items: items.filter((i): i is object => !!i) };
  }

  private podList(namespace: string | undefined, selector: LabelSelector): object {
    const pods = this.opts.pods.list().filter((p) => (!namespace || p.metadata?.namespace === namespace) && selector.matches(p.metadata?.labels));
    return this.list('PodMetricsList', pods.map((p) => this.podMetrics(p.metadata?.namespace ?? '', p.metadata?.name ?? '', false)));
  }

  private nodeMetrics(name: string, required: boolean): object | undefined {
    const node = this.opts.nodes.getByName(undefined, name);
    const u = node && this.opts.storage.node(name);
    if (!node || !u) {
      if (required) throw errors.notFound(`nodemetrics.${GROUP}`, name);
      return undefined;
    }
    return {
      kind: 'NodeMetrics', apiVersion: GV,
      metadata: { name, creationTimestamp: new Date().toISOString(), ...(node.metadata?.labels ? { labels: node.metadata.labels } : {}) },
      timestamp: u.timestamp, window: goDuration(u.windowMs),
      usage: { cpu: cpuQuantity(u.nanoCores), memory: memoryQuantity(u.memoryBytes) },
    };
  }

  private podMetrics(namespace: string, name: string, required: boolean): object | undefined {
    const pod = this.opts.pods.getByName(namespace, name);
    const u = pod && this.opts.storage.pod(namespace, name);
    if (!pod || !u) {
      if (required) throw errors.notFound(`podmetrics.${GROUP}`, name);
      return undefined;
    }
    return {
      kind: 'PodMetrics', apiVersion: GV,
      metadata: { name, namespace, creationTimestamp: new Date().toISOString(), ...(pod.metadata?.labels ? { labels: pod.metadata.labels } : {}) },
      timestamp: u.timestamp, window: goDuration(u.windowMs),
      containers: u.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.nanoCores), memory: memoryQuantity(c.memoryBytes) } })),
    };
  }
}

function send(res: ServerResponse, body: object): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
