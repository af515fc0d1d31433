// core/v1 Events about objects, so `kubectl describe` and `kubectl get events` show what a
// controller did. Repeats of the same (object, type, reason, message) are aggregated like
// Kubernetes' EventCorrelator: the existing Event's count and lastTimestamp are patched.
// Recording never throws and never blocks a reconcile: writes go through a bounded queue, one at a
// time by default as client-go's broadcaster sends them (repeats of one Event always one after
// the other, so counts add up), and past `maxQueued` waiting Events new ones are dropped, as
// client-go's broadcaster drops past 1,000: a controller that creates 10,000 pods must not hold
// memory for 20,000 Events (only each Event's object reference is kept while it waits). More
// writes at a time are possible (`maxInFlight`) but compete with the controller's own writes:
// at 8, the scheduler bench bound 282-362 pods/s against 411 at 1 (raw binds ~460/s).
import { EVENTS, metaTime, type KubeObject } from '@keelson/api';
import { isNotFound, type KeelsonClient } from '@keelson/client';
import { createLogger, type Logger } from '@keelson/telemetry';

export { EVENTS };

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: Pick<KeelsonClient, 'create' | 'patch'>;
  /** `source.component` / `reportingComponent`, e.g. `namespace-controller`. */
  component: string;
  /** `source.host` / `reportingInstance`. */
  host?: string;
  logger?: Logger;
  /** Aggregation entries kept (oldest dropped first). Default 4096. */
  cacheSize?: number;
  /** Event writes at the API at once. Default 1 (client-go's broadcaster). */
  maxInFlight?: number;
  /** Events waiting to be written; past it new ones are dropped (and counted). Default 1000. */
  maxQueued?: number;
}

/** What an Event needs of its object (the object itself is not kept while the Event waits). */
interface Pending {
  ref: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  type: EventType;
  reason: string;
  message: string;
  key: string;
}

interface Aggregate {
  namespace: string;
  name: string;
  count: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Aggregate>();
  private readonly log: Logger;
  private queue: Pending[] = [];
  private readonly writing = new Set<string>(); // aggregation keys with a write at the API
  private idle: (() => void)[] = [];
  private droppedCount = 0;

  constructor(private readonly opts: EventRecorderOptions) {
    this.log = (opts.logger ?? createLogger(opts.component)).child({ component: 'event-recorder' });
  }

  /** Records an Event about `obj` (asynchronously; see `flush`). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.queue.length >= (this.opts.maxQueued ?? 1000)) {
      if (this.droppedCount++ % 1000 === 0) this.log.warn('event queue full: dropping events', { dropped: this.droppedCount, reason });
      return;
    }
    const { apiVersion, kind } = obj;
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    const key = [apiVersion, kind, namespace || 'default', name, uid, type, reason, message].join('\u0000');
    this.queue.push({ ref: { apiVersion, kind, name, namespace, uid, resourceVersion }, type, reason, message, key });
    this.pump();
  }

  /** Events dropped because the queue was full. */
  dropped(): number {
    return this.droppedCount;
  }

  /** Resolves when every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.writing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  // Starts writes up to maxInFlight, oldest first, skipping Events whose repeat is being written.
  private pump(): void {
    const max = this.opts.maxInFlight ?? 1;
    while (this.writing.size < max) {
      const i = this.queue.findIndex((p) => !this.writing.has(p.key));
      if (i < 0) break;
      const [p] = this.queue.splice(i, 1);
      this.writing.add(p.key);
      this.write(p)
        .catch((err: unknown) => this.log.warn('could not record event', { reason: p.reason, err }))
        .finally(() => {
          this.writing.delete(p.key);
          this.pump();
          if (this.queue.length === 0 && this.writing.size === 0) for (const done of this.idle.splice(0)) done();
        });
    }
  }

  private async write(p: Pending): Promise<void> {
    const { ref, type, reason, message, key: cacheKey } = p;
    const now = metaTime();
    const ns = ref.namespace || 'default';
    const prior = this.seen.get(cacheKey);
    if (prior) {
      try {
        await this.opts.client.patch(EVENTS, prior.namespace, prior.name, { count: prior.count + 1, lastTimestamp: now });
        prior.count++;
        this.touch(cacheKey, prior);
        return;
      } catch (err) {
        // Gone (TTL-cleaned or deleted): start a new Event below.
        if (!isNotFound(err)) throw err;
        this.seen.delete(cacheKey);
      }
    }
    const name = `${ref.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    const ev: KubeObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: ref,
      reason, message, type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: now, lastTimestamp: now, count: 1,
      reportingComponent: this.opts.component, reportingInstance: this.opts.host ?? '',
    };
    await this.opts.client.create(EVENTS, ev);
    this.touch(cacheKey, { namespace: ns, name, count: 1 });
  }

  private touch(key: string, agg: Aggregate): void {
    this.seen.delete(key);
    this.seen.set(key, agg);
    if (this.seen.size > (this.opts.cacheSize ?? 4096)) this.seen.delete(this.seen.keys().next().value!);
  }
}
