// The service skeleton (controller-runtime's Manager): owns the API client, the NATS
// connection, shared informers, controllers, leader election, the health/metrics server
// and graceful shutdown. runManager (service.ts) adds configuration, telemetry, signals and
// fatal-error reporting, so a controller's main only names its controllers:
//
//   runManager('namespace-controller', namespaceConfig, (mgr, cfg) => {
//     mgr.newControllerManagedBy('namespace').for(NAMESPACES).complete(new NamespaceReconciler(mgr.client));
//   });
//
// Informers run on every replica (warm standby); controllers' workers run only while this
// replica leads, and stop at once when it loses the lease.
import type { NatsConnection } from 'nats';
import { connectBus } from '@keelson/bus';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient, type ResourceRef } from '@keelson/client';
import { createLogger, startTelemetry, type Logger } from '@keelson/telemetry';
import { managerConfigFromEnv, type ManagerConfig } from './config';
import { ControllerBuilder } from './builder';
import { Controller, type ControllerOptions } from './controller';
import { EventRecorder } from './event-recorder';
import { HealthServer } from './health-server';
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

/**
 * Something the Manager runs besides controllers (controller-runtime's Runnable): started on
 * every replica once the caches have synced, stopped (newest first) before the controllers.
 */
export interface Runnable {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class Manager {
  readonly metrics = new RuntimeMetrics({ defaultMetrics: true });
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private elector?: LeaderElector;
  private server?: HealthServer;
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
    const nats = opts.nats ?? (await connectBus(
      { servers: config.natsServers, user: config.natsUser, password: config.natsPassword, token: config.natsToken, caFile: config.natsCaFile },
      `${service}/${config.identity}`,
    ));
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

  /**
   * Declares a controller: `.for(resource)`, `.owns(resource)`, `.watches(resource, map)`,
   * `.withOptions(...)`, then `.complete(reconciler)` (see builder.ts).
   */
  newControllerManagedBy(name: string): ControllerBuilder {
    if (this.controllers.some((c) => c.name === name)) throw new Error(`controller ${name} already exists`);
    return new ControllerBuilder(name, {
      informer: (resource, namespace) => this.informer(resource, namespace),
      newController: (opts) => this.addController(opts),
    });
  }

  /** Runs `r` alongside the controllers (see Runnable); added after start, it starts at once. */
  add(r: Runnable): void {
    this.runnables.push(r);
    if (this.started && !this.stopping) void Promise.resolve(r.start?.()).catch((err: unknown) => this.log.error('runnable failed to start', { err }));
  }

  private addController(opts: Omit<ControllerOptions, 'metrics' | 'logger'> & Partial<Pick<ControllerOptions, 'metrics' | 'logger'>>): Controller {
    const c = new Controller({ metrics: this.metrics, logger: this.log, ...opts });
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
    return this.server?.port ?? 0;
  }

  /** Serves health and metrics, syncs informers, then runs controllers when leading. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.serveHealth();
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    this.log.info('caches synced', { informers: this.informers.size });
    for (const r of this.runnables) await r.start?.();
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
      for (const r of [...this.runnables].reverse()) {
        await Promise.resolve(r.stop?.()).catch((err: unknown) => this.log.error('runnable failed to stop', { err }));
      }
      await Promise.all(this.controllers.map((c) => (leading ? c.stop() : c.pause())));
      await this.elector?.stop();
      await Promise.all([...this.informers.values()].map((i) => i.stop()));
      await this.server?.close();
      // Close only what this manager opened; injected connections belong to the caller.
      if (this.owns.nats) await this.nats.drain().catch(() => undefined);
      if (this.owns.client) this.client.close();
      this.log.info('stopped');
      // The exit that follows would drop spans still batched for export.
      await startTelemetry(this.config.service).forceFlush().catch(() => undefined);
    })();
    return this.stopping;
  }

  private async serveHealth(): Promise<void> {
    this.server = new HealthServer({ port: this.config.healthPort, host: this.config.healthHost }, {
      live: () => !this.stopping,
      ready: () => (this.isReady() ? (this.isLeader() ? 'ok: leading' : 'ok: standing by') : undefined),
      metrics: this.metrics.registry,
    });
    await this.server.listen();
  }
}
