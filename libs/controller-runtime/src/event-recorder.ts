// core/v1 Events about objects, so `kubectl describe` and `kubectl get events` show what a
// controller did. Repeats of the same (object, type, reason, message) are aggregated like
// Kubernetes' EventCorrelator: the existing Event's count and lastTimestamp are patched.
// Recording never throws and never blocks a reconcile: writes go through a small queue.
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
}

interface Aggregate {
  namespace: string;
  name: string;
  count: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Aggregate>();
  private readonly log: Logger;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EventRecorderOptions) {
    this.log = (opts.logger ?? createLogger(opts.component)).child({ component: 'event-recorder' });
  }

  /** Records an Event about `obj` (asynchronously; see `flush`). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.tail = this.tail.then(() => this.write(obj, type, reason, message)).catch((err: unknown) => {
      this.log.warn('could not record event', { reason, err });
    });
  }

  /** Resolves when every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.tail;
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = metaTime();
    const ns = obj.metadata.namespace || 'default';
    const cacheKey = [obj.apiVersion, obj.kind, ns, obj.metadata.name, obj.metadata.uid, type, reason, message].join('\u0000');
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
    const name = `${obj.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    const ev: KubeObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace,
        uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
      },
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
