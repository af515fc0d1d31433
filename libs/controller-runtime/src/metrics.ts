// Prometheus metrics of one controller process, on a registry of its own (no global state,
// so several managers can live in one test process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from './work-queue';

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly reconcileDuration: Histogram<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly informerLag: Histogram<'resource'>;
  readonly informerRelists: Counter<'resource' | 'reason'>;
  readonly leader: Gauge<'lease'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.queueDepth = new Gauge({ name: 'keelson_workqueue_depth', help: 'Keys waiting in the work queue', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: 'keelson_workqueue_adds_total', help: 'Keys added to the work queue', labelNames: ['name'], registers });
    this.queueRetries = new Counter({ name: 'keelson_workqueue_retries_total', help: 'Keys re-added with back-off', labelNames: ['name'], registers });
    this.reconcileDuration = new Histogram({
      name: 'keelson_reconcile_duration_seconds', help: 'Time per reconcile', labelNames: ['controller', 'result'], registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.reconcileErrors = new Counter({ name: 'keelson_reconcile_errors_total', help: 'Reconciles that threw', labelNames: ['controller'], registers });
    this.informerLag = new Histogram({
      name: 'keelson_informer_lag_seconds', help: 'Event stored in JetStream → applied to the informer cache', labelNames: ['resource'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    this.informerRelists = new Counter({ name: 'keelson_informer_relists_total', help: 'Informer relists by reason', labelNames: ['resource', 'reason'], registers });
    this.leader = new Gauge({ name: 'keelson_leader', help: '1 while this replica holds the lease', labelNames: ['lease'], registers });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Queue metrics adapter for a named work queue. */
  queue(name: string): QueueMetrics {
    return {
      depth: (n) => this.queueDepth.set({ name }, n),
      added: () => this.queueAdds.inc({ name }),
      retried: () => this.queueRetries.inc({ name }),
    };
  }
}
