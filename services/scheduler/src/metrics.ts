// The scheduler's own Prometheus metrics, on the Manager's registry (kube-scheduler names).
import { Counter, Histogram, type Registry } from 'prom-client';

export class SchedulerMetrics {
  readonly attempts: Counter<'result'>;
  readonly bindings: Counter<'result'>;
  readonly bindingDuration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.attempts = new Counter({ name: 'keelson_scheduler_schedule_attempts_total', help: 'Scheduling cycles by result (scheduled, unschedulable, error)', labelNames: ['result'], registers });
    this.bindings = new Counter({ name: 'keelson_scheduler_bindings_total', help: 'Binding calls by result (success, failure)', labelNames: ['result'], registers });
    this.bindingDuration = new Histogram({ name: 'keelson_scheduler_binding_duration_seconds', help: 'Time per binding call', registers, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
  }
}
