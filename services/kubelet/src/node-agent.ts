// A node's presence in the API: registers the Node (or adopts the existing one), renews
// its Lease in kube-node-lease, and refreshes NodeStatus (conditions Ready=True …) so a
// node the lifecycle controller marked Unknown turns Ready again when the kubelet is back.
// A Node deleted while its kubelet lives is registered again by the next status update
// (as kube's kubelet does when it finds its Node gone), and the Lease follows the new Node.
import { microTime, type OwnerReference } from '@keelson/api';
import { isAlreadyExists, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { LEASES } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import { newNode, nodeLabels, nodeStatus, type NodeIdentity } from './node-object';
import { NODES, type Node, type NodeCondition } from './types';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  client: KeelsonClient;
  identity: NodeIdentity;
  leaseDurationSeconds: number;
  leaseRenewMs: number;
  statusUpdateMs: number;
  log: Logger;
  /**
   * Adopt-only (a node a provider created, e.g. the cluster autoscaler's): the agent never
   * creates the Node, and once it is deleted the agent stops instead of registering it again.
   */
  adoptOnly?: boolean;
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
    this.loop('leaseTimer', this.opts.leaseRenewMs, () => this.renewLease());
    this.loop('statusTimer', this.opts.statusUpdateMs, () => this.syncNodeStatus());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.statusTimer);
  }

  private loop(which: 'leaseTimer' | 'statusTimer', everyMs: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    this[which] = setTimeout(() => {
      void fn()
        .catch((err: unknown) => this.opts.log.warn(`${which === 'leaseTimer' ? 'lease renewal' : 'node status update'} failed`, { node: this.name, err: messageOf(err) }))
        .finally(() => this.loop(which, everyMs, fn));
    }, everyMs);
  }

  /** Creates the Node; when it exists, keeps its spec (taints set since) and refreshes labels and status. */
  private async register(): Promise<void> {
    const id = this.opts.identity;
    if (this.opts.adoptOnly) return this.adopt();
    try {
      const created = await this.opts.client.create<Node>(NODES, newNode(id, new Date().toISOString()), { fieldManager: 'kubelet' });
      this.uid = created.metadata.uid;
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

  private async updateStatus(current?: Node): Promise<void> {
    const node = current ?? (await this.opts.client.get<Node>(NODES, undefined, this.name));
    const previous = Array.isArray(node.status?.conditions) ? (node.status.conditions as NodeCondition[]) : undefined;
    await this.opts.client.patch(NODES, undefined, this.name, { status: nodeStatus(this.opts.identity, new Date().toISOString(), previous) }, { subresource: 'status', fieldManager: 'kubelet' });
  }

  private async renewLease(): Promise<void> {
    const c = this.opts.client;
    const now = microTime(new Date());
    let lease: Lease | undefined;
    try {
      lease = await c.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, this.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const spec = { holderIdentity: this.name, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: now };
    if (!lease) {
      const owner = this.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.uid }] : undefined;
      await c.create<Lease>(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: owner }, spec }, { fieldManager: 'kubelet' });
      return;
    }
    // A re-registered Node has a new uid: the Lease must name it, or the garbage collector
    // deletes the Lease as the dependent of the old (gone) Node.
    const owners = lease.metadata.ownerReferences;
    const staleOwner = this.uid !== undefined && owners?.some((o) => o.kind === 'Node' && o.name === this.name && o.uid !== this.uid);
    const metadata = staleOwner ? { ...lease.metadata, ownerReferences: owners!.map((o) => (o.kind === 'Node' && o.name === this.name ? { ...o, uid: this.uid! } : o)) } : lease.metadata;
    await c.update<Lease>(LEASES, { ...lease, metadata, spec: { ...lease.spec, ...spec } }, { fieldManager: 'kubelet' });
  }
}
