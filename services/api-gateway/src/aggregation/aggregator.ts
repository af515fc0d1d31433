// kube-aggregator's proxy, in the gateway: a group version registered by an APIService with
// spec.service (e.g. v1beta1.metrics.k8s.io → kube-system/metrics-server) is served by that
// service. The gateway has already authenticated the user and authorized the request with its
// RBAC (server.ts); it forwards the request to one of the service's endpoints (as
// --enable-aggregator-routing does) with the user's identity in X-Remote-User / X-Remote-Group
// (the front-proxy headers) and its own bearer token, which the backend trusts. The group shows
// in /apis and in aggregated discovery (resources read from the backend's APIResourceList).
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { errors, isRecord, type KubeObject, type ResourceRegistry } from '@keelson/api';
import type { WatchCache } from '@keelson/storage';
import type { UserInfo } from '../http/auth';
import { clientGone } from '../http/io';

export interface AggregatedGroupVersion {
  group: string;
  version: string;
  namespace: string;
  service: string;
  port: number;
  /** keelson.dev/loopback-endpoint: host:port of a server on the gateway's own loopback (no Endpoints can name it). */
  loopback?: string;
  groupPriorityMinimum: number;
  versionPriority: number;
}

export interface AggregatorDeps {
  registry: ResourceRegistry;
  caches: Map<string, WatchCache>;
  /** Sent as `Authorization: Bearer` to backends (GatewayConfig.kubeletClientToken). */
  token?: string;
}

interface DiscoveredResource { name: string; singularName?: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[] }

export class Aggregator {
  private readonly resourceLists = new Map<string, { at: number; resources: DiscoveredResource[] }>();

  constructor(private readonly deps: AggregatorDeps) {}

  /** Remote group versions (APIServices with a service whose group the gateway does not serve). */
  remote(): AggregatedGroupVersion[] {
    const items = this.deps.caches.get('apiregistration.k8s.io/apiservices')?.list().items ?? [];
    const out: AggregatedGroupVersion[] = [];
    for (const o of items) {
      const spec = isRecord(o.spec) ? o.spec : {};
      const svc = isRecord(spec.service) ? spec.service : undefined;
      const group = String(spec.group ?? '');
      const version = String(spec.version ?? '');
      if (!svc || !group || !version || this.localGroup(group)) continue;
      const loopback = o.metadata?.annotations?.['keelson.dev/loopback-endpoint'];
      out.push({ group, version, namespace: String(svc.namespace ?? ''), service: String(svc.name ?? ''), port: Number(svc.port ?? 443), loopback, groupPriorityMinimum: Number(spec.groupPriorityMinimum ?? 0), versionPriority: Number(spec.versionPriority ?? 0) });
    }
    return out.sort((a, b) => b.groupPriorityMinimum - a.groupPriorityMinimum || b.versionPriority - a.versionPriority);
  }

  find(group: string, version: string): AggregatedGroupVersion | undefined {
    return this.remote().find((r) => r.group === group && r.version === version);
  }

  /** `/apis/<group>…` of a remote group: proxied (true), or not ours (false). */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string, user: UserInfo): Promise<boolean> {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'apis' || parts.length < 2 || this.localGroup(parts[1])) return false;
    const versions = this.remote().filter((r) => r.group === parts[1]);
    if (!versions.length) return false;
    if (parts.length === 2) {
      const vs = versions.map((v) => ({ groupVersion: `${v.group}/${v.version}`, version: v.version }));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', name: parts[1], versions: vs, preferredVersion: vs[0] }));
      return true;
    }
    const gv = versions.find((v) => v.version === parts[2]);
    if (!gv) throw errors.notFoundPath();
    await this.proxy(req, res, gv, path + search, user);
    return true;
  }

  /** /apis additions: one APIGroup per remote group. */
  groups(): object[] {
    const byGroup = new Map<string, string[]>();
    for (const r of this.remote()) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.version]);
    return [...byGroup].map(([name, versions]) => {
      const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0] };
    });
  }

  /** Aggregated discovery (apidiscovery.k8s.io/v2) items, from each backend's APIResourceList. */
  async discoveryItems(): Promise<object[]> {
    const byGroup = new Map<string, object[]>();
    for (const r of this.remote()) {
      const resources = await this.resourcesOf(r);
      const version = {
        version: r.version,
        resources: (resources ?? []).filter((x) => !x.name.includes('/')).map((x) => ({
          resource: x.name, responseKind: { group: '', version: '', kind: x.kind }, scope: x.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: x.singularName ?? '', verbs: x.verbs, ...(x.shortNames?.length ? { shortNames: x.shortNames } : {}),
        })),
        freshness: resources ? 'Current' : 'Stale',
      };
      byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), version]);
    }
    return [...byGroup].map(([name, versions]) => ({ metadata: { name, creationTimestamp: null }, versions }));
  }

  private localGroup(group: string): boolean {
    return this.deps.registry.all().some((r) => r.group === group);
  }

  private async resourcesOf(r: AggregatedGroupVersion): Promise<DiscoveredResource[] | undefined> {
    const key = `${r.group}/${r.version}`;
    const cached = this.resourceLists.get(key);
    if (cached && Date.now() - cached.at < 10_000) return cached.resources;
    try {
      const target = this.endpoint(r);
      const body = await new Promise<string>((ok, fail) => {
        const rq = request({ host: target.host, port: target.port, path: `/apis/${key}`, headers: this.headers({ name: 'system:apiserver', groups: ['system:masters'] }), timeout: 5000 }, (up) => {
          let text = '';
          up.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => (up.statusCode === 200 ? ok(text) : fail(new Error(`status ${up.statusCode}`))));
        });
        rq.on('error', fail).on('timeout', () => rq.destroy(new Error('timeout'))).end();
      });
      const list = JSON.parse(body) as { resources?: DiscoveredResource[] };
      const resources = list.resources ?? [];
      this.resourceLists.set(key, { at: Date.now(), resources });
      return resources;
    } catch {
      return cached?.resources;
    }
  }

  /** The first ready address of the service's Endpoints and the port the APIService names. */
  private endpoint(r: AggregatedGroupVersion): { host: string; port: number } {
    const lo = r.loopback && /^(127\.[\d.]+|localhost|\[::1\]):(\d+)$/.exec(r.loopback);
    if (lo) return { host: lo[1].replace(/^\[|\]$/g, ''), port: Number(lo[2]) };
    const eps = (this.deps.caches.get('/endpoints')?.list().items ?? []).find((e: KubeObject) => e.metadata?.namespace === r.namespace && e.metadata?.name === r.service);
    const subsets = eps && Array.isArray(eps.subsets) ? eps.subsets.filter(isRecord) : [];
    for (const s of subsets) {
      const addresses = (Array.isArray(s.addresses) ? s.addresses : []).filter(isRecord);
      const ports = (Array.isArray(s.ports) ? s.ports : []).filter(isRecord);
      const port = ports.find((p) => Number(p.port) === r.port) ?? ports[0];
      if (addresses.length && port) return { host: String(addresses[0].ip), port: Number(port.port) };
    }
    throw errors.unavailable(`service ${r.namespace}/${r.service} has no endpoints for ${r.group}/${r.version}`);
  }

  private headers(user: Pick<UserInfo, 'name' | 'groups'>): Record<string, string | string[]> {
    return {
      ...(this.deps.token ? { Authorization: `Bearer ${this.deps.token}` } : {}),
      'X-Remote-User': user.name,
      'X-Remote-Group': user.groups ?? [],
      Accept: 'application/json',
    };
  }

  private async proxy(req: IncomingMessage, res: ServerResponse, r: AggregatedGroupVersion, path: string, user: UserInfo): Promise<void> {
    const target = this.endpoint(r);
    const upstream = await new Promise<IncomingMessage>((ok, fail) => {
      const headers: Record<string, string | string[]> = { ...this.headers(user) };
      if (req.headers.accept) headers.Accept = req.headers.accept;
      if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
      const rq = request({ host: target.host, port: target.port, path, method: req.method, headers }, ok);
      rq.on('error', (err) => fail(errors.unavailable(`error trying to reach service: ${err.message}`)));
      req.pipe(rq);
    });
    const h: Record<string, string> = {};
    for (const k of ['content-type', 'cache-control', 'transfer-encoding']) if (upstream.headers[k]) h[k] = String(upstream.headers[k]);
    if (clientGone(res)) return void upstream.destroy(); // left while the upstream was dialled
    res.writeHead(upstream.statusCode ?? 502, h);
    res.on('close', () => upstream.destroy());
    upstream.pipe(res);
  }
}

/** /apis with the remote groups added. */
export function withRemoteGroups(doc: object, agg: Aggregator): object {
  const d = doc as { groups?: object[] };
  return { ...d, groups: [...(d.groups ?? []), ...agg.groups()] };
}

/** Aggregated discovery of /apis with the remote groups added (the core /api has none). */
export async function withRemoteDiscovery(doc: object, agg: Aggregator, legacy: boolean): Promise<object> {
  if (legacy) return doc;
  const d = doc as { items?: object[] };
  return { ...d, items: [...(d.items ?? []), ...(await agg.discoveryItems())] };
}
