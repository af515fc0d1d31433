// The simulated cloud behind the cluster autoscaler's `simulated` provider. The autoscaler
// "buys a machine" by creating a Node object that carries its shape in annotations; a
// simulated kubelet claims it (first writer wins, with the Node's resourceVersion), then hosts
// it like its NODE_COUNT nodes: posts its status and Lease and runs the pods bound to it. When
// the autoscaler deletes the Node (scale-down), the kubelet stops hosting it.
// The annotation names are the protocol with services/cluster-autoscaler/src/provider.ts.
import { isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { Informer } from '@keelson/controller-runtime';
import type { Logger } from '@keelson/telemetry';
import type { Kubelet } from '../../kubelet';
import type { NodeAgent } from '../../node-agent';
import { NODES, type Node, type Pod } from '../../types';

/** `simulated`: a simulated kubelet should host this Node. */
export const PROVIDER_ANNOTATION = 'autoscaling.keelson.dev/provider';
/** JSON {cpu, memory, pods}: the machine's capacity (= allocatable). */
export const SHAPE_ANNOTATION = 'autoscaling.keelson.dev/node-shape';
/** The simulated kubelet (its NODE_NAME) that claimed the Node. */
export const HOST_ANNOTATION = 'autoscaling.keelson.dev/simulated-kubelet';

export type NodeShape = { cpu: string; memory: string; pods: string };

export interface PoolNodeHostOptions {
  /** This kubelet process's NODE_NAME: the claim it writes. */
  host: string;
  client: KeelsonClient;
  nodes: Informer<Node>;
  pods: Informer<Pod>;
  /** The kubelets the pod informer dispatches to, by node name (shared with node-host.ts). */
  kubelets: Map<string, Kubelet>;
  newKubelet(name: string): Kubelet;
  newAgent(name: string, shape: NodeShape, node: Node): NodeAgent;
  log: Logger;
}

export function nodeShape(node: Node): NodeShape | undefined {
  const raw = node.metadata.annotations?.[SHAPE_ANNOTATION];
  if (node.metadata.annotations?.[PROVIDER_ANNOTATION] !== 'simulated' || !raw) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<NodeShape>;
    return typeof s.cpu === 'string' && typeof s.memory === 'string' && typeof s.pods === 'string' ? { cpu: s.cpu, memory: s.memory, pods: s.pods } : undefined;
  } catch {
    return undefined;
  }
}

export class PoolNodeHost {
  private readonly agents = new Map<string, NodeAgent>();
  private readonly claiming = new Set<string>();

  constructor(private readonly o: PoolNodeHostOptions) {
    o.nodes.addEventHandler({
      onAdd: (n) => this.observe(n),
      onUpdate: (_, n) => this.observe(n),
      onDelete: (n) => this.release(String(n.metadata.name)),
    });
  }

  /** Every node this process hosts for a provider. */
  get hosted(): string[] {
    return [...this.agents.keys()];
  }

  private observe(node: Node): void {
    const name = String(node.metadata.name);
    const shape = nodeShape(node);
    if (!shape || node.metadata.deletionTimestamp) return;
    const claim = node.metadata.annotations?.[HOST_ANNOTATION];
    if (claim === this.o.host) this.hostNode(name, shape, node);
    else if (!claim) void this.claim(node);
  }

  /** Writes this kubelet's name on the Node, conditional on its resourceVersion: one host wins. */
  private async claim(node: Node): Promise<void> {
    const name = String(node.metadata.name);
    if (this.claiming.has(name)) return;
    this.claiming.add(name);
    try {
      const annotations = { ...node.metadata.annotations, [HOST_ANNOTATION]: this.o.host };
      await this.o.client.update<Node>(NODES, { ...node, metadata: { ...node.metadata, annotations } }, { fieldManager: 'kubelet' });
    } catch (err) {
      // Another kubelet claimed it (or the Node changed): the informer brings the new state.
      if (!isConflict(err) && !isNotFound(err)) this.o.log.warn('could not claim a provisioned node', { node: name, err: messageOf(err) });
    } finally {
      this.claiming.delete(name);
    }
  }

  private hostNode(name: string, shape: NodeShape, node: Node): void {
    if (this.agents.has(name) || this.o.kubelets.has(name)) return;
    const kubelet = this.o.newKubelet(name);
    this.o.kubelets.set(name, kubelet);
    const agent = this.o.newAgent(name, shape, node);
    this.agents.set(name, agent);
    // Pods already bound to it (a kubelet restarted) are its to run.
    for (const p of this.o.pods.cache.list()) if (p.spec.nodeName === name) kubelet.upsert(p);
    void agent.start().catch((err: unknown) => this.o.log.warn('provisioned node did not start', { node: name, err: messageOf(err) }));
    this.o.log.info('hosting a provisioned node', { node: name, shape });
  }

  private release(name: string): void {
    const agent = this.agents.get(name);
    if (!agent) return;
    agent.stop();
    this.agents.delete(name);
    this.o.kubelets.get(name)?.detach();
    this.o.kubelets.delete(name);
    this.o.log.info('provisioned node deleted; no longer hosted', { node: name });
  }

  stop(): void {
    for (const name of [...this.agents.keys()]) this.release(name);
  }
}
