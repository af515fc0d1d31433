// The operator builder: an operator outside the cluster in a dozen lines.
//
//   const op = new Operator({ name: 'greeting-operator' });          // kubeconfig, like kubectl
//   op.for<Greeting>(GREETINGS).owns(CONFIGMAPS).reconcile(async (greeting, req, ctx) => {
//     if (!greeting) return;                                           // deleted: owned objects are GC'd
//     await ctx.client.resource(CONFIGMAPS).namespace(req.namespace!).apply({ ... }, { fieldManager: ctx.fieldManager });
//   });
//   await op.run();                                                    // until SIGTERM/SIGINT
//
// Underneath it is @keelson/controller-runtime's Controller (work queue, back-off, concurrency,
// a span per reconcile) fed by its handlers (enqueueObject, enqueueOwner, mapHandler), with
// informers over the watch API (watch-informer.ts), so the operator needs only a kubeconfig.
// A controller in the cluster keeps using runManager + newControllerManagedBy (NATS-fed
// informers, leader election); the DynamicClient and generated types work with both.
import type { KubeObject, OwnerReference } from '@keelson/api';
import { KeelsonClient, type ClientConfig, type ResourceRef } from '@keelson/client';
import { hostname } from 'node:os';
import {
  Controller, EventRecorder, HealthServer, LeaderElector, RuntimeMetrics, enqueueObject, enqueueOwner, mapHandler, splitKey,
  type MapFunc, type RateLimiter, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type ResourceEventHandler, type Runnable, type HealthOptions,
} from '@keelson/controller-runtime';
import { createLogger, type Logger } from '@keelson/telemetry';
import { DynamicClient, type GroupVersionResource } from './dynamic-client';
import { loadClientConfig } from './kubeconfig';
import { WatchInformer } from './watch-informer';

export interface OperatorOptions {
  /** Names the operator: field manager, Event source, logger, User-Agent. */
  name: string;
  /** API settings; default loadClientConfig() (KEELSON_API_URL…, else $KUBECONFIG / ~/.kube/config). */
  config?: ClientConfig;
  /** An existing client (its config is used for watches). */
  client?: KeelsonClient;
  /** Re-deliver every cached object this often (level-based catch-up); default 10 min, 0 = off. */
  resyncPeriodMs?: number;
  logger?: Logger;
  /**
   * Run as one of several replicas: only the holder of a coordination.k8s.io Lease reconciles
   * (informers stay warm on every replica; a new leader catches up with a resync). Off by default.
   */
  leaderElection?: OperatorLeaderElection;
  /**
   * Serve `/healthz` and `/livez` (200 until stop), `/readyz` (200 once every informer synced:
   * `ok: leading` or `ok: standing by`) and `/metrics` (Prometheus: work queues, reconciles,
   * leader status, process) on this port, from start() on. Off by default.
   */
  health?: HealthOptions;
}

export interface OperatorLeaderElection {
  /** Lease namespace; default `default`. */
  namespace?: string;
  /** Lease name; default the operator's name. */
  name?: string;
  /** This replica; default POD_NAME, else `<hostname>_<pid>`. */
  identity?: string;
  /** Defaults 15 s, 10 s, 2 s (client-go's). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** A resource with its kind (what `keelson-operator codegen` emits for each CRD version). */
export interface KindResource extends GroupVersionResource {
  kind: string;
  namespaced?: boolean;
}

/** Which object a reconcile is about. */
export interface ReconcileRequest {
  /** `namespace/name`, or `name` when cluster-scoped. */
  key: string;
  namespace?: string;
  name: string;
}

export interface OperatorContext<T extends KubeObject> extends ReconcileContext {
  /** Any resource, built-in or custom. */
  client: DynamicClient;
  /** The for() resource's cache (what `obj` came from). */
  cache: ReadOnlyCache<T>;
  /** Events about objects (`kubectl describe`, `kubectl get events`). */
  recorder: EventRecorder;
  /** The operator's name: use it as the fieldManager of applies. */
  fieldManager: string;
  /** The cache of any other resource the operator watches (owns/watches). */
  cacheOf<U extends KubeObject = KubeObject>(resource: GroupVersionResource, namespace?: string): ReadOnlyCache<U>;
}

/**
 * Reconciles one object: `obj` is its cached state, undefined once it is gone. Throwing
 * retries with back-off; `{ requeueAfter }` comes back later.
 */
export type ReconcileFunc<T extends KubeObject> = (obj: T | undefined, req: ReconcileRequest, ctx: OperatorContext<T>) => Promise<ReconcileResult | void> | ReconcileResult | void;

export interface ControllerSettings {
  /** Keys reconciled in parallel (never the same key twice). Default 1. */
  concurrency?: number;
  rateLimiter?: RateLimiter;
}

/** The controller reference (`controller: true`) a dependent carries, so owns() and the garbage collector find its owner. */
export function controllerReference(owner: KubeObject): OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name || !uid) throw new TypeError('the owner must be a stored object (metadata.name and metadata.uid)');
  return { apiVersion: owner.apiVersion, kind: owner.kind, name, uid, controller: true, blockOwnerDeletion: true };
}

interface Source {
  resource: GroupVersionResource;
  namespace?: string;
  handler: (c: Controller) => ResourceEventHandler;
}

export class OperatorControllerBuilder<T extends KubeObject = KubeObject> {
  private primary?: { resource: GroupVersionResource; kind: string; namespace?: string };
  private readonly sources: Source[] = [];
  private settings: ControllerSettings = {};
  private done = false;

  constructor(readonly name: string, private readonly op: Operator) {}

  /** The resource this controller reconciles; `kind` comes with a KindResource (generated constants). */
  for(resource: KindResource | GroupVersionResource, opts: { kind?: string; namespace?: string } = {}): this {
    if (this.primary) throw new Error(`controller ${this.name}: for() may be called only once`);
    const kind = opts.kind ?? ('kind' in resource ? resource.kind : undefined);
    if (!kind) throw new Error(`controller ${this.name}: for() needs the kind (a KindResource, or { kind })`);
    this.primary = { resource: gvr(resource), kind, namespace: opts.namespace };
    this.sources.push({ resource: gvr(resource), namespace: opts.namespace, handler: (c) => enqueueObject(c) });
    return this;
  }

  /** Objects this controller creates with a controllerReference: their changes reconcile the owner. */
  owns(resource: GroupVersionResource, opts: { namespace?: string } = {}): this {
    if (!this.primary) throw new Error(`controller ${this.name}: call for() before owns()`);
    const owner = { kind: this.primary.kind, group: this.primary.resource.group };
    this.sources.push({ resource: gvr(resource), namespace: opts.namespace, handler: (c) => enqueueOwner(c, owner) });
    return this;
  }

  /** Any other resource: `map` names the keys (of the for() resource) a change concerns. */
  watches<U extends KubeObject = KubeObject>(resource: GroupVersionResource, map: MapFunc<U>, opts: { namespace?: string } = {}): this {
    this.sources.push({ resource: gvr(resource), namespace: opts.namespace, handler: (c) => mapHandler(c, map) as ResourceEventHandler });
    return this;
  }

  withOptions(settings: ControllerSettings): this {
    this.settings = { ...this.settings, ...settings };
    return this;
  }

  /** Completes the controller: it starts with the operator (or at once, if the operator runs). */
  reconcile(fn: ReconcileFunc<T>): Controller {
    if (this.done) throw new Error(`controller ${this.name}: reconcile() may be called only once`);
    if (!this.primary) throw new Error(`controller ${this.name}: for() is required`);
    this.done = true;
    const primary = this.primary;
    const informer = this.op.informer<T>(primary.resource, primary.namespace);
    const recorder = this.op.recorder();
    const op = this.op;
    const controller = new Controller({
      name: this.name, concurrency: this.settings.concurrency, rateLimiter: this.settings.rateLimiter, logger: op.log, metrics: op.metrics,
      reconciler: {
        reconcile: async (key: string, rctx: ReconcileContext) => {
          const { namespace, name } = splitKey(key);
          const ctx: OperatorContext<T> = {
            ...rctx, client: op.dynamic, cache: informer.cache, recorder, fieldManager: op.name,
            cacheOf: <U extends KubeObject>(r: GroupVersionResource, ns?: string) => op.informer<U>(r, ns).cache,
          };
          return (await fn(informer.cache.get(key), { key, namespace, name }, ctx)) ?? undefined;
        },
      },
    });
    for (const s of this.sources) this.op.informer(s.resource, s.namespace).addEventHandler(s.handler(controller));
    this.op.addController(controller);
    return controller;
  }
}

/** An operator: shared informers, controllers, an event recorder; run() until a signal. */
export class Operator {
  readonly name: string;
  readonly client: KeelsonClient;
  readonly dynamic: DynamicClient;
  readonly log: Logger;
  /** The operator's Prometheus metrics (served on /metrics with `health`). */
  readonly metrics = new RuntimeMetrics({ defaultMetrics: true });
  private readonly informers = new Map<string, WatchInformer>();
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private health?: HealthServer;
  private readonly recorders = new Map<string, EventRecorder>();
  private started = false;
  private stopping?: Promise<void>;
  private elector?: LeaderElector;

  constructor(private readonly opts: OperatorOptions) {
    this.name = opts.name;
    this.log = opts.logger ?? createLogger(opts.name);
    this.client = opts.client ?? new KeelsonClient({ userAgent: opts.name, ...(opts.config ?? loadClientConfig({ userAgent: opts.name })) });
    this.dynamic = new DynamicClient(this.client);
  }

  /** A controller reconciling `resource` (named after the operator and the kind). */
  for<T extends KubeObject = KubeObject>(resource: KindResource | GroupVersionResource, opts: { kind?: string; namespace?: string; name?: string } = {}): OperatorControllerBuilder<T> {
    const kind = opts.kind ?? ('kind' in resource ? resource.kind : resource.resource);
    return this.controller<T>(opts.name ?? kind.toLowerCase()).for(resource, opts);
  }

  /** A named controller; declare its sources with for()/owns()/watches(), then reconcile(fn). */
  controller<T extends KubeObject = KubeObject>(name: string): OperatorControllerBuilder<T> {
    if (this.controllers.some((c) => c.name === name)) throw new Error(`controller ${name} already exists`);
    return new OperatorControllerBuilder<T>(name, this);
  }

  /**
   * The shared informer of a resource (one per resource and namespace). `relistPeriodMs` (see
   * WatchInformerOptions) applies when this call creates it.
   */
  informer<T extends KubeObject = KubeObject>(resource: GroupVersionResource, namespace?: string, opts: { relistPeriodMs?: number } = {}): WatchInformer<T> {
    const key = `${resource.group}/${resource.version}/${resource.resource}/${namespace ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new WatchInformer({ client: this.client, resource: gvr(resource), namespace, resyncPeriodMs: this.opts.resyncPeriodMs ?? 600_000, relistPeriodMs: opts.relistPeriodMs, logger: this.log });
      this.informers.set(key, inf);
      if (this.started) void inf.start();
    }
    return inf as unknown as WatchInformer<T>;
  }

  /**
   * The Event recorder of `component` (default the operator's name). Each `queue` is a recorder
   * of its own, with its own send queue: a burst of Events about thousands of pods then does
   * not delay the Events about the operator's own objects. Flushed by stop().
   */
  recorder(component = this.name, queue = 'default'): EventRecorder {
    const key = `${component}\u0000${queue}`;
    let r = this.recorders.get(key);
    if (!r) {
      const host = this.opts.leaderElection?.identity ?? process.env.POD_NAME ?? hostname();
      this.recorders.set(key, (r = new EventRecorder({ client: this.client, component, host, logger: this.log })));
    }
    return r;
  }

  /** @internal used by the builder */
  addController(c: Controller): void {
    this.controllers.push(c);
    if (this.started && this.isLeader()) c.start();
  }

  /**
   * Runs `r` besides the controllers (a periodic loop, a server): started on every replica once
   * the caches have synced, stopped (newest first) before the controllers. Work only the leader
   * may do checks isLeader(). Added after start, it starts at once.
   */
  add(r: Runnable): void {
    this.runnables.push(r);
    if (this.started && !this.stopping) void Promise.resolve(r.start?.()).catch((err: unknown) => this.log.error('runnable failed to start', { err }));
  }

  /** Whether this replica reconciles (always, without leader election, once started). */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  /** Started, not stopping, and every informer synced (what /readyz answers). */
  isReady(): boolean {
    return this.started && !this.stopping && [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** The port /healthz, /readyz and /metrics listen on (with `health`, after start; else 0). */
  get healthPort(): number {
    return this.health?.port ?? 0;
  }

  /** Serves health (with `health`), syncs every informer, starts the runnables, then the controllers (with leader election: once leading). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.health) {
      this.health = new HealthServer(this.opts.health, {
        live: () => !this.stopping,
        ready: () => (this.isReady() ? (this.isLeader() ? 'ok: leading' : 'ok: standing by') : undefined),
        metrics: this.metrics.registry,
      });
      await this.health.listen();
    }
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    this.log.info('caches synced', { informers: this.informers.size, controllers: this.controllers.map((c) => c.name) });
    for (const r of this.runnables) await r.start?.();
    const le = this.opts.leaderElection;
    if (!le) {
      for (const c of this.controllers) c.start();
      return;
    }
    this.elector = new LeaderElector({
      client: this.client, namespace: le.namespace ?? 'default', name: le.name ?? this.name,
      identity: le.identity ?? process.env.POD_NAME ?? `${hostname()}_${process.pid}`,
      leaseDurationMs: le.leaseDurationMs, renewDeadlineMs: le.renewDeadlineMs, retryPeriodMs: le.retryPeriodMs, logger: this.log, metrics: this.metrics,
      onStartedLeading: () => {
        this.log.info('leading; starting controllers');
        for (const c of this.controllers) c.start();
        for (const i of this.informers.values()) i.resyncNow(); // whatever changed while standing by
      },
      onStoppedLeading: () => {
        for (const c of this.controllers) void c.pause();
      },
    });
    this.elector.start();
  }

  /** Drains the controllers, gives up the lease, stops the informers, flushes Events. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const leading = this.isLeader();
      for (const r of [...this.runnables].reverse()) {
        await Promise.resolve(r.stop?.()).catch((err: unknown) => this.log.error('runnable failed to stop', { err }));
      }
      await Promise.all(this.controllers.map((c) => (leading ? c.stop() : c.pause())));
      await this.elector?.stop();
      await Promise.all([...this.informers.values()].map((i) => i.stop()));
      await Promise.all([...this.recorders.values()].map((r) => r.flush().catch(() => undefined)));
      await this.health?.close();
      this.client.close();
      this.log.info('stopped');
    })();
    return this.stopping;
  }

  /** start(), then stop() on SIGTERM or SIGINT (a second signal exits at once). */
  async run(): Promise<void> {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) process.exit(1);
      signalled = true;
      this.log.info('shutting down', { signal });
      this.stop().then(() => process.exit(0), (err: unknown) => {
        this.log.error('shutdown failed', { err });
        process.exit(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    await this.start();
  }
}

function gvr(r: GroupVersionResource): ResourceRef {
  return { group: r.group, version: r.version, resource: r.resource };
}


