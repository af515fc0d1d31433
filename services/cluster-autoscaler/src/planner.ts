// Scale-up planning, pure: which pending pods already have a place (on existing or upcoming
// nodes), which pool to grow and by how many nodes for the rest (first-fit-decreasing bin
// packing onto template nodes, capped by maxNodes), and why the others trigger nothing.
import { decreasing, templateSimNode, type PodInfo, type SimNode } from './simulation';
import type { NodePool } from './types';

export const REASON_MAX_SIZE = 'max node group size reached';

export interface PoolSize {
  pool: NodePool;
  /** Nodes the pool has now, registered or coming (not those being removed). */
  current: number;
}

export interface ScaleUp {
  pool: NodePool;
  from: number;
  to: number;
  pods: PodInfo[];
}

export interface Plan {
  /** Pending pods that fit where the cluster already is or will be: pod key → node. */
  fitsExisting: Map<string, string>;
  scaleUps: ScaleUp[];
  /** Pods no pool helps: pod key → (reason → number of pools saying so). */
  noScaleUp: Map<string, { pod: PodInfo; reasons: Map<string, number> }>;
}

/** Places pods first-fit on `bins`, opening new template bins of `pool` up to `limit`. */
export function estimate(pool: NodePool, pods: PodInfo[], limit: number): { nodes: SimNode[]; placed: PodInfo[]; overflow: PodInfo[] } {
  const nodes: SimNode[] = [];
  const placed: PodInfo[] = [];
  const overflow: PodInfo[] = [];
  for (const p of pods) {
    let bin = nodes.find((n) => !n.fails(p));
    if (!bin && nodes.length < limit) {
      const fresh = templateSimNode(pool, `${pool.metadata.name}-new-${nodes.length}`);
      if (!fresh.fails(p)) {
        nodes.push(fresh);
        bin = fresh;
      }
    }
    if (bin) {
      bin.add(p, true);
      placed.push(p);
    } else overflow.push(p);
  }
  return { nodes, placed, overflow };
}

export function planScaleUp(pending: PodInfo[], existing: SimNode[], pools: PoolSize[]): Plan {
  const plan: Plan = { fitsExisting: new Map(), scaleUps: [], noScaleUp: new Map() };
  // 1. Filter out pods that fit on existing nodes, upcoming ones included (FFD over them).
  let rest: PodInfo[] = [];
  for (const p of decreasing(pending)) {
    const node = existing.find((n) => !n.fails(p));
    if (node) {
      node.add(p, true);
      plan.fitsExisting.set(p.key, node.view.name);
    } else rest.push(p);
  }
  // 2. Grow pools, best first (the expander: most pods helped, then fewest nodes, then name),
  //    until no pool helps any remaining pod.
  const remaining = new Map(pools.map((s) => [String(s.pool.metadata.name), s]));
  while (rest.length && remaining.size) {
    let best: { size: PoolSize; est: ReturnType<typeof estimate> } | undefined;
    for (const size of remaining.values()) {
      const est = estimate(size.pool, rest, Math.max(0, size.pool.spec.maxNodes - size.current));
      if (!est.placed.length) continue;
      const better = !best || est.placed.length > best.est.placed.length
        || (est.placed.length === best.est.placed.length && est.nodes.length < best.est.nodes.length);
      if (better) best = { size, est };
    }
    if (!best) break;
    const { size, est } = best;
    plan.scaleUps.push({ pool: size.pool, from: size.current, to: size.current + est.nodes.length, pods: est.placed });
    remaining.delete(String(size.pool.metadata.name));
    rest = est.overflow;
  }
  // 3. Why each pod left helps nothing, pool by pool: the filter that fails on an empty
  //    template node, or the pool's maximum.
  for (const p of rest) {
    const reasons = new Map<string, number>();
    for (const { pool, current } of pools) {
      const failure = templateSimNode(pool).fails(p);
      const why = failure ? failure.reasons : current >= pool.spec.maxNodes || plan.scaleUps.some((s) => s.pool === pool) ? [REASON_MAX_SIZE] : [];
      for (const r of why) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    plan.noScaleUp.set(p.key, { pod: p, reasons });
  }
  return plan;
}

/** Upstream's NotTriggerScaleUp message: `pod didn't trigger scale-up: 1 max node group size reached, 2 Insufficient cpu`. */
export function noScaleUpMessage(reasons: Map<string, number>): string {
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  return `pod didn't trigger scale-up: ${parts.join(', ')}`.trimEnd();
}

/** Upstream's TriggeredScaleUp message: `pod triggered scale-up: [{pool 1->3 (max: 5)}]`. */
export function scaleUpMessage(s: ScaleUp): string {
  return `pod triggered scale-up: [{${s.pool.metadata.name} ${s.from}->${s.to} (max: ${s.pool.spec.maxNodes})}]`;
}
