// When this controller last saw each node's kubelet alive, on its own clock (like kube's
// nodeHealthMap probeTimestamp): a heartbeat is a change of the Lease's renewTime or of the
// Ready condition's lastHeartbeatTime, timed when observed, so kubelet clock skew cannot
// make a dead node look alive. A node seen for the first time gets a full grace period.
import type { KubeObject } from '@keelson/api';

export class HeartbeatTracker {
  private readonly seen = new Map<string, { signature: string; observedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the node's current heartbeat signature; returns when it last changed. */
  observe(node: KubeObject, lease: KubeObject | undefined): number {
    const name = node.metadata.name!;
    const signature = `${String(lease?.spec?.renewTime ?? '')}|${readyCondition(node)?.lastHeartbeatTime ?? ''}`;
    const prev = this.seen.get(name);
    if (prev && prev.signature === signature) return prev.observedAt;
    const entry = { signature, observedAt: this.now() };
    this.seen.set(name, entry);
    return entry.observedAt;
  }

  forget(name: string): void {
    this.seen.delete(name);
  }
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export function nodeConditions(node: KubeObject): NodeCondition[] {
  const c = node.status?.conditions;
  return Array.isArray(c) ? (c as NodeCondition[]) : [];
}

export function readyCondition(node: KubeObject): NodeCondition | undefined {
  return nodeConditions(node).find((c) => c.type === 'Ready');
}
