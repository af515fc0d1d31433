// The proxier: on any change of Services, EndpointSlices or pods (batched for minSyncMs) and
// every syncPeriodMs, computes every Service port's Ready endpoints and writes the whole
// ruleset in one nft transaction (kube-proxy's syncProxyRules). Syncs never overlap; a change
// during a sync schedules one more.
import { execFile } from 'node:child_process';
import type { Runnable, ReadOnlyCache } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { KubeProxyConfig } from './config';
import { ensureHairpin } from './bridge-hairpin';
import type { HostNetwork } from './host-network';
import type { Nft } from './nft';
import { renderRuleset } from './nft-ruleset';
import { servicePorts, type EndpointSources, type ServicePortInfo } from './service-endpoints';
import { LABEL_SERVICE_NAME, type EndpointSlice, type Pod, type Service } from './types';

export interface ProxierCaches {
  services: ReadOnlyCache<Service>;
  slices: ReadOnlyCache<EndpointSlice>;
  pods: ReadOnlyCache<Pod>;
}

class ProxierMetrics {
  readonly syncDuration: Histogram;
  readonly syncErrors: Counter;
  readonly lastSync: Gauge;
  readonly servicePorts: Gauge;
  readonly endpoints: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers });
    this.syncErrors = new Counter({ name: 'kubeproxy_sync_proxy_rules_errors_total', help: 'Syncs whose nft transaction failed', registers });
    this.lastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
    this.servicePorts = new Gauge({ name: 'kubeproxy_service_ports', help: 'Service ports in the ruleset', registers });
    this.endpoints = new Gauge({ name: 'kubeproxy_endpoints', help: 'Ready endpoints in the ruleset', registers });
  }
}

export class Proxier implements Runnable {
  private timer?: NodeJS.Timeout;
  private periodic?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly metrics: ProxierMetrics;
  /** Endpoints per UDP Service port at the last sync (stale conntrack entries are cleared on removal). */
  private udpEndpoints = new Map<string, { vips: string[]; port: number; endpoints: Set<string> }>();
  /** After the first sync (before it, a port without a previous state is not "newly served"). */
  private udpKnown = false;
  /** Whether the last sync succeeded (readiness). */
  synced = false;

  constructor(
    private readonly caches: ProxierCaches,
    private readonly nft: Nft | undefined,
    private readonly cfg: KubeProxyConfig,
    private readonly host: HostNetwork | undefined,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.metrics = new ProxierMetrics(registry);
  }

  /** Every Service port with its endpoints, from the caches. */
  desired(): ServicePortInfo[] {
    const { services, slices, pods } = this.caches;
    const sources: EndpointSources = {
      slices: (svc) => slices.byNamespace(svc.metadata.namespace ?? 'default').filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === svc.metadata.name),
      selectedPods: (svc) => pods.bySelector({ matchLabels: svc.spec?.selector ?? {} }, svc.metadata.namespace ?? 'default'),
    };
    return services.list().flatMap((svc) => servicePorts(svc, sources));
  }

  /** Schedules a sync after minSyncMs (changes arriving meanwhile share it). */
  requestSync(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.sync(); }, this.cfg.minSyncMs);
  }

  async start(): Promise<void> {
    await this.sync();
    this.periodic = setInterval(() => void this.sync(), this.cfg.syncPeriodMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    await this.syncing;
    if (this.nft && this.cfg.cleanupOnStop) {
      await this.nft.deleteTable().catch((err: unknown) => this.log.warn('could not delete the nftables table', { err: String(err) }));
      this.log.info('nftables table deleted', { table: this.cfg.table });
    }
  }

  /** One sync; concurrent callers share the running one and schedule a follow-up. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.syncOnce().finally(() => {
      this.syncing = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const started = process.hrtime.bigint();
    const ports = this.desired();
    if (!this.nft) {
      this.metrics.servicePorts.set(ports.length);
      this.synced = true;
      return;
    }
    try {
      const hairpin = await ensureHairpin(this.cfg.hairpinBridgePrefix);
      if (hairpin.length) this.log.debug('hairpin on', { ports: hairpin });
      const existing = await this.nft.listing();
      const rs = renderRuleset(ports, {
        table: this.cfg.table,
        masqueradeAll: this.cfg.masqueradeAll || !this.host?.brNetfilter,
        localhostNodePorts: this.cfg.localhostNodePorts && Boolean(this.host?.routeLocalnet),
      }, existing);
      await this.nft.apply(rs.script);
      this.metrics.servicePorts.set(rs.servicePorts);
      this.metrics.endpoints.set(rs.endpoints);
      this.metrics.lastSync.setToCurrentTime();
      this.metrics.syncDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (!this.synced) this.log.info('proxy rules synced', { table: this.cfg.table, servicePorts: rs.servicePorts, endpoints: rs.endpoints });
      this.synced = true;
      await this.clearStaleUdp(ports);
    } catch (err) {
      this.metrics.syncErrors.inc();
      this.log.error('proxy rules sync failed', { err: err instanceof Error ? err.message : String(err) });
      // Retry soon: the next event or the periodic sync would too, but not as quickly.
      setTimeout(() => this.requestSync(), 1000).unref();
    }
  }

  /**
   * UDP has no connection end: conntrack keeps sending a client's datagrams to an endpoint that
   * is gone. As kube-proxy does, entries towards removed endpoints are deleted (conntrack -D).
   */
  private async clearStaleUdp(ports: ServicePortInfo[]): Promise<void> {
    const next = new Map<string, { vips: string[]; port: number; endpoints: Set<string> }>();
    for (const p of ports) {
      if (p.protocol !== 'UDP') continue;
      next.set(p.id, { vips: [...(p.clusterIP ? [p.clusterIP] : []), ...p.externalIPs], port: p.port, endpoints: new Set(p.endpoints.map((e) => e.ip)) });
    }
    const deletions: string[][] = [];
    // A port that had no endpoints: its clients' flows were rejected and conntrack remembers them
    // un-NATed, so their next datagrams would bypass the new DNAT until those entries expire.
    for (const [id, after] of next) {
      if (!this.udpKnown || after.endpoints.size === 0 || (this.udpEndpoints.get(id)?.endpoints.size ?? 0) > 0) continue;
      for (const vip of after.vips) deletions.push(['-D', '-p', 'udp', '--orig-dst', vip, '--orig-port-dst', String(after.port)]);
    }
    for (const [id, before] of this.udpEndpoints) {
      const after = next.get(id);
      for (const ip of before.endpoints) {
        if (after?.endpoints.has(ip)) continue;
        for (const vip of before.vips) deletions.push(['-D', '-p', 'udp', '--orig-dst', vip, '--orig-port-dst', String(before.port), '--dst-nat', ip]);
      }
    }
    this.udpEndpoints = next;
    this.udpKnown = true;
    for (const args of deletions) {
      await new Promise<void>((resolve) => execFile('conntrack', args, () => resolve()));
    }
  }
}
