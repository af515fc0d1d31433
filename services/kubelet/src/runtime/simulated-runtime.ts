// The `simulated` runtime (like KWOK): no processes; a container "runs" from the moment it
// starts until it is stopped, so one kubelet process can host many nodes for scale runs.
import type { ContainerHandle, ExitInfo, PersistedContainerState, RecoveredContainer, Runtime } from './runtime';
import type { Pod } from '../types';
import { simulatedCompletion } from './simulated/job-pods';

export class SimulatedRuntime implements Runtime {
  readonly name = 'simulated';
  readonly probes = false;
  private nextId = 1;
  private readonly ips = new Map<string, string>();
  private readonly states = new Map<string, PersistedContainerState>();

  /** `nodeIndex` spreads pod IPs per node: 10.<index/256>.<index%256>.<n>. */
  constructor(private readonly nodeIndex: number) {}

  podIP(pod: Pod): string {
    const uid = pod.metadata.uid ?? '';
    let ip = this.ips.get(uid);
    if (!ip) {
      const n = this.ips.size + 1;
      ip = `10.${(this.nodeIndex >> 8) & 255}.${this.nodeIndex & 255}.${n % 254 || 254}`;
      this.ips.set(uid, ip);
    }
    return ip;
  }

  async pullImage(): Promise<void> {}

  async startContainer(pod: Pod): Promise<ContainerHandle> {
    let end!: (e: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (end = r));
    const startedAt = new Date().toISOString();
    // A Job's pod completes on its own (simulated/job-pods.ts); the first end wins.
    const completion = simulatedCompletion(pod);
    if (completion) {
      setTimeout(() => end({ exitCode: completion.exitCode, reason: completion.exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() }), completion.afterMs).unref();
    }
    return {
      containerID: `simulated://${this.nextId++}`,
      startedAt,
      exited,
      async stop(): Promise<ExitInfo> {
        end({ exitCode: 0, reason: 'Completed', finishedAt: new Date().toISOString() });
        return exited;
      },
    };
  }

  async recover(): Promise<RecoveredContainer[]> {
    return [];
  }

  async knownPodUids(): Promise<string[]> {
    return [];
  }

  async removePod(uid: string): Promise<void> {
    this.ips.delete(uid);
    for (const k of this.states.keys()) if (k.startsWith(`${uid}/`)) this.states.delete(k);
  }

  async saveState(pod: Pod, name: string, state: PersistedContainerState): Promise<void> {
    this.states.set(`${pod.metadata.uid}/${name}`, state);
  }

  async loadState(pod: Pod, name: string): Promise<PersistedContainerState | undefined> {
    return this.states.get(`${pod.metadata.uid}/${name}`);
  }

  logPath(): undefined {
    return undefined;
  }
}
