// The kubelet's Prometheus metrics, on the Manager's registry, under the kubelet's names:
// kubelet_pod_start_duration_seconds (first sighting of a pod → its first Running status),
// kubelet_running_pods, and prober_probe_total{probe_type,result}. One instance per process,
// shared by every node the process hosts (KubeletMetrics.of).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProbeKind, ProbeResult } from './prober';

// The kubelet's pod start buckets (seconds).
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
const PROBE_RESULTS: Record<ProbeResult, string> = { success: 'successful', failure: 'failed' };

const perRegistry = new WeakMap<Registry, KubeletMetrics>();

export class KubeletMetrics {
  readonly podStartDuration: Histogram;
  readonly probes: Counter<'probe_type' | 'result'>;
  /** When each pod not yet Running was first seen (performance.now()). */
  private readonly firstSeen = new Map<string, number>();
  private readonly nodes: (() => number)[] = [];

  /** The process's kubelet metrics on `registry` (created on first use). */
  static of(registry: Registry): KubeletMetrics {
    let m = perRegistry.get(registry);
    if (!m) perRegistry.set(registry, (m = new KubeletMetrics(registry)));
    return m;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds', registers, buckets: POD_START_BUCKETS,
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
    });
    const nodes = this.nodes;
    new Gauge({
      name: 'kubelet_running_pods', registers, help: 'Number of pods that have a running pod sandbox',
      collect() {
        this.set(nodes.reduce((n, count) => n + count(), 0));
      },
    });
    this.probes = new Counter({
      name: 'prober_probe_total', registers, labelNames: ['probe_type', 'result'],
      help: 'Cumulative number of a liveness, readiness or startup probe for a container by result.',
    });
  }

  /** A node of this process: `runningPods` counts the pods it runs now. */
  addNode(runningPods: () => number): void {
    this.nodes.push(runningPods);
  }

  /**
   * The kubelet saw pod `uid` for the first time. One already Running (adopted after a kubelet
   * restart) has started long ago: it is not timed, as the kubelet does not time it either.
   */
  podSeen(uid: string, alreadyRunning: boolean): void {
    if (!alreadyRunning && !this.firstSeen.has(uid)) this.firstSeen.set(uid, performance.now());
  }

  /** Pod `uid` has a Running status: its start is timed once. */
  podRunning(uid: string): void {
    const seen = this.firstSeen.get(uid);
    if (seen === undefined) return;
    this.firstSeen.delete(uid);
    this.podStartDuration.observe((performance.now() - seen) / 1000);
  }

  /** Pod `uid` is gone (never timed if it never ran). */
  podGone(uid: string): void {
    this.firstSeen.delete(uid);
  }

  probed(kind: ProbeKind, result: ProbeResult): void {
    this.probes.inc({ probe_type: probeType(kind), result: PROBE_RESULTS[result] });
  }
}

// The kubelet's probe_type values: Liveness, Readiness, Startup.
function probeType(kind: ProbeKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}
