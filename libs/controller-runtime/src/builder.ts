// Declares a controller the way controller-runtime's builder does:
//
//   mgr.newControllerManagedBy('replicaset')
//     .for(REPLICASETS)                    // the object's own key
//     .owns(PODS)                          // the controlling ReplicaSet of a changed Pod
//     .watches(NODES, (node) => keysFor(node))
//     .withOptions({ concurrency: 5 })
//     .complete((queue) => new ReplicaSetReconciler({ ..., queue }));
//
// Every source is the Manager's shared informer of that resource. `queue` (enqueue and
// enqueueAfter) exists from the start, so a reconciler, an event handler or anything built
// before complete() (a dependency graph, a scheduler's back-off) can queue keys without
// waiting for the Controller object.
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import type { ResourceRef } from '@keelson/client';
import type { Controller, ControllerOptions, Reconciler } from './controller';
import { enqueueObject, enqueueOwner, triggerMeta, type Enqueuer } from './handlers';
import type { EventInfo, Informer, ResourceEventHandler } from './informer';
import type { ItemMeta } from './work-queue';

/** What reconcilers and handlers queue keys on. */
export interface ControllerQueue extends Enqueuer {
  /** Queues `key` after `delayMs` (an earlier pending add of the same key wins). */
  enqueueAfter(key: string, delayMs: number, meta?: ItemMeta): void;
}

/** Maps a changed object to the keys to reconcile (controller-runtime's MapFunc). */
export type MapFunc<T extends KubeObject = KubeObject> = (obj: T, info: EventInfo) => string | readonly string[] | undefined | void;

/** Builds an informer handler that queues onto the controller's queue. */
export type HandlerFactory<T extends KubeObject = KubeObject> = (queue: ControllerQueue) => ResourceEventHandler<T>;

export interface WatchOptions {
  /** Watch one namespace only (default: all). */
  namespace?: string;
}

export interface ForOptions extends WatchOptions {
  /** The kind of the reconciled resource, for owns(); looked up for built-in resources. */
  kind?: string;
}

export type BuilderOptions = Omit<ControllerOptions, 'name' | 'reconciler' | 'metrics' | 'logger'>;

/** What a builder needs from its Manager. */
export interface BuilderHost {
  informer(resource: ResourceRef, namespace?: string): Informer<KubeObject>;
  newController(opts: Omit<ControllerOptions, 'metrics' | 'logger'>): Controller;
}

interface Source {
  resource: ResourceRef;
  namespace?: string;
  handler: HandlerFactory;
}

export class ControllerBuilder {
  /** The controller's queue; usable before complete() (keys wait until it exists). */
  readonly queue: ControllerQueue;
  private readonly sources: Source[] = [];
  private primary?: { resource: ResourceRef; kind?: string };
  private owned = false;
  private options: BuilderOptions = {};
  private controller?: Controller;
  private pending: { key: string; meta?: ItemMeta; delayMs?: number }[] = [];

  constructor(readonly name: string, private readonly host: BuilderHost) {
    this.queue = {
      enqueue: (key, meta) => {
        if (this.controller) this.controller.enqueue(key, meta);
        else this.pending.push({ key, meta });
      },
      enqueueAfter: (key, delayMs, meta) => {
        if (this.controller) this.controller.enqueueAfter(key, delayMs, meta);
        else this.pending.push({ key, meta, delayMs });
      },
    };
  }

  /** The resource this controller reconciles: each change queues the object's own key. */
  for(resource: ResourceRef, opts: ForOptions = {}): this {
    if (this.primary) throw new Error(`controller ${this.name}: for() may be called only once`);
    this.primary = { resource, kind: opts.kind ?? BUILTIN_RESOURCES.find((r) => r.group === resource.group && r.resource === resource.resource)?.kind };
    return this.add(resource, opts.namespace, (q) => enqueueObject(q));
  }

  /** Dependents this controller creates: a change queues their controlling owner of the for() kind. */
  owns(resource: ResourceRef, opts: WatchOptions = {}): this {
    this.owned = true;
    return this.add(resource, opts.namespace, (q) => {
      const owner = this.primary;
      if (!owner?.kind) throw new Error(`controller ${this.name}: owns() needs for() with a known kind`);
      return enqueueOwner(q, { kind: owner.kind, group: owner.resource.group });
    });
  }

  /** Any other resource: `map` names the keys a change concerns (old and new object on update). */
  watches<T extends KubeObject = KubeObject>(resource: ResourceRef, map: MapFunc<T>, opts: WatchOptions = {}): this {
    return this.add(resource, opts.namespace, (q) => mapHandler(q, map) as ResourceEventHandler);
  }

  /** Any other resource, with a handler of its own (e.g. one that also records expectations). */
  watchesWith<T extends KubeObject = KubeObject>(resource: ResourceRef, handler: HandlerFactory<T>, opts: WatchOptions = {}): this {
    return this.add(resource, opts.namespace, handler as HandlerFactory);
  }

  /** Concurrency and rate limiting of the controller's workers. */
  withOptions(opts: BuilderOptions): this {
    if (this.controller) throw new Error(`controller ${this.name}: withOptions() after complete()`);
    this.options = { ...this.options, ...opts };
    return this;
  }

  /**
   * Creates the controller with its reconciler (or a function of the controller's queue that
   * builds one) and connects every source to it; returns the running-with-the-Manager Controller.
   */
  complete(reconciler: Reconciler | ((queue: ControllerQueue) => Reconciler)): Controller {
    if (this.controller) throw new Error(`controller ${this.name}: complete() may be called only once`);
    if (this.owned && !this.primary?.kind) throw new Error(`controller ${this.name}: owns() needs for() with a known kind (pass { kind })`);
    const r = typeof reconciler === 'function' ? reconciler(this.queue) : reconciler;
    const c = this.host.newController({ ...this.options, name: this.name, reconciler: r });
    this.controller = c;
    for (const p of this.pending) {
      if (p.delayMs === undefined) c.enqueue(p.key, p.meta);
      else c.enqueueAfter(p.key, p.delayMs, p.meta);
    }
    this.pending = [];
    for (const s of this.sources) this.host.informer(s.resource, s.namespace).addEventHandler(s.handler(this.queue));
    return c;
  }

  private add(resource: ResourceRef, namespace: string | undefined, handler: HandlerFactory): this {
    if (this.controller) throw new Error(`controller ${this.name}: sources must be declared before complete()`);
    this.sources.push({ resource, namespace, handler });
    return this;
  }
}

/** controller-runtime's EnqueueRequestsFromMapFunc: every key `map` returns, with the event's trace. */
export function mapHandler<T extends KubeObject>(q: Enqueuer, map: MapFunc<T>): ResourceEventHandler<T> {
  const keysOf = (o: T, info: EventInfo): string[] => {
    const k = map(o, info);
    if (!k) return [];
    return typeof k === 'string' ? [k] : [...k];
  };
  const send = (keys: Iterable<string>, o: T, info: EventInfo): void => {
    const meta = triggerMeta(o, info);
    for (const k of keys) if (k) q.enqueue(k, meta);
  };
  return {
    onAdd: (o, i) => send(keysOf(o, i), o, i),
    onUpdate: (old, o, i) => send(new Set([...keysOf(old, i), ...keysOf(o, i)]), o, i),
    onDelete: (o, i) => send(keysOf(o, i), o, i),
  };
}
