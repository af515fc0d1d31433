// Node IPAM (kube-controller-manager's nodeipam, range allocator): every Node gets
// `spec.podCIDR`/`podCIDRs`, one /<maskSize> block of the cluster CIDR, which its kubelet
// carves pod IPs from (services/kubelet/src/runtime/network/).
//
// Nothing is kept but the Nodes themselves: the blocks in use are re-derived from every
// Node's spec on each allocation (so a restarted or newly elected controller never hands out
// a block twice), plus the blocks this process assigned that its cache has not seen yet.
// One worker (the controller runs with concurrency 1), so two allocations never race; the
// write is an optimistic-concurrency PUT, so a Node changed under us is re-read, not clobbered.
// Simulated (KWOK-style) nodes have no pod network and get no block: a few thousand of them
// would otherwise exhaust a /16 for nothing.
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import type { KubeObject } from '@keelson/api';
import type { ReadOnlyCache, ReconcileContext, ReconcileResult, Reconciler } from '@keelson/controller-runtime';
import type { Recorder } from './node-lifecycle-reconciler';

export interface NodeIpamConfig {
  /** KEELSON_CLUSTER_CIDR [10.244.0.0/16]: the range pod IPs come from (kube's --cluster-cidr). */
  clusterCidr: string;
  /** KEELSON_NODE_CIDR_MASK_SIZE [24]: each node's block (kube's --node-cidr-mask-size). */
  nodeMaskSize: number;
}

/** An IPv4 block: network address as a 32-bit number and its prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

export function ipToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`${JSON.stringify(ip)} is not an IPv4 address`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`${JSON.stringify(ip)} is not an IPv4 address`);
    n = n * 256 + Number(p);
  }
  return n;
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(s: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`${JSON.stringify(s)} is not an IPv4 CIDR`);
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const ip = ipToNumber(m[1]);
  return { base: ip - (ip % size), prefix };
}

export function formatCidr(c: Cidr): string {
  return `${numberToIp(c.base)}/${c.prefix}`;
}

/** The blocks of `cluster` at `maskSize`, by index. */
export class CidrSet {
  readonly cluster: Cidr;
  readonly count: number;
  private readonly blockSize: number;

  constructor(clusterCidr: string, readonly maskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    if (!Number.isInteger(maskSize) || maskSize < this.cluster.prefix || maskSize > 30) {
      throw new Error(`node CIDR mask size ${maskSize} must be between the cluster prefix (/${this.cluster.prefix}) and /30`);
    }
    this.count = 2 ** (maskSize - this.cluster.prefix);
    this.blockSize = 2 ** (32 - maskSize);
  }

  block(index: number): string {
    return formatCidr({ base: this.cluster.base + index * this.blockSize, prefix: this.maskSize });
  }

  /** The index of `cidr` in this set, or undefined when it is not one of its blocks. */
  indexOf(cidr: string): number | undefined {
    let c: Cidr;
    try {
      c = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (c.prefix !== this.maskSize) return undefined;
    const off = c.base - this.cluster.base;
    if (off < 0 || off >= this.count * this.blockSize) return undefined;
    return off / this.blockSize;
  }

  /** The lowest free block, or undefined when every block is taken. */
  firstFree(used: Set<number>): number | undefined {
    for (let i = 0; i < this.count; i++) if (!used.has(i)) return i;
    return undefined;
  }
}

export function podCidrsOf(node: KubeObject): string[] {
  const spec = (node.spec ?? {}) as { podCIDR?: unknown; podCIDRs?: unknown };
  const out = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.filter((c): c is string => typeof c === 'string') : [];
  if (typeof spec.podCIDR === 'string' && spec.podCIDR && !out.includes(spec.podCIDR)) out.unshift(spec.podCIDR);
  return out;
}

const NODES = { group: '', version: 'v1', resource: 'nodes' };

export interface NodeIpamDeps {
  client: Pick<KeelsonClient, 'get' | 'update'>;
  nodes: ReadOnlyCache;
  config: NodeIpamConfig;
  recorder?: Recorder;
}

export class NodeIpamReconciler implements Reconciler {
  private readonly set: CidrSet;
  /** Blocks assigned by this process, until the cache shows them on the Node (name → index). */
  private readonly pending = new Map<string, number>();
  private readonly exhaustedReported = new Set<string>();

  constructor(private readonly d: NodeIpamDeps) {
    this.set = new CidrSet(d.config.clusterCidr, d.config.nodeMaskSize);
  }

  async reconcile(name: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const cached = this.d.nodes.getByName(undefined, name);
    if (!cached) {
      this.pending.delete(name);
      this.exhaustedReported.delete(name);
      return;
    }
    if (podCidrsOf(cached).length) {
      this.pending.delete(name);
      return;
    }
    if (cached.metadata.labels?.['keelson.dev/runtime'] === 'simulated') return;
    // The cache may lag our own last write: read the Node itself before allocating.
    let node: KubeObject;
    try {
      node = await this.d.client.get(NODES, undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (podCidrsOf(node).length) return;
    const index = this.pending.get(name) ?? this.set.firstFree(this.used(name));
    if (index === undefined) {
      if (!this.exhaustedReported.has(name)) {
        this.exhaustedReported.add(name);
        this.d.recorder?.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        ctx.logger.warn('no pod CIDR left for a node', { node: name, clusterCidr: this.d.config.clusterCidr, maskSize: this.set.maskSize });
      }
      return { requeueAfter: 30_000 };
    }
    const cidr = this.set.block(index);
    this.pending.set(name, index);
    try {
      await this.d.client.update(NODES, { ...node, spec: { ...(node.spec ?? {}), podCIDR: cidr, podCIDRs: [cidr] } }, { fieldManager: 'node-ipam-controller' });
    } catch (err) {
      if (isNotFound(err)) {
        this.pending.delete(name);
        return;
      }
      if (isConflict(err)) return { requeueAfter: 100 };
      throw err;
    }
    this.exhaustedReported.delete(name);
    ctx.logger.info('assigned a pod CIDR', { node: name, podCIDR: cidr });
    this.d.recorder?.event(node, 'Normal', 'CIDRAssignmentSucceeded', `Node ${name} was assigned pod CIDR ${cidr}`);
  }

  /** Blocks taken by any other Node (as the cache shows them) or promised by this process. */
  private used(except: string): Set<number> {
    const used = new Set<number>();
    for (const n of this.d.nodes.list()) {
      if (n.metadata.name === except) continue;
      for (const c of podCidrsOf(n)) {
        const i = this.set.indexOf(c);
        if (i !== undefined) used.add(i);
      }
    }
    for (const [n, i] of this.pending) if (n !== except) used.add(i);
    return used;
  }
}
