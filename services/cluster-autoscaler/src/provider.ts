// How the autoscaler gets and gives back machines (upstream's CloudProvider / NodeGroup).
// `process` (a kubelet process per node) is in process-provider.ts.
// `simulated`: a machine is a Node object carrying its shape in annotations; a simulated kubelet
// claims and hosts it (services/kubelet/src/runtime/simulated/pool-nodes.ts), so its pods really
// run. Deleting the Node gives the machine back.
import { randomBytes } from 'node:crypto';
import { NODES, isNotFound, type DynamicClient, type Node } from '@keelson/operator-sdk';
import { GROUP, POOL_LABEL, type NodePool } from './types';

/** Shared with the simulated kubelet (pool-nodes.ts). */
export const PROVIDER_ANNOTATION = `${GROUP}/provider`;
export const SHAPE_ANNOTATION = `${GROUP}/node-shape`;

export interface NodeProvider {
  readonly name: string;
  /** Starts `count` new machines for the pool; returns their Node names. */
  createNodes(pool: NodePool, count: number): Promise<string[]>;
  /** Gives the machine back (its Node goes). */
  deleteNode(pool: NodePool, node: string): Promise<void>;
  /** Each loop, on the leader: reconcile what the provider runs with the pools and Nodes. */
  sync?(pools: Map<string, NodePool>, nodes: Node[]): Promise<void>;
}

const suffix = (): string => randomBytes(4).toString('hex').slice(0, 5);

export class SimulatedProvider implements NodeProvider {
  readonly name = 'simulated';

  constructor(private readonly client: DynamicClient) {}

  async createNodes(pool: NodePool, count: number): Promise<string[]> {
    const t = pool.spec.nodeTemplate;
    const shape = { cpu: String(t.allocatable.cpu), memory: String(t.allocatable.memory), pods: String(t.allocatable.pods ?? '110') };
    const poolName = String(pool.metadata.name);
    const created = await Promise.all(Array.from({ length: count }, async () => {
      const node: Node = {
        apiVersion: 'v1', kind: 'Node',
        metadata: {
          name: `${poolName}-${suffix()}`,
          labels: { ...t.labels, [POOL_LABEL]: poolName },
          annotations: { [PROVIDER_ANNOTATION]: 'simulated', [SHAPE_ANNOTATION]: JSON.stringify(shape) },
          // The pool owns its machines: deleting the NodePool lets the garbage collector remove them.
          ownerReferences: [{ apiVersion: `${GROUP}/v1alpha1`, kind: 'NodePool', name: poolName, uid: String(pool.metadata.uid) }],
        },
        spec: t.taints?.length ? { taints: t.taints } : {},
      };
      const out = await this.client.resource<Node>(NODES).create(node, { fieldManager: 'cluster-autoscaler' });
      return String(out.metadata.name);
    }));
    return created;
  }

  async deleteNode(_pool: NodePool, node: string): Promise<void> {
    try {
      await this.client.resource(NODES).delete(node);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function providerFor(pool: NodePool, providers: Record<string, NodeProvider>): NodeProvider | undefined {
  return providers[pool.spec.provider ?? 'simulated'];
}
