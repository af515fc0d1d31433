// Metrics from the last two scrapes of each node (metrics-server's pkg/storage): CPU is the
// rate between two cumulative samples (usage = Δ usageCoreNanoSeconds / Δ time, over that
// window); memory is the latest working set. A series needs two points before it is served,
// and a restarted container (its counter went back or its start time changed) starts over.

export interface CpuSample { time: string; usageCoreNanoSeconds: number }
export interface MemorySample { time: string; workingSetBytes: number }

/** The parts of the kubelet's stats/v1alpha1 Summary read here. */
export interface Summary {
  node: { nodeName: string; startTime?: string; cpu?: CpuSample; memory?: MemorySample };
  pods?: Array<{
    podRef: { name: string; namespace: string; uid?: string };
    containers?: Array<{ name: string; startTime?: string; cpu?: CpuSample; memory?: MemorySample }>;
  }>;
}

interface Point { startTime: string; cpu: CpuSample; memoryBytes: number }

export interface Usage {
  /** End of the window (the latest sample's time). */
  timestamp: string;
  windowMs: number;
  nanoCores: number;
  memoryBytes: number;
}

export interface PodUsage {
  timestamp: string;
  windowMs: number;
  containers: Array<{ name: string; nanoCores: number; memoryBytes: number }>;
}

function rate(prev: Point | undefined, last: Point): Usage | undefined {
  if (!prev || prev.startTime !== last.startTime) return undefined;
  const windowMs = Date.parse(last.cpu.time) - Date.parse(prev.cpu.time);
  const delta = last.cpu.usageCoreNanoSeconds - prev.cpu.usageCoreNanoSeconds;
  if (!(windowMs > 0) || delta < 0) return undefined;
  return { timestamp: last.cpu.time, windowMs, nanoCores: (delta * 1000) / windowMs, memoryBytes: last.memoryBytes };
}

const pointOf = (startTime: string | undefined, cpu: CpuSample | undefined, memory: MemorySample | undefined): Point | undefined =>
  cpu && Number.isFinite(cpu.usageCoreNanoSeconds) ? { startTime: startTime ?? '', cpu, memoryBytes: memory?.workingSetBytes ?? 0 } : undefined;

export class MetricsStorage {
  private readonly nodes = new Map<string, { prev?: Point; last: Point }>();
  /** namespace/name → container → points. */
  private readonly pods = new Map<string, Map<string, { prev?: Point; last: Point }>>();

  /** Stores one node's fresh Summary (its pods replace what that node reported before). */
  store(nodeName: string, s: Summary): void {
    const n = pointOf(s.node.startTime, s.node.cpu, s.node.memory);
    if (n) {
      const old = this.nodes.get(nodeName);
      // The same sample again (a kubelet answering from a cache) does not advance the window.
      this.nodes.set(nodeName, old && old.last.cpu.time === n.cpu.time ? old : { prev: old?.last, last: n });
    }
    for (const pod of s.pods ?? []) {
      const key = `${pod.podRef.namespace}/${pod.podRef.name}`;
      const old = this.pods.get(key) ?? new Map<string, { prev?: Point; last: Point }>();
      const next = new Map<string, { prev?: Point; last: Point }>();
      for (const c of pod.containers ?? []) {
        const p = pointOf(c.startTime, c.cpu, c.memory);
        if (!p) continue;
        const was = old.get(c.name);
        next.set(c.name, was && was.last.cpu.time === p.cpu.time ? was : { prev: was?.last, last: p });
      }
      this.pods.set(key, next);
      this.podNode.set(key, nodeName);
    }
    // Pods this node no longer reports are gone.
    const reported = new Set((s.pods ?? []).map((p) => `${p.podRef.namespace}/${p.podRef.name}`));
    for (const [key, node] of this.podNode) {
      if (node === nodeName && !reported.has(key)) {
        this.pods.delete(key);
        this.podNode.delete(key);
      }
    }
  }

  private readonly podNode = new Map<string, string>();

  /** A node that is gone (deleted, or its kubelet unreachable) is forgotten with its pods. */
  forgetNode(nodeName: string): void {
    this.nodes.delete(nodeName);
    for (const [key, node] of this.podNode) {
      if (node === nodeName) {
        this.pods.delete(key);
        this.podNode.delete(key);
      }
    }
  }

  node(name: string): Usage | undefined {
    const s = this.nodes.get(name);
    return s && rate(s.prev, s.last);
  }

  pod(namespace: string, name: string): PodUsage | undefined {
    const cs = this.pods.get(`${namespace}/${name}`);
    if (!cs || cs.size === 0) return undefined;
    const containers: PodUsage['containers'] = [];
    let timestamp = '';
    let windowMs = 0;
    for (const [cname, s] of cs) {
      const u = rate(s.prev, s.last);
      // As metrics-server: a pod is served only when every container has a rate.
      if (!u) return undefined;
      containers.push({ name: cname, nanoCores: u.nanoCores, memoryBytes: u.memoryBytes });
      if (u.timestamp > timestamp) timestamp = u.timestamp;
      windowMs = Math.max(windowMs, u.windowMs);
    }
    return { timestamp, windowMs, containers };
  }
}
