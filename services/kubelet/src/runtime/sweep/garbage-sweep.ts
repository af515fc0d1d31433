// The start-up garbage sweep: after a kubelet crash (kill -9) pods may have been deleted while
// nobody stopped them, so their processes, mounts, cgroups, network namespaces and veths are
// still on the node. Once the pod cache is complete, every resource kind's lister says what
// exists and for which pod; whatever belongs to a pod the API no longer binds to this node is
// removed, kind by kind in `order` (processes before the mounts and cgroups they hold, network
// last). Each kind plugs in as a ResourceSweeper (cgroups, the runtime's pod state here;
// networking and mounts from their own modules).
import type { Logger } from '@keelson/telemetry';

/** One thing on the node that belongs to a pod. */
export interface NodeResource {
  /** `pod-state`, `cgroup`, `netns`, `veth`, `mount`… (the sweeper's kind). */
  kind: string;
  /** What the sweeper needs to remove it (a path, a name, a pid). */
  id: string;
  /** The pod it belongs to; resources without one (the node's bridge) are never swept. */
  podUid?: string;
}

/** A kind of pod resource the sweep can list and remove. */
export interface ResourceSweeper {
  readonly kind: string;
  /** Lower runs first: 10 processes/pod state, 20 mounts, 30 cgroups, 40 network. */
  readonly order: number;
  list(): Promise<NodeResource[]>;
  remove(resource: NodeResource): Promise<void>;
}

export interface SweepReport {
  removed: NodeResource[];
  kept: number;
  failed: Array<{ resource: NodeResource; error: string }>;
}

export class GarbageSweep {
  private readonly sweepers: ResourceSweeper[] = [];

  constructor(private readonly log: Logger) {}

  register(s: ResourceSweeper): void {
    if (this.sweepers.some((x) => x.kind === s.kind)) throw new Error(`a sweeper for ${s.kind} is registered already`);
    this.sweepers.push(s);
  }

  get kinds(): string[] {
    return this.sorted().map((s) => s.kind);
  }

  /**
   * Removes every resource of a pod for which `isLive(uid)` is false. `isLive` is asked at removal
   * time (not once up front), so a pod created while the sweep runs is never taken for garbage.
   */
  async sweep(isLive: (uid: string) => boolean): Promise<SweepReport> {
    const report: SweepReport = { removed: [], kept: 0, failed: [] };
    for (const s of this.sorted()) {
      let found: NodeResource[];
      try {
        found = await s.list();
      } catch (err) {
        this.log.warn('listing pod resources failed', { kind: s.kind, err: String(err) });
        continue;
      }
      for (const r of found) {
        if (r.podUid === undefined || isLive(r.podUid)) {
          report.kept++;
          continue;
        }
        try {
          await s.remove(r);
          report.removed.push(r);
          this.log.info('removed a leftover of a deleted pod', { kind: r.kind, id: r.id, uid: r.podUid });
        } catch (err) {
          report.failed.push({ resource: r, error: String(err) });
          this.log.warn('removing a leftover of a deleted pod failed', { kind: r.kind, id: r.id, uid: r.podUid, err: String(err) });
        }
      }
    }
    return report;
  }

  private sorted(): ResourceSweeper[] {
    return [...this.sweepers].sort((a, b) => a.order - b.order);
  }
}
