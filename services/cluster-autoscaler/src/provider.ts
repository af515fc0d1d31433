// How the autoscaler gets and gives back machines (upstream's CloudProvider / NodeGroup).
// `process` (a kubelet process per node) is in process-provider.ts, `container` (a kubelet
// container per node, through the Docker Engine API) in container-provider.ts.
// `simulated`: a machine is a Node object carrying its shape in annotations; a simulated kubelet
// claims and hosts it (services/kubelet/src/runtime/simulated/pool-nodes.ts), so its pods really
// run. Deleting the Node gives the machine back.
import { randomBytes } from 'node:crypto';
import { NODES, isNotFound, type DynamicClient, type KubeObject, type Node, type ResourceRef } from '@keelson/operator-sdk';
import { GROUP, NODEPOOLS, POOL_LABEL, type NodePool } from './types';

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

/** An object by name through the API, or null when the API says NotFound (never from a cache). */
export async function getOrNull<T extends KubeObject>(client: DynamicClient, resource: ResourceRef, name: string): Promise<T | null> {
  try {
    return await client.resource<T>(resource).get(name);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * Whether a machine of `poolName` named `node` is to be removed: its NodePool is gone (deleted
 * pools' machines go, though their kubelets register their Nodes again), or its Node is. Each
 * absence is confirmed with the API, not a cache that may lag.
 */
export async function machineOrphaned(client: DynamicClient, pools: Map<string, NodePool>, nodes: Map<string, Node>, poolName: string | undefined, node: string): Promise<string | undefined> {
  if (poolName !== undefined && !pools.has(poolName) && (await getOrNull(client, NODEPOOLS, poolName)) === null) return `its NodePool ${poolName} is gone`;
  if (!nodes.has(node) && (await getOrNull(client, NODES, node)) === null) return 'its Node is gone';
  return undefined;
}

/** Deletes a machine's Node (already gone is fine). */
export async function deleteNodeObject(client: DynamicClient, node: string): Promise<void> {
  try {
    await client.resource(NODES).delete(node);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A new machine's name: the pool's and a random suffix. */
export const machineName = (pool: NodePool): string => `${String(pool.metadata.name)}-${randomBytes(4).toString('hex').slice(0, 5)}`;

/**
 * The Node of a new machine of `pool`: the pool's label and the template's labels and taints,
 * the provider named in an annotation, and the pool as owner (deleting the NodePool lets the
 * garbage collector remove its machines).
 */
export function poolNode(pool: NodePool, name: string, provider: string, annotations: Record<string, string> = {}): Node {
  const t = pool.spec.nodeTemplate;
  const poolName = String(pool.metadata.name);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: { ...t.labels, [POOL_LABEL]: poolName },
      annotations: { [PROVIDER_ANNOTATION]: provider, ...annotations },
      ownerReferences: [{ apiVersion: `${GROUP}/v1alpha1`, kind: 'NodePool', name: poolName, uid: String(pool.metadata.uid) }],
    },
    spec: t.taints?.length ? { taints: t.taints } : {},
  };
}

/** The kubelet settings that give a machine the pool's shape, labels and taints. */
export function nodeShapeEnv(pool: NodePool): Record<string, string> {
  const t = pool.spec.nodeTemplate;
  const labels = { ...t.labels, [POOL_LABEL]: String(pool.metadata.name) };
  return {
    KEELSON_NODE_CPU: String(t.allocatable.cpu),
    KEELSON_NODE_MEMORY: String(t.allocatable.memory),
    KEELSON_NODE_PODS: String(t.allocatable.pods ?? '110'),
    KEELSON_NODE_LABELS: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    KEELSON_NODE_TAINTS: (t.taints ?? []).map((x) => `${x.key}${x.value ? `=${x.value}` : ''}:${x.effect}`).join(','),
  };
}

export class SimulatedProvider implements NodeProvider {
  readonly name = 'simulated';

  constructor(private readonly client: DynamicClient) {}

  async createNodes(pool: NodePool, count: number): Promise<string[]> {
    const t = pool.spec.nodeTemplate;
    const shape = { cpu: String(t.allocatable.cpu), memory: String(t.allocatable.memory), pods: String(t.allocatable.pods ?? '110') };
    return Promise.all(Array.from({ length: count }, async () => {
      const node = poolNode(pool, machineName(pool), 'simulated', { [SHAPE_ANNOTATION]: JSON.stringify(shape) });
      const out = await this.client.resource<Node>(NODES).create(node, { fieldManager: 'cluster-autoscaler' });
      return String(out.metadata.name);
    }));
  }

  async deleteNode(_pool: NodePool, node: string): Promise<void> {
    await deleteNodeObject(this.client, node);
  }
}

export function providerFor(pool: NodePool, providers: Record<string, NodeProvider>): NodeProvider | undefined {
  return providers[pool.spec.provider ?? 'simulated'];
}
