// The endpoints of the `kubernetes` Service in `default` (kube-apiserver's "lease" endpoint
// reconciler): every gateway holds an etcd lease under /keelson/apiserver-leases/<ip>:<port> (its
// advertised address and serving port, TTL 15 s, kept alive), and every 10 s (and at start and
// stop) writes the Endpoints `default/kubernetes` (label endpointslice.kubernetes.io/skip-mirror)
// and the EndpointSlice `kubernetes` (label kubernetes.io/service-name) listing the addresses of
// the gateways whose leases are live, sorted. kube-proxy then forwards the Service's cluster IP
// (the first of the service CIDR, port 443) to them, so a pod reaches the API at 10.96.0.1:443.
// A gateway that stops removes its lease and rewrites the lists without itself; one that dies
// drops out when its lease expires. Gateways on different ports get one subset (and slice) per port.
import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { Etcd3, Lease } from 'etcd3';
import { ApiError, type KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from './request-context';
import type { ResourceStore } from './resource-store';

export const LEASE_PREFIX = '/keelson/apiserver-leases/';
const LEASE_TTL_SECONDS = 15; // kube-apiserver's --endpoint-reconciler lease TTL
const RECONCILE_MS = 10_000; // kube's EndpointReconcilerInterval
const NAME = 'kubernetes';
const NAMESPACE = 'default';
const PORT_NAME = 'https';
const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';

/**
 * The address the gateway advertises (kube-apiserver's --advertise-address): the configured one;
 * else the address it binds when that is a routable IP; else (0.0.0.0, ::, loopback) the first
 * IPv4 address of a non-internal interface, as kube picks the host's address. Undefined when the
 * host has none.
 */
export function advertiseAddress(configured: string | undefined, bindHost: string, interfaces = networkInterfaces()): string | undefined {
  if (configured) return configured;
  if (isIP(bindHost) === 4 && bindHost !== '0.0.0.0' && !bindHost.startsWith('127.')) return bindHost;
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

interface ApiEndpoint {
  ip: string;
  port: number;
}

/** Endpoints `default/kubernetes` for these gateways: one subset per port, addresses sorted. */
export function kubernetesEndpoints(eps: ApiEndpoint[]): KubeObject {
  const ports = [...new Set(eps.map((e) => e.port))].sort((a, b) => a - b);
  const subsets = ports.map((port) => ({
    addresses: eps.filter((e) => e.port === port).map((e) => e.ip).sort(compareIPs).map((ip) => ({ ip })),
    ports: [{ name: PORT_NAME, port, protocol: 'TCP' }],
  }));
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels: { [LABEL_SKIP_MIRROR]: 'true' } }, subsets };
}

/** The EndpointSlices of those Endpoints (kube's endpointsadapter): `kubernetes` for the first port, `kubernetes-<port>` for others. */
export function kubernetesSlices(eps: ApiEndpoint[]): KubeObject[] {
  const subsets = (kubernetesEndpoints(eps).subsets ?? []) as { addresses: { ip: string }[]; ports: { port: number }[] }[];
  return subsets.map((s, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: i === 0 ? NAME : `${NAME}-${s.ports[0].port}`, namespace: NAMESPACE, labels: { [LABEL_SERVICE_NAME]: NAME } },
    addressType: 'IPv4',
    endpoints: s.addresses.map((a) => ({ addresses: [a.ip], conditions: { ready: true } })),
    ports: [{ name: PORT_NAME, port: s.ports[0].port, protocol: 'TCP' }],
  }));
}

function compareIPs(a: string, b: string): number {
  const n = (ip: string): number => ip.split('.').reduce((x, p) => x * 256 + Number(p), 0);
  return n(a) - n(b);
}

export class KubernetesEndpointsReconciler {
  private lease?: Lease;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly key: string;
  private readonly ctx: RequestContext = {
    user: { name: 'system:apiserver', uid: randomUUID(), groups: ['system:masters'] },
    dryRun: false,
    fieldValidation: 'Strict',
    warnings: [],
  };

  constructor(
    private readonly client: Etcd3,
    private readonly stores: { endpoints: ResourceStore; slices: ResourceStore },
    private readonly self: ApiEndpoint,
    private readonly log: Logger,
  ) {
    this.key = `${LEASE_PREFIX}${self.ip}:${self.port}`;
  }

  /** Registers this gateway and writes the lists now, then every RECONCILE_MS (errors are logged, retried on the next tick). */
  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), RECONCILE_MS);
    this.timer.unref();
  }

  /** Takes this gateway out of the lists (kube's RemoveEndpoints on shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    try {
      await this.client.delete().key(this.key);
      await this.reconcile();
    } catch (err) {
      this.log.warn('could not remove this gateway from the kubernetes endpoints', { err: String(err) });
    }
    await this.lease?.revoke().catch(() => this.lease?.release());
  }

  private tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.register()
      .then(() => this.reconcile())
      .catch((err: unknown) => this.log.warn('reconciling the kubernetes endpoints failed', { err: err instanceof Error ? err.message : String(err) }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Puts this gateway's key under a kept-alive lease (a new one when the last was lost). */
  private async register(): Promise<void> {
    if (!this.lease) {
      const lease = this.client.lease(LEASE_TTL_SECONDS);
      lease.on('lost', () => {
        if (this.lease === lease) this.lease = undefined;
      });
      this.lease = lease;
    }
    await this.lease.put(this.key).value(`${this.self.ip}:${this.self.port}`);
  }

  private async live(): Promise<ApiEndpoint[]> {
    const values = await this.client.getAll().prefix(LEASE_PREFIX).strings();
    const out: ApiEndpoint[] = [];
    for (const v of Object.values(values)) {
      const i = v.lastIndexOf(':');
      const ip = v.slice(0, i);
      const port = Number(v.slice(i + 1));
      if (isIP(ip) === 4 && Number.isInteger(port) && port > 0) out.push({ ip, port });
    }
    return out;
  }

  private async reconcile(): Promise<void> {
    const eps = await this.live();
    await this.write(this.stores.endpoints, kubernetesEndpoints(eps));
    const slices = kubernetesSlices(eps);
    for (const s of slices) await this.write(this.stores.slices, s);
    // Slices of ports no gateway serves any more.
    const keep = new Set(slices.map((s) => s.metadata.name));
    const listed = await this.stores.slices.list({ namespace: NAMESPACE });
    for (const s of listed.items) {
      const name = s.metadata.name ?? '';
      if (s.metadata.labels?.[LABEL_SERVICE_NAME] !== NAME || keep.has(name) || !(name === NAME || name.startsWith(`${NAME}-`))) continue;
      await this.stores.slices.store.delete(this.stores.slices.key(NAMESPACE, name)).catch(() => undefined);
    }
  }

  /** Creates the object, or replaces what it holds when it differs. */
  private async write(store: ResourceStore, desired: KubeObject): Promise<void> {
    const name = desired.metadata.name!;
    try {
      await store.update(NAMESPACE, name, (current) => ({ ...desired, metadata: { ...current.metadata, labels: { ...(current.metadata.labels ?? {}), ...desired.metadata.labels } } }), this.ctx);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      await store.create(NAMESPACE, desired, this.ctx).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e; // another gateway made it first: the next tick updates it
      });
    }
  }
}
