// Prometheus metrics of one controller process, on a registry of its own (no global state,
// so several managers can live in one test process). Names and labels are Kubernetes' where
// Kubernetes has the metric: client-go's work queue (`workqueue_*{name}`), controller-runtime's
// reconciles (`controller_runtime_reconcile_*{controller}`) and client-go's leader election
// (`leader_election_master_status{name}`); Keelson's own (the NATS-fed informers) are `keelson_*`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from './work-queue';

// client-go's work queue buckets: 10^-8 … 10^1 seconds (ExponentialBuckets(10e-9, 10, 10)).
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
// controller-runtime's reconcile time buckets (plus 30 s and 60 s, as it has).
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];

/** How a reconcile ended: `success`, `error`, `requeue` (requeueAfter) or `aborted` (lost leadership). */
export type ReconcileOutcome = string;

/** Counts one reconcile: controller_runtime_reconcile_total by result, and its time. */
export interface ReconcileObserver {
  observe(labels: { controller: string; result: ReconcileOutcome }, seconds: number): void;
}

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly queueLatency: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly reconcileErrors: Counter<'controller'>;
  /** Feeds reconcileTotal and reconcileTime from one observation (what the Controller reports). */
  readonly reconcileDuration: ReconcileObserver;
  readonly informerLag: Histogram<'resource'>;
  readonly informerRelists: Counter<'resource' | 'reason'>;
  readonly leader: Gauge<'name'>;
  /** Per queue: when each key now being processed was taken (performance.now()). */
  private readonly inFlight = new Map<string, () => Iterable<number>>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    this.queueLatency = new Histogram({
      name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], registers, buckets: QUEUE_BUCKETS,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], registers, buckets: QUEUE_BUCKETS,
    });
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], registers, buckets: RECONCILE_BUCKETS,
    });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileDuration = {
      observe: ({ controller, result }, seconds) => {
        this.reconcileTotal.inc({ controller, result });
        this.reconcileTime.observe({ controller }, seconds);
      },
    };
    const inFlight = this.inFlight;
    const sinceNow = (t: number): number => (performance.now() - t) / 1000;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds', registers, labelNames: ['name'],
      help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads.',
      collect() {
        for (const [name, starts] of inFlight) this.set({ name }, [...starts()].reduce((sum, t) => sum + sinceNow(t), 0));
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds', registers, labelNames: ['name'],
      help: 'How many seconds has the longest running processor for workqueue been running.',
      collect() {
        for (const [name, starts] of inFlight) this.set({ name }, [...starts()].reduce((max, t) => Math.max(max, sinceNow(t)), 0));
      },
    });
    this.informerLag = new Histogram({
      name: 'keelson_informer_lag_seconds', help: 'Event stored in JetStream → applied to the informer cache', labelNames: ['resource'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    this.informerRelists = new Counter({ name: 'keelson_informer_relists_total', help: 'Informer relists by reason', labelNames: ['resource', 'reason'], registers });
    this.leader = new Gauge({ name: 'leader_election_master_status', help: '1 while this replica holds the lease `name`, 0 when it does not', labelNames: ['name'], registers });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Queue metrics adapter for a named work queue. */
  queue(name: string): QueueMetrics {
    // Present from the start (0), as client-go's are, so a scrape sees every queue.
    this.queueDepth.set({ name }, 0);
    this.queueAdds.inc({ name }, 0);
    this.queueRetries.inc({ name }, 0);
    // A controller's queue is named after it: its error count is there from the start too.
    this.reconcileErrors.inc({ controller: name }, 0);
    // Label children resolved once: these run on every add, take and done.
    const [depth, adds, retries, latency, work] = [this.queueDepth.labels({ name }), this.queueAdds.labels({ name }), this.queueRetries.labels({ name }), this.queueLatency.labels({ name }), this.workDuration.labels({ name })];
    return {
      depth: (n) => depth.set(n),
      added: () => adds.inc(),
      retried: () => retries.inc(),
      queued: (seconds) => latency.observe(seconds),
      worked: (seconds) => work.observe(seconds),
      inFlight: (starts) => this.inFlight.set(name, starts),
    };
  }
}
