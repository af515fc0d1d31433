// The scheduling framework: filter plugins say whether a pod fits a node (and why not),
// score plugins rank the nodes that fit. Scores are 0..MAX_NODE_SCORE per plugin after
// normalisation, then weighted and summed, as in kube-scheduler.
import type { PodInfo, NodeView, ResourceList } from './pod-info';

export const MAX_NODE_SCORE = 100;

/** The schedulerName of a pod that names none (the API server's default), and of kube's default profile. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** A node and what is bound or assumed on it. Owned by the SchedulerCache; plugins only read. */
export interface NodeInfo {
  readonly view: NodeView;
  /** Sum of requests of the pods on the node. */
  readonly requested: ResourceList;
  readonly nonZeroMilliCpu: number;
  readonly nonZeroMemory: number;
  readonly podCount: number;
  /** Pods on the node per controlling owner uid. */
  readonly ownerCounts: ReadonlyMap<string, number>;
}

/** Why a node does not fit: kube's framework.Status with code Unschedulable(AndUnresolvable). */
export interface FilterFailure {
  plugin: string;
  reasons: string[];
  /** No cluster change short of editing the node or the pod will help (no preemption). */
  unresolvable?: boolean;
}

export interface FilterPlugin {
  readonly name: string;
  /** undefined when the pod fits. */
  filter(pod: PodInfo, node: NodeInfo): FilterFailure | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  score(pod: PodInfo, node: NodeInfo): number;
  /** Rewrites raw scores into 0..MAX_NODE_SCORE (kube's ScoreExtensions.NormalizeScore). */
  normalize?(scores: number[]): void;
}

export interface Profile {
  filters: FilterPlugin[];
  scores: ScorePlugin[];
  /**
   * percentageOfNodesToScore (the profile's, else the configuration's): once this share of the
   * nodes was found feasible the filtering stops and only those are scored. Unset or 0: kube's
   * adaptive share (50 % less 1 % per 125 nodes, at least 5 %). Never fewer than 100 nodes.
   */
  percentageOfNodesToScore?: number;
}

export type ScheduleResult =
  | { ok: true; node: string; evaluated: number }
  | { ok: false; numAllNodes: number; failures: Map<string, FilterFailure> };

/** kube-scheduler's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes are enough (kube's numFeasibleNodesToFind): every node below 100;
 * above, `percentage` of them (adaptive when 0 or unset: 50 - nodes/125, at least 5), at least 100.
 */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let p = percentage ?? 0;
  if (p === 0) p = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * p) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export interface ScheduleOptions {
  /** Where in `nodes` the search starts, wrapping around (kube's nextStartNodeIndex). */
  start?: number;
  random?: () => number;
}

/**
 * Runs the filters in order (the first failure decides) over the nodes from `start` on, until
 * numFeasibleNodesToFind of them fit, then scores those. `evaluated` is how many nodes were
 * looked at: the caller's next search starts after them, so every node gets its turn (kube's
 * round-robin over nextStartNodeIndex). A pod that fits nowhere was checked against every node.
 */
export function schedulePod(profile: Profile, pod: PodInfo, nodes: NodeInfo[], opts: ScheduleOptions = {}): ScheduleResult {
  const numAll = nodes.length;
  const toFind = numFeasibleNodesToFind(profile.percentageOfNodesToScore, numAll);
  const start = numAll ? (opts.start ?? 0) % numAll : 0;
  const feasible: NodeInfo[] = [];
  const failures = new Map<string, FilterFailure>();
  let evaluated = 0;
  while (evaluated < numAll && feasible.length < toFind) {
    const node = nodes[(start + evaluated) % numAll];
    evaluated++;
    const failure = runFilters(profile.filters, pod, node);
    if (failure) failures.set(node.view.name, failure);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { ok: false, numAllNodes: numAll, failures };
  if (feasible.length === 1) return { ok: true, node: feasible[0].view.name, evaluated };
  const totals = scoreNodes(profile.scores, pod, feasible);
  return { ok: true, node: feasible[selectHost(totals, opts.random ?? Math.random)].view.name, evaluated };
}

export function runFilters(filters: FilterPlugin[], pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  for (const f of filters) {
    const failure = f.filter(pod, node);
    if (failure) return failure;
  }
  return undefined;
}

/** Weighted sum of each plugin's normalised scores, per node. */
export function scoreNodes(plugins: ScorePlugin[], pod: PodInfo, nodes: NodeInfo[]): number[] {
  const totals = new Array<number>(nodes.length).fill(0);
  for (const p of plugins) {
    const scores = nodes.map((n) => p.score(pod, n));
    p.normalize?.(scores);
    for (let i = 0; i < scores.length; i++) totals[i] += scores[i] * p.weight;
  }
  return totals;
}

/** The highest total; ties broken uniformly at random (reservoir sampling, like selectHost). */
export function selectHost(totals: number[], random: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}

/** helper.DefaultNormalizeScore: scale so the maximum becomes MAX_NODE_SCORE (optionally reversed). */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) scores[i] = reverse ? MAX_NODE_SCORE : 0;
    else {
      const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
      scores[i] = reverse ? MAX_NODE_SCORE - s : s;
    }
  }
}

/**
 * FitError.Error(): `0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.`
 * Each node counts once per reason; "count reason" strings are sorted as strings.
 */
export function fitErrorMessage(numAllNodes: number, failures: Map<string, FilterFailure>): string {
  const counts = new Map<string, number>();
  for (const f of failures.values()) for (const r of f.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  const msg = `0/${numAllNodes} nodes are available`;
  return parts.length ? `${msg}: ${parts.join(', ')}.` : `${msg}.`;
}
