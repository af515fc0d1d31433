// A node's presence in the API: registers the Node (or adopts the existing one), renews
// its Lease in kube-node-lease, and refreshes NodeStatus (conditions Ready=True …) so a
// node the lifecycle controller marked Unknown turns Ready again when the kubelet is back.
// A Node deleted while its kubelet lives is registered again by the next status update
// (as kube's kubelet does when it finds its Node gone), and the Lease follows the new Node.
//
// What a heartbeat costs (kubelet_node_status.go, nodelease): the Lease is renewed from the
// copy the last write returned (one PUT, no GET; a conflict reads it again), and NodeStatus is
// checked against the Node as the kubelet's Node informer shows it every status period but
// only written when it changed (a condition, capacity, an address …) or when the report
// period (nodeStatusReportFrequency, 5 min) has passed: the Lease is the liveness signal. A
// simulated kubelet hosting 500 nodes otherwise sent 200 requests/s (GET+PUT Lease, GET+PATCH
// status, each every 10 s), more than a loaded gateway serves.
import { microTime, type OwnerReference } from '@keelson/api';
import { isAlreadyExists, isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { LEASES } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import { newNode, nodeLabels, nodeStatus, type NodeIdentity } from './node-object';
import { NODES, type Node, type NodeCondition } from './types';

/** Where the agent reads its Node between writes (the kubelet's Node informer). */
export interface NodeSource {
  hasSynced(): boolean;
  get(name: string): Node | undefined;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  client: KeelsonClient;
  identity: NodeIdentity;
  leaseDurationSeconds: number;
  leaseRenewMs: number;
  statusUpdateMs: number;
  /**
   * Most time between two NodeStatus writes when nothing in it changed (kube's
   * nodeStatusReportFrequency). Default: every status period (no skipping), the behaviour
   * without a `nodes` source.
   */
  statusReportMs?: number;
  /** The Node as the informer shows it; without it every status period GETs the Node. */
  nodes?: NodeSource;
  log: Logger;
  /**
   * Adopt-only (a node a provider created, e.g. the cluster autoscaler's): the agent never
   * creates the Node, and once it is deleted the agent stops instead of registering it again.
   */
  adoptOnly?: boolean;
  /**
   * Where in its periods this node's heartbeats fall, in (0, 1]: the first periodic Lease
   * renewal and status sync come `phase` of a period after the start, then one period apart.
   * Default 1. A process hosting many simulated nodes spreads them over the period: started
   * together, a thousand nodes otherwise renewed their Leases in one burst every 10 s (1,000
   * writes at once, the API's tail latency with them), where real kubelets start apart.
   */
  phase?: number;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; ownerReferences?: OwnerReference[]; [k: string]: unknown };
  spec: Record<string, unknown>;
  [k: string]: unknown;
}

export class NodeAgent {
  private uid?: string;
  /** The Lease as our last write returned it: the next renewal starts from it. */
  private lease?: Lease;
  /** When NodeStatus was last written (ms), and what was written, heartbeat times left out. */
  private lastReport = 0;
  private lastReported?: string;
  private leaseTimer?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: NodeAgentOptions) {}

  get name(): string {
    return this.opts.identity.name;
  }

  /** Registers (retrying until it succeeds), then heartbeats until stop(). */
  async start(): Promise<void> {
    for (let delay = 200; !this.stopped; delay = Math.min(delay * 2, 7000)) {
      try {
        await this.register();
        break;
      } catch (err) {
        this.opts.log.warn('node registration failed; retrying', { node: this.name, err: messageOf(err) });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (this.stopped) return; // an adopt-only agent whose Node is gone
    await this.renewLease().catch((err: unknown) => this.opts.log.warn('lease renewal failed', { node: this.name, err: messageOf(err) }));
    const phase = Math.min(1, Math.max(0, this.opts.phase ?? 1));
    this.loop('leaseTimer', this.opts.leaseRenewMs, () => this.renewLease(), this.opts.leaseRenewMs * phase);
    this.loop('statusTimer', this.opts.statusUpdateMs, () => this.syncNodeStatus(), this.opts.statusUpdateMs * phase);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.statusTimer);
  }

  private loop(which: 'leaseTimer' | 'statusTimer', everyMs: number, fn: () => Promise<void>, firstMs = everyMs): void {
    if (this.stopped) return;
    this[which] = setTimeout(() => {
      void fn()
        .catch((err: unknown) => this.opts.log.warn(`${which === 'leaseTimer' ? 'lease renewal' : 'node status update'} failed`, { node: this.name, err: messageOf(err) }))
        .finally(() => this.loop(which, everyMs, fn));
    }, firstMs);
  }

  /** Creates the Node; when it exists, keeps its spec (taints set since) and refreshes labels and status. */
  private async register(): Promise<void> {
    const id = this.opts.identity;
    if (this.opts.adoptOnly) return this.adopt();
    try {
      const node = newNode(id, new Date().toISOString());
      const created = await this.opts.client.create<Node>(NODES, node, { fieldManager: 'kubelet' });
      this.uid = created.metadata.uid;
      // Registered with its status: that was the first report.
      this.lastReport = Date.now();
      this.lastReported = statusSignature(node.status as Record<string, unknown>);
      this.opts.log.info('node registered', { node: id.name });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const node = await this.opts.client.patch<Node>(NODES, undefined, id.name, { metadata: { labels: nodeLabels(id) } }, { fieldManager: 'kubelet' });
      this.uid = node.metadata.uid;
      await this.updateStatus(node);
      this.opts.log.info('node already registered; status refreshed', { node: id.name });
    }
  }

  /** Takes over a Node someone else created: refreshes labels and status; a gone Node stops the agent. */
  private async adopt(): Promise<void> {
    try {
      const node = await this.opts.client.patch<Node>(NODES, undefined, this.name, { metadata: { labels: nodeLabels(this.opts.identity) } }, { fieldManager: 'kubelet' });
      this.uid = node.metadata.uid;
      await this.updateStatus(node);
      this.opts.log.info('node adopted', { node: this.name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.stop();
    }
  }

  /** The status loop: refreshes NodeStatus, or registers the Node again when it was deleted. */
  private async syncNodeStatus(): Promise<void> {
    try {
      await this.updateStatus();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (this.opts.adoptOnly) return this.stop();
      this.opts.log.warn('node object is gone; registering it again', { node: this.name });
      await this.register();
    }
  }

  /**
   * Writes NodeStatus when it differs from the stored one (heartbeat times aside) or the report
   * period has passed; `current` (just registered or adopted) is always written.
   */
  private async updateStatus(current?: Node): Promise<void> {
    const node = current ?? (await this.currentNode());
    const previous = Array.isArray(node.status?.conditions) ? (node.status.conditions as NodeCondition[]) : undefined;
    const status = nodeStatus(this.opts.identity, new Date().toISOString(), previous);
    const now = Date.now();
    const wanted = statusSignature(status);
    const reportMs = this.opts.statusReportMs ?? 0;
    if (!current && now - this.lastReport < reportMs && wanted === this.lastReported && wanted === statusSignature(node.status ?? {}, Object.keys(status))) return;
    await this.opts.client.patch(NODES, undefined, this.name, { status }, { subresource: 'status', fieldManager: 'kubelet' });
    this.lastReport = now;
    this.lastReported = wanted;
  }

  /** The Node from the informer once it has synced (a GET when it is not there: gone, or not seen yet). */
  private async currentNode(): Promise<Node> {
    const src = this.opts.nodes;
    const cached = src?.hasSynced() ? src.get(this.name) : undefined;
    return cached ?? (await this.opts.client.get<Node>(NODES, undefined, this.name));
  }

  /**
   * Renews from the Lease the last write returned; only when that copy is stale (409) or the
   * Lease gone (404) is it read again. Any other failure (a timeout on a loaded gateway) keeps
   * the copy, as kube's lease controller does: a GET after every timed-out renewal doubled the
   * requests exactly when the gateway could least serve them (500 simulated nodes at load 100:
   * 4,201 GETs beside 5,953 PUTs).
   */
  private async renewLease(): Promise<void> {
    const cached = this.lease;
    if (cached) {
      try {
        await this.writeLease(cached);
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        this.lease = undefined;
      }
    }
    const c = this.opts.client;
    let lease: Lease | undefined;
    try {
      lease = await c.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, this.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.writeLease(lease);
  }

  /** Creates the Lease (`lease` undefined) or renews `lease`; keeps what the API returned. */
  private async writeLease(lease: Lease | undefined): Promise<void> {
    const c = this.opts.client;
    const spec = { holderIdentity: this.name, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: microTime(new Date()) };
    if (!lease) {
      const owner = this.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.uid }] : undefined;
      this.lease = await c.create<Lease>(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: owner }, spec }, { fieldManager: 'kubelet' });
      return;
    }
    // A re-registered Node has a new uid: the Lease must name it, or the garbage collector
    // deletes the Lease as the dependent of the old (gone) Node.
    const owners = lease.metadata.ownerReferences;
    const staleOwner = this.uid !== undefined && owners?.some((o) => o.kind === 'Node' && o.name === this.name && o.uid !== this.uid);
    const metadata = staleOwner ? { ...lease.metadata, ownerReferences: owners!.map((o) => (o.kind === 'Node' && o.name === this.name ? { ...o, uid: this.uid! } : o)) } : lease.metadata;
    this.lease = await c.update<Lease>(LEASES, { ...lease, metadata, spec: { ...lease.spec, ...spec } }, { fieldManager: 'kubelet' });
  }
}

/**
 * NodeStatus as compared for "changed" (nodeStatusHasChanged): the given fields (default all),
 * conditions without their heartbeat time, object keys in a canonical order.
 */
export function statusSignature(status: Record<string, unknown>, fields: string[] = Object.keys(status)): string {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = status[f];
    out[f] = f === 'conditions' && Array.isArray(v) ? (v as NodeCondition[]).map(({ lastHeartbeatTime: _hb, ...c }) => c) : v;
  }
  return canonicalJson(out);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
