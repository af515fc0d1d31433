// The scheduler's own Prometheus metrics, on the Manager's registry, under kube-scheduler's
// names: scheduler_schedule_attempts_total{result,profile} and
// scheduler_scheduling_attempt_duration_seconds{result,profile}. Binding runs after the
// scheduling cycle and alongside the next ones, so its calls have their own keelson_ metrics.
import { Counter, Histogram, type Registry } from 'prom-client';

/** kube-scheduler's results: `scheduled`, `unschedulable` (no node fits) or `error`. */
export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly attempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly bindings: Counter<'result'>;
  readonly bindingDuration: Histogram;
  private readonly profile: string;

  /** `profiles`: the schedulerNames this process serves (the first is the label when an attempt names none). */
  constructor(registry: Registry, profiles: string | readonly string[] = 'default-scheduler') {
    const names = typeof profiles === 'string' ? [profiles] : [...profiles];
    this.profile = names[0] ?? 'default-scheduler';
    const registers = [registry];
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', labelNames: ['result', 'profile'], registers });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (the scheduling cycle: filter, score, assume)', labelNames: ['result', 'profile'], registers,
      // kube-scheduler's: ExponentialBuckets(0.001, 2, 15).
      buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i),
    });
    for (const profile of names) for (const result of ['scheduled', 'unschedulable', 'error'] as const) this.attempts.inc({ result, profile }, 0);
    this.bindings = new Counter({ name: 'keelson_scheduler_bindings_total', help: 'Binding calls by result (success, failure)', labelNames: ['result'], registers });
    this.bindingDuration = new Histogram({ name: 'keelson_scheduler_binding_duration_seconds', help: 'Time per binding call', registers, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
  }

  /** One scheduling attempt that began at `startedMs` (performance.now()) ended with `result`. */
  attempted(result: AttemptResult, startedMs: number, profile = this.profile): void {
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, (performance.now() - startedMs) / 1000);
  }
}
