// The kubelet's Summary API (GET /stats/summary, kubelet stats/v1alpha1): the node's and each
// running pod's and container's CPU (cumulative core-nanoseconds, and a rate from the previous
// read) and memory (working set), the shape metrics-server scrapes. Process pods are read from
// their cgroups (runtime/cgroups/), or from /proc of their processes when cgroups are off;
// simulated pods report a synthetic load (KEELSON_KUBELET_SIM_CPU_MILLICORES per container,
// KEELSON_KUBELET_SIM_MEMORY_BYTES per container) so autoscaling can be exercised at scale.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../types';

export interface CpuStats { time: string; usageNanoCores?: number; usageCoreNanoSeconds: number }
export interface MemoryStats { time: string; workingSetBytes: number; usageBytes: number; availableBytes?: number }
export interface ContainerStats { name: string; startTime: string; cpu: CpuStats; memory: MemoryStats }
export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStats[];
  cpu: CpuStats;
  memory: MemoryStats;
}
export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats };
  pods: PodStats[];
}

/** Where one container's usage comes from. */
export interface UsageSource {
  /**
   * Cumulative CPU ns and working set bytes of a running container at the sample's time `at`
   * (epoch ms); undefined: not measurable.
   */
  container(pod: Pod, container: string, startedAt: string, at: number): Promise<{ cpuNs: number; memoryBytes: number } | undefined>;
  /** The node as a whole. */
  node(pods: PodStats[]): Promise<{ cpuNs: number; memoryBytes: number; availableBytes?: number }>;
}

/** A synthetic load: every running container uses `millicores` of CPU and `memoryBytes` of memory. */
export function syntheticUsage(millicores: number, memoryBytes: number): UsageSource {
  return {
    // Computed for the sample's own timestamp, not the clock when it is read: the rate between two
    // samples is then exactly the configured load (the summary's awaits once made it 76m for 75m).
    container: async (_pod, _c, startedAt, at) => {
      const since = Math.max(0, at - Date.parse(startedAt));
      return { cpuNs: Math.round(millicores * 1e6 * (since / 1000)), memoryBytes };
    },
    node: async (pods) => ({
      cpuNs: pods.reduce((s, p) => s + p.cpu.usageCoreNanoSeconds, 0),
      memoryBytes: pods.reduce((s, p) => s + p.memory.workingSetBytes, 0),
    }),
  };
}

/** Reads the container cgroup's directories (v1: one per controller, v2: one). */
export type ContainerDirs = (uid: string, container: string) => Promise<string[] | undefined>;

/** Process pods: the container's cgroup (cpuacct.usage / cpu.stat, memory usage minus inactive file). */
export function cgroupUsage(dirsOf: ContainerDirs): UsageSource {
  return {
    container: async (pod, container) => {
      const dirs = await dirsOf(pod.metadata.uid ?? '', container);
      if (!dirs) return undefined;
      const cpuNs = await firstOf(dirs, async (d) => {
        const v1 = await read(join(d, 'cpuacct.usage'));
        if (v1 !== undefined) return Number(v1.trim());
        const m = /^usage_usec (\d+)$/m.exec((await read(join(d, 'cpu.stat'))) ?? '');
        return m ? Number(m[1]) * 1000 : undefined;
      });
      const memoryBytes = await firstOf(dirs, async (d) => {
        const usage = (await read(join(d, 'memory.usage_in_bytes'))) ?? (await read(join(d, 'memory.current')));
        if (usage === undefined) return undefined;
        // The working set, as cAdvisor computes it: usage less inactive file pages (reclaimable).
        const stat = (await read(join(d, 'memory.stat'))) ?? '';
        const inactive = /^(?:total_inactive_file|inactive_file) (\d+)$/m.exec(stat);
        return Math.max(0, Number(usage.trim()) - (inactive ? Number(inactive[1]) : 0));
      });
      if (cpuNs === undefined) return undefined;
      return { cpuNs, memoryBytes: memoryBytes ?? 0 };
    },
    node: machineUsage,
  };
}

/** The machine: /proc/stat's busy jiffies and /proc/meminfo's MemTotal - MemAvailable. */
export async function machineUsage(): Promise<{ cpuNs: number; memoryBytes: number; availableBytes?: number }> {
  const stat = (await read('/proc/stat')) ?? '';
  const f = (/^cpu\s+(.*)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait; USER_HZ is 100.
  const busy = [0, 1, 2, 5, 6, 7].reduce((s, i) => s + (f[i] || 0), 0);
  const mem = (await read('/proc/meminfo')) ?? '';
  const kib = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(mem)?.[1] ?? 0) * 1024;
  const available = kib('MemAvailable');
  return { cpuNs: busy * 1e7, memoryBytes: Math.max(0, kib('MemTotal') - available), availableBytes: available };
}

/** Builds summaries and remembers the previous CPU sample per series for usageNanoCores. */
export class SummaryBuilder {
  private readonly last = new Map<string, { ns: number; at: number }>();

  constructor(private readonly source: UsageSource, private readonly startTime = new Date().toISOString()) {}

  async build(nodeName: string, pods: Pod[], now = Date.now()): Promise<Summary> {
    const time = new Date(now).toISOString();
    const seen = new Set<string>();
    const out: PodStats[] = [];
    for (const pod of pods) {
      if (pod.status?.phase !== 'Running') continue;
      const uid = pod.metadata.uid ?? '';
      const containers: ContainerStats[] = [];
      for (const cs of pod.status?.containerStatuses ?? []) {
        const startedAt = cs.state?.running?.startedAt;
        if (!startedAt) continue;
        const u = await this.source.container(pod, cs.name, startedAt, now).catch(() => undefined);
        if (!u) continue;
        const key = `${uid}/${cs.name}`;
        seen.add(key);
        containers.push({ name: cs.name, startTime: startedAt, cpu: this.cpu(key, u.cpuNs, now, time), memory: { time, workingSetBytes: u.memoryBytes, usageBytes: u.memoryBytes } });
      }
      if (!containers.length) continue;
      const cpuNs = containers.reduce((s, c) => s + c.cpu.usageCoreNanoSeconds, 0);
      const mem = containers.reduce((s, c) => s + c.memory.workingSetBytes, 0);
      seen.add(uid);
      out.push({
        podRef: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid },
        startTime: pod.status?.startTime ?? containers[0].startTime,
        containers,
        cpu: this.cpu(uid, cpuNs, now, time),
        memory: { time, workingSetBytes: mem, usageBytes: mem },
      });
    }
    const n = await this.source.node(out);
    const nodeKey = `node/${nodeName}`;
    seen.add(nodeKey);
    // Series no longer running are forgotten (one builder per node keeps this bounded).
    for (const k of this.last.keys()) if (!seen.has(k)) this.last.delete(k);
    return {
      node: { nodeName, startTime: this.startTime, cpu: this.cpu(nodeKey, n.cpuNs, now, time), memory: { time, workingSetBytes: n.memoryBytes, usageBytes: n.memoryBytes, availableBytes: n.availableBytes } },
      pods: out,
    };
  }

  private cpu(key: string, ns: number, now: number, time: string): CpuStats {
    const prev = this.last.get(key);
    this.last.set(key, { ns, at: now });
    const usageNanoCores = prev && now > prev.at && ns >= prev.ns ? Math.round(((ns - prev.ns) * 1000) / (now - prev.at)) : undefined;
    return { time, usageCoreNanoSeconds: ns, ...(usageNanoCores !== undefined ? { usageNanoCores } : {}) };
  }
}

const read = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

async function firstOf<T>(dirs: string[], f: (d: string) => Promise<T | undefined>): Promise<T | undefined> {
  for (const d of dirs) {
    const v = await f(d);
    if (v !== undefined) return v;
  }
  return undefined;
}
