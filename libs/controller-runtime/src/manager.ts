// The service skeleton (controller-runtime's Manager): owns the API client, the NATS
// connection, shared informers, controllers, leader election, the health/metrics server
// and graceful shutdown, so a controller's main is a dozen lines:
//
//   const mgr = await Manager.create('namespace-controller');
//   const ns = mgr.informer(NAMESPACES);
//   const c = mgr.controller('namespace', new NamespaceReconciler(mgr.client, ns.cache));
//   ns.addEventHandler(enqueueObject(c));
//   await mgr.run(); // until SIGTERM
//
// Informers run on every replica (warm standby); controllers' workers run only while this
// replica leads, and stop at once when it loses the lease.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from 'nats';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient, type ResourceRef } from '@keelson/client';
import { createLogger, startTelemetry, type Logger } from '@keelson/telemetry';
import { managerConfigFromEnv, type ManagerConfig } from './config';
import { Controller, type ControllerOptions, type Reconciler } from './controller';
import { EventRecorder } from './event-recorder';
import { Informer } from './informer';
import { LeaderElector, type LeaseClient } from './leader-election';
import { RuntimeMetrics } from './metrics';

export interface ManagerOptions {
  config?: Partial<ManagerConfig>;
  env?: NodeJS.ProcessEnv;
  client?: KeelsonClient;
  /** The client the elector uses (tests inject failures); default `client`. */
  leaseClient?: LeaseClient;
  nats?: NatsConnection;
  logger?: Logger;
}

export class Manager {
  readonly metrics = new RuntimeMetrics({ defaultMetrics: true });
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly controllers: Controller[] = [];
  private elector?: LeaderElector;
  private server?: Server;
  private started = false;
  private stopping?: Promise<void>;
  private readonly owns: { nats: boolean; client: boolean };

  private constructor(
    readonly config: ManagerConfig,
    readonly client: KeelsonClient,
    readonly nats: NatsConnection,
    readonly log: Logger,
    private readonly leaseClient: LeaseClient,
    owns: { nats: boolean; client: boolean },
  ) {
    this.owns = owns;
  }

  /** Reads the environment, connects to NATS (retrying forever on reconnect). */
  static async create(service: string, opts: ManagerOptions = {}): Promise<Manager> {
    const config = { ...managerConfigFromEnv(service, opts.env), ...opts.config };
    // Every service exports its spans (OTEL_* variables); a no-op when a main or test started it.
    startTelemetry(service);
    const log = opts.logger ?? createLogger(service);
    const client = opts.client ?? KeelsonClient.fromEnv(opts.env, service);
    const nats = opts.nats ?? (await connect({
      servers: config.natsServers, name: `${service}/${config.identity}`, maxReconnectAttempts: -1, reconnectTimeWait: 500,
      user: config.natsUser, pass: config.natsPassword, token: config.natsToken,
      ...(config.natsCaFile ? { tls: { caFile: config.natsCaFile } } : {}),
    }));
    return new Manager(config, client, nats, log, opts.leaseClient ?? client, { nats: !opts.nats, client: !opts.client });
  }

  /** The shared informer of a resource (one per resource and namespace per process). */
  informer<T extends KubeObject = KubeObject>(resource: ResourceRef, namespace?: string): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.resource}/${namespace ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<KubeObject>({
        client: this.client, nats: this.nats, resource, namespace, resyncPeriodMs: this.config.resyncPeriodMs, logger: this.log, metrics: this.metrics,
      });
      this.informers.set(key, inf);
      if (this.started) void inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  /**
   * Stops and forgets the shared informer of a resource the API no longer serves (a deleted
   * CRD); its handlers get nothing more. A later informer() for it starts a fresh one.
   */
  async removeInformer(resource: ResourceRef, namespace?: string): Promise<void> {
    const key = `${resource.group}/${resource.version}/${resource.resource}/${namespace ?? ''}`;
    const inf = this.informers.get(key);
    if (!inf) return;
    this.informers.delete(key);
    await inf.stop();
  }

  controller(name: string, reconciler: Reconciler, opts: Omit<ControllerOptions, 'name' | 'reconciler'> = {}): Controller {
    const c = new Controller({ metrics: this.metrics, logger: this.log, ...opts, name, reconciler });
    this.controllers.push(c);
    if (this.started && (!this.elector || this.elector.isLeader())) c.start();
    return c;
  }

  recorder(component = this.config.service): EventRecorder {
    return new EventRecorder({ client: this.client, component, host: this.config.identity, logger: this.log });
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  /** Informers synced, and either leading or standing by as a candidate. */
  isReady(): boolean {
    return this.started && !this.stopping && [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** The port /healthz, /readyz and /metrics listen on (after start). */
  get healthPort(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Serves health and metrics, syncs informers, then runs controllers when leading. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.serveHealth();
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    this.log.info('caches synced', { informers: this.informers.size });
    if (!this.config.leaderElection) {
      for (const c of this.controllers) c.start();
      return;
    }
    this.elector = new LeaderElector({
      client: this.leaseClient, namespace: this.config.leaseNamespace, name: this.config.leaseName, identity: this.config.identity,
      leaseDurationMs: this.config.leaseDurationMs, renewDeadlineMs: this.config.renewDeadlineMs, retryPeriodMs: this.config.retryPeriodMs,
      logger: this.log, metrics: this.metrics,
      onStartedLeading: () => {
        for (const c of this.controllers) c.start();
        // Level-based catch-up: whatever changed while standing by is reconciled now.
        for (const inf of this.informers.values()) inf.resyncNow();
      },
      onStoppedLeading: () => {
        for (const c of this.controllers) void c.pause();
      },
      onNewLeader: (id) => this.log.info('leader observed', { leader: id }),
    });
    this.elector.start();
  }

  /** Graceful stop: stop leading work, drain queues, release the lease, close connections. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const leading = this.isLeader();
      await Promise.all(this.controllers.map((c) => (leading ? c.stop() : c.pause())));
      await this.elector?.stop();
      await Promise.all([...this.informers.values()].map((i) => i.stop()));
      await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
      // Close only what this manager opened; injected connections belong to the caller.
      if (this.owns.nats) await this.nats.drain().catch(() => undefined);
      if (this.owns.client) this.client.close();
      this.log.info('stopped');
      // The exit that follows would drop spans still batched for export.
      await startTelemetry(this.config.service).forceFlush().catch(() => undefined);
    })();
    return this.stopping;
  }

  /** start(), then stop on SIGTERM/SIGINT (bounded by shutdownTimeoutMs) and exit. */
  async run(): Promise<void> {
    const onSignal = (sig: NodeJS.Signals): void => {
      this.log.info('shutting down', { signal: sig });
      const timer = setTimeout(() => {
        this.log.error('shutdown timed out; exiting');
        process.exit(1);
      }, this.config.shutdownTimeoutMs);
      timer.unref();
      void this.stop().then(() => process.exit(0), (err: unknown) => {
        this.log.error('shutdown failed', { err });
        process.exit(1);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await this.start();
  }

  private async serveHealth(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/livez') {
        res.writeHead(this.stopping ? 503 : 200, { 'content-type': 'text/plain' }).end(this.stopping ? 'stopping' : 'ok');
      } else if (path === '/readyz') {
        const ready = this.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? (this.isLeader() ? 'ok: leading' : 'ok: standing by') : 'not ready');
      } else if (path === '/metrics') {
        this.metrics.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.healthPort, this.config.healthHost, () => resolve());
    });
  }
}
