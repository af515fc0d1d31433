// The scheduler's view of what each node holds: pods the informer shows bound, plus pods
// this scheduler has assumed onto a node and is binding (or has bound, not yet seen).
// Assuming lets back-to-back pods see each other's requests before any event arrives:
//   assume → (bind ok) finishBinding → informer shows it bound: confirmed
//          → (bind failed) forget
// An assumption whose bind finished but never shows up expires after `assumedTtlMs` when that is
// set; by default (0) it never does, as in kube-scheduler since 1.23 (durationToExpireAssumedPod = 0,
// kubernetes#106361): a bound pod always shows up or is deleted, and expiring it early while the
// watch lags (a loaded control plane) drops its requests and overcommits the node.
import type { KubeObject } from '@keelson/api';
import type { NodeInfo } from './framework';
import { nodeView, podInfo, type NodeView, type PodInfo, type ResourceList } from './pod-info';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  /** When the bind call returned (assumed pods only). */
  bindingFinishedAt?: number;
}

class MutableNodeInfo implements NodeInfo {
  view: NodeView;
  readonly requested: ResourceList = new Map();
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  readonly ownerCounts = new Map<string, number>();

  constructor(view: NodeView) {
    this.view = view;
  }

  add(p: PodInfo, sign: 1 | -1): void {
    for (const [name, v] of p.requests) this.requested.set(name, (this.requested.get(name) ?? 0) + sign * v);
    this.nonZeroMilliCpu += sign * p.nonZeroMilliCpu;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    this.podCount += sign;
    if (p.ownerUid) {
      const n = (this.ownerCounts.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(p.ownerUid, n);
      else this.ownerCounts.delete(p.ownerUid);
    }
  }
}

const EMPTY_NODE: NodeView = { name: '', node: { apiVersion: 'v1', kind: 'Node', metadata: {} }, labels: {}, allocatable: new Map(), taints: [], unschedulable: false };

export class SchedulerCache {
  private readonly nodes = new Map<string, MutableNodeInfo>();
  private readonly pods = new Map<string, PodState>();
  // Nodes with a Node object, in insertion order (pods may reference nodes not seen yet).
  private nodeList?: NodeInfo[];

  constructor(private readonly assumedTtlMs = 0) {}

  setNode(node: KubeObject): void {
    const view = nodeView(node);
    const info = this.nodes.get(view.name);
    if (info) info.view = view;
    else this.nodes.set(view.name, new MutableNodeInfo(view));
    this.nodeList = undefined;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    // Pods still on it keep their accounting until they go; the node just stops being a candidate.
    if (info.podCount > 0) info.view = { ...EMPTY_NODE, name };
    else this.nodes.delete(name);
    this.nodeList = undefined;
  }

  /** Nodes that have a Node object (the candidates), each with its pods' usage. */
  nodeInfos(): NodeInfo[] {
    this.nodeList ??= [...this.nodes.values()].filter((n) => n.view.node.metadata.name);
    return this.nodeList;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /** A pod the informer shows bound to a node (confirms an assumption of it). */
  setBoundPod(pod: KubeObject): void {
    const info = podInfo(pod);
    if (!info.nodeName) return;
    const prior = this.pods.get(info.key);
    if (prior) this.removeState(info.key, prior);
    this.addState(info.key, { info, node: info.nodeName, assumed: false });
  }

  /** A pod gone, or no longer holding resources (terminal). */
  removePod(key: string): void {
    const prior = this.pods.get(key);
    if (prior) this.removeState(key, prior);
  }

  assume(info: PodInfo, node: string): void {
    const prior = this.pods.get(info.key);
    if (prior) this.removeState(info.key, prior);
    this.addState(info.key, { info, node, assumed: true });
  }

  finishBinding(key: string, now = Date.now()): void {
    const s = this.pods.get(key);
    if (s?.assumed) s.bindingFinishedAt = now;
  }

  /** The bind failed: the pod's requests leave the node. */
  forget(key: string): void {
    const s = this.pods.get(key);
    if (s?.assumed) this.removeState(key, s);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** Drops assumptions bound more than the TTL ago that the informer never confirmed. */
  cleanupExpired(now = Date.now()): string[] {
    const expired: string[] = [];
    if (this.assumedTtlMs <= 0) return expired;
    for (const [key, s] of this.pods) {
      if (s.assumed && s.bindingFinishedAt !== undefined && now - s.bindingFinishedAt > this.assumedTtlMs) {
        this.removeState(key, s);
        expired.push(key);
      }
    }
    return expired;
  }

  private addState(key: string, s: PodState): void {
    this.pods.set(key, s);
    let node = this.nodes.get(s.node);
    if (!node) {
      node = new MutableNodeInfo({ ...EMPTY_NODE, name: s.node });
      this.nodes.set(s.node, node);
    }
    node.add(s.info, 1);
  }

  private removeState(key: string, s: PodState): void {
    this.pods.delete(key);
    const node = this.nodes.get(s.node);
    if (!node) return;
    node.add(s.info, -1);
    // A placeholder for a node without a Node object goes once it holds nothing.
    if (node.podCount === 0 && !node.view.node.metadata.name) this.nodes.delete(s.node);
  }
}
