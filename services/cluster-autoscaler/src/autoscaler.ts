// One autoscaling loop (upstream's StaticAutoscaler.RunOnce), run every scan interval and soon
// after a pod turns unschedulable, on the leader only:
//   1. snapshot nodes and pods into the scheduling simulation (simulation.ts);
//   2. keep every pool at or above minNodes;
//   3. plan and provision scale-ups for pods the scheduler marked Unschedulable (planner.ts);
//   4. remove pool nodes that stayed empty (no pods but DaemonSet/mirror pods) past the
//      scale-down delay: cordon and taint, evict what is left, delete; never below minNodes;
//   5. write each NodePool's status, and Events on pods, nodes and pools saying why.
import {
  NODES, PODS, isNotFound, messageOf,
  type DynamicClient, type EventRecorder, type KubeObject, type Logger, type Node, type Pod, type ReadOnlyCache,
} from '@keelson/operator-sdk';
import type { AutoscalerConfig } from './config';
import { noScaleUpMessage, planScaleUp, REASON_MAX_SIZE, scaleUpMessage, type PoolSize } from './planner';
import { providerFor, type NodeProvider } from './provider';
import { clusterSimNode, podInfo, templateSimNode, type PodInfo, type SimNode } from './simulation';
import { NODEPOOLS, POOL_LABEL, TO_BE_DELETED_TAINT, type Decision, type NodePool, type NodePoolStatus, type PoolCondition } from './types';

export interface AutoscalerDeps {
  client: DynamicClient;
  pools: ReadOnlyCache<NodePool>;
  nodes: ReadOnlyCache<Node>;
  pods: ReadOnlyCache<Pod>;
  /** Events about NodePools and Nodes. */
  recorder: EventRecorder;
  /** Events about pods (its own queue: a thousand of them must not delay the pools'). */
  podRecorder: EventRecorder;
  providers: Record<string, NodeProvider>;
  config: AutoscalerConfig;
  log: Logger;
  isLeader(): boolean;
}

type Cond = { type?: string; status?: string; reason?: string };
// Objects come from the wire: read them defensively, whatever their declared types say.
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const conditionsOf = (o: KubeObject): Cond[] => (Array.isArray(rec(o.status).conditions) ? (rec(o.status).conditions as Cond[]) : []);

export function isUnschedulable(pod: KubeObject): boolean {
  if (rec(pod.spec).nodeName || pod.metadata.deletionTimestamp) return false;
  const phase = rec(pod.status).phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return conditionsOf(pod).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

/** Pods that do not keep a node: DaemonSet pods (they go with it) and mirror pods. */
export function isNodeBoundPod(pod: KubeObject): boolean {
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror']) return true;
  return (pod.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === 'DaemonSet');
}

const isTerminal = (pod: KubeObject): boolean => ['Succeeded', 'Failed'].includes(String(rec(pod.status).phase));
const isReady = (node: KubeObject): boolean => conditionsOf(node).some((c) => c.type === 'Ready' && c.status === 'True');
const hasAllocatable = (node: KubeObject): boolean => Object.keys(rec(rec(node.status).allocatable)).length > 0;
const beingRemoved = (node: KubeObject): boolean =>
  !!node.metadata.deletionTimestamp || (Array.isArray(rec(node.spec).taints) && (rec(node.spec).taints as Array<{ key?: string }>).some((t) => t.key === TO_BE_DELETED_TAINT));
/** What turns a provider on, for the message of a pool whose provider is off. */
const PROVIDER_HINT: Record<string, string> = {
  process: 'start it with KEELSON_AUTOSCALER_KUBELET_TOKEN or KEELSON_AUTOSCALER_KUBELET_TOKEN_FILE',
  container: 'start it with KEELSON_AUTOSCALER_DOCKER_SOCKET; under compose, add infra/compose/container-nodes.yml',
};
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

export class ClusterAutoscaler {
  private readonly unneededSince = new Map<string, number>();
  private readonly lastScaleUpAt = new Map<string, number>();
  private readonly decisions = new Map<string, Decision>();
  private readonly times = new Map<string, { up?: string; down?: string }>();
  private readonly podMessages = new Map<string, string>();
  // Writes the node cache has not shown yet (it lags under load): nodes created count as the
  // pool's until they appear, nodes deleted stop counting at once. Without them the next loop
  // would provision the same nodes again, or remove a node twice.
  private readonly created = new Map<string, { pool: string; at: number }>();
  private readonly deleted = new Map<string, number>();
  private running?: Promise<void>;
  private again = false;
  private kickTimer?: NodeJS.Timeout;

  constructor(private readonly d: AutoscalerDeps) {}

  /** Runs a loop soon (coalescing calls): a pod just became unschedulable. */
  kick(delayMs = 100): void {
    if (this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      void this.tick();
    }, delayMs);
    this.kickTimer.unref();
  }

  /** One loop if leading; a call during a loop runs one more after it. */
  async tick(): Promise<void> {
    if (!this.d.isLeader()) return;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.runOnce();
        } catch (err) {
          this.d.log.warn('autoscaling loop failed', { err: messageOf(err) });
        }
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  stop(): void {
    clearTimeout(this.kickTimer);
  }

  async runOnce(now = Date.now()): Promise<void> {
    const pools = new Map(this.d.pools.list().filter((p) => !p.metadata.deletionTimestamp).map((p) => [String(p.metadata.name), p]));
    const cached = this.d.nodes.list();
    const seen = new Set(cached.map((n) => String(n.metadata.name)));
    for (const [name, c] of this.created) if (seen.has(name) || now - c.at > this.d.config.maxNodeProvisionMs) this.created.delete(name);
    for (const [name, at] of this.deleted) if (!seen.has(name) || now - at > this.d.config.maxNodeProvisionMs) this.deleted.delete(name);
    const nodes = cached.filter((n) => !this.deleted.has(String(n.metadata.name)));
    const poolOf = (n: KubeObject): NodePool | undefined => pools.get(n.metadata.labels?.[POOL_LABEL] ?? '');
    // 0. What the providers run (e.g. process kubelets) against the pools and Nodes.
    for (const provider of Object.values(this.d.providers)) {
      await provider.sync?.(pools, cached).catch((err: unknown) => this.d.log.warn('provider sync failed', { provider: provider.name, err: messageOf(err) }));
    }

    // 1. The simulation: every node not on its way out, with the pods bound to it.
    const sim = new Map<string, SimNode>();
    for (const n of nodes) if (!beingRemoved(n)) sim.set(String(n.metadata.name), clusterSimNode(n, poolOf(n)));
    for (const [name, c] of this.created) {
      const pool = pools.get(c.pool);
      if (pool) sim.set(name, templateSimNode(pool, name));
    }
    const keeping = new Map<string, number>(); // node → pods that keep it (not DaemonSet/mirror)
    const pending: PodInfo[] = [];
    for (const p of this.d.pods.list()) {
      const nodeName = rec(p.spec).nodeName;
      if (typeof nodeName === 'string' && nodeName) {
        if (isTerminal(p)) continue;
        sim.get(nodeName)?.add(podInfo(p));
        if (!isNodeBoundPod(p)) keeping.set(nodeName, (keeping.get(nodeName) ?? 0) + 1);
      } else if (isUnschedulable(p)) pending.push(podInfo(p));
    }
    const sizes = new Map<string, PoolSize>();
    for (const [name, pool] of pools) {
      const coming = [...this.created.values()].filter((c) => c.pool === name).length;
      sizes.set(name, { pool, current: coming + nodes.filter((n) => n.metadata.labels?.[POOL_LABEL] === name && !beingRemoved(n)).length });
    }

    // 2. Minimum sizes.
    for (const size of sizes.values()) {
      const { pool } = size;
      const provider = providerFor(pool, this.d.providers);
      if (!provider) {
        // Nothing can grow or shrink it here: say so once, on the pool.
        this.decide(pool, 'NoScaleUp', `provider ${pool.spec.provider ?? 'simulated'} is not available on this autoscaler (${PROVIDER_HINT[pool.spec.provider ?? 'simulated'] ?? 'unknown provider'}); the group is left as it is`, now);
        continue;
      }
      if (size.current >= pool.spec.minNodes) continue;
      const from = size.current;
      const names = await this.provision(pool, provider, pool.spec.minNodes - from);
      for (const n of names) sim.set(n, templateSimNode(pool, n));
      size.current += names.length;
      this.decide(pool, 'ScaleUp', `Scale-up: group ${pool.metadata.name} below its minimum size, setting it to ${size.current} instead of ${from} (min: ${pool.spec.minNodes})`, now);
    }

    // 3. Scale-up for unschedulable pods.
    const plan = planScaleUp(pending, [...sim.values()], [...sizes.values()].filter((s) => providerFor(s.pool, this.d.providers)));
    for (const up of plan.scaleUps) {
      const provider = providerFor(up.pool, this.d.providers)!;
      const names = await this.provision(up.pool, provider, up.to - up.from);
      sizes.get(String(up.pool.metadata.name))!.current += names.length;
      this.lastScaleUpAt.set(String(up.pool.metadata.name), now);
      this.decide(up.pool, 'ScaleUp', `Scale-up: setting group ${up.pool.metadata.name} size to ${up.to} instead of ${up.from} (max: ${up.pool.spec.maxNodes}) for ${up.pods.length} pod(s)`, now);
      const msg = scaleUpMessage(up);
      for (const p of up.pods) this.podEvent(p, 'TriggeredScaleUp', msg);
    }
    const stuck = new Map<string, number>(); // pool → its pods held back by maxNodes
    for (const { pod, reasons } of plan.noScaleUp.values()) {
      this.podEvent(pod, 'NotTriggerScaleUp', noScaleUpMessage(reasons));
      for (const s of sizes.values()) if (s.current >= s.pool.spec.maxNodes && !templateSimNode(s.pool).fails(pod)) stuck.set(String(s.pool.metadata.name), (stuck.get(String(s.pool.metadata.name)) ?? 0) + 1);
    }
    for (const [name, n] of stuck) {
      const pool = pools.get(name)!;
      this.decide(pool, 'NoScaleUp', `${n} pod(s) didn't trigger scale-up: ${REASON_MAX_SIZE} (max: ${pool.spec.maxNodes})`, now);
    }
    const pendingKeys = new Set(pending.map((p) => p.pod.metadata.uid ?? p.key));
    for (const uid of this.podMessages.keys()) if (!pendingKeys.has(uid)) this.podMessages.delete(uid);

    // 4. Scale-down of empty nodes, and nodes that never registered.
    this.d.log.debug('autoscaling loop', {
      pods: this.d.pods.list().length, pending: pending.length, nodes: nodes.length, simulated: sim.size, coming: this.created.size,
      fitExisting: plan.fitsExisting.size, scaleUps: plan.scaleUps.length, noScaleUp: plan.noScaleUp.size,
    });
    const needed = new Set(plan.fitsExisting.values());
    const candidates = new Map<string, KubeObject[]>();
    const live = new Set<string>();
    for (const n of nodes) {
      const name = String(n.metadata.name);
      live.add(name);
      const pool = poolOf(n);
      if (!pool || n.metadata.deletionTimestamp) continue;
      if (beingRemoved(n)) {
        await this.removeNode(pool, n, 'resuming its removal', sizes); // a loop (or leader) was cut short
        continue;
      }
      if (!hasAllocatable(n)) {
        const age = now - Date.parse(String(n.metadata.creationTimestamp ?? new Date(now).toISOString()));
        if (age > this.d.config.maxNodeProvisionMs) {
          this.d.recorder.event(pool, 'Warning', 'FailedToScaleUpGroup', `Node ${name} of group ${pool.metadata.name} did not register within ${seconds(this.d.config.maxNodeProvisionMs)}; removing it`);
          await providerFor(pool, this.d.providers)?.deleteNode(pool, name);
        }
        continue;
      }
      const empty = isReady(n) && !keeping.get(name) && !needed.has(name);
      if (!empty) {
        this.unneededSince.delete(name);
        continue;
      }
      const since = this.unneededSince.get(name) ?? now;
      this.unneededSince.set(name, since);
      if (now - since >= this.d.config.scaleDownUnneededMs) {
        const list = candidates.get(String(pool.metadata.name)) ?? [];
        list.push(n);
        candidates.set(String(pool.metadata.name), list);
      }
    }
    for (const name of this.unneededSince.keys()) if (!live.has(name)) this.unneededSince.delete(name);
    let budget = this.d.config.maxEmptyBulkDelete;
    for (const [poolName, list] of candidates) {
      const pool = pools.get(poolName)!;
      const size = sizes.get(poolName)!;
      const addedAgo = now - (this.lastScaleUpAt.get(poolName) ?? 0);
      if (plan.scaleUps.length || addedAgo < this.d.config.scaleDownDelayAfterAddMs) continue;
      list.sort((a, b) => (this.unneededSince.get(String(a.metadata.name)) ?? 0) - (this.unneededSince.get(String(b.metadata.name)) ?? 0));
      for (const n of list) {
        if (budget <= 0 || size.current <= pool.spec.minNodes) break;
        budget--;
        const emptyFor = now - (this.unneededSince.get(String(n.metadata.name)) ?? now);
        await this.removeNode(pool, n, `empty for ${seconds(emptyFor)}`, sizes);
        this.decide(pool, 'ScaleDown', `Scale-down: removing empty node "${n.metadata.name}" (empty for ${seconds(emptyFor)}); group ${poolName} size ${size.current + 1}->${size.current} (min: ${pool.spec.minNodes})`, now);
      }
    }

    // 5. Status.
    for (const [name, pool] of pools) {
      const members = nodes.filter((n) => n.metadata.labels?.[POOL_LABEL] === name && !n.metadata.deletionTimestamp);
      const coming = [...this.created].filter(([, c]) => c.pool === name).map(([n]) => n);
      await this.writeStatus(pool, members, coming, candidates.get(name)?.length ?? 0, stuck.get(name) ?? 0, now);
    }
  }

  private async provision(pool: NodePool, provider: NodeProvider, count: number): Promise<string[]> {
    if (count <= 0) return [];
    const names = await provider.createNodes(pool, count);
    for (const n of names) this.created.set(n, { pool: String(pool.metadata.name), at: Date.now() });
    this.d.log.info('scaled up', { pool: pool.metadata.name, nodes: names });
    return names;
  }

  /** Cordon and taint (upstream's ToBeDeletedByClusterAutoscaler), evict what is left, delete. */
  private async removeNode(pool: NodePool, node: KubeObject, why: string, sizes: Map<string, PoolSize>): Promise<void> {
    const name = String(node.metadata.name);
    if (!beingRemoved(node)) {
      const taints = Array.isArray(rec(node.spec).taints) ? (rec(node.spec).taints as unknown[]) : [];
      try {
        await this.d.client.resource(NODES).patch(name, { spec: { unschedulable: true, taints: [...taints, { key: TO_BE_DELETED_TAINT, value: String(Math.floor(Date.now() / 1000)), effect: 'NoSchedule' }] } });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const size = sizes.get(String(pool.metadata.name));
      if (size) size.current--;
      this.d.recorder.event(node, 'Normal', 'ScaleDown', `marked the node as toBeDeleted/unschedulable (${why})`);
    }
    // A pod may have been bound between the decision and the cordon: evict it (PDBs apply).
    const left = this.d.pods.list().filter((p) => rec(p.spec).nodeName === name && !isTerminal(p) && !isNodeBoundPod(p) && !p.metadata.deletionTimestamp);
    let refused = 0;
    for (const p of left) {
      const { namespace = 'default', name: podName = '' } = p.metadata;
      try {
        await this.d.client.resource(PODS).namespace(namespace).evict(podName);
        this.d.podRecorder.event(p, 'Normal', 'ScaleDown', 'deleting pod for node scale down');
      } catch (err) {
        if (isNotFound(err)) continue;
        refused++;
        this.d.log.info('eviction refused; the node waits', { node: name, pod: `${namespace}/${podName}`, err: messageOf(err) });
      }
    }
    if (refused) {
      this.d.recorder.event(node, 'Warning', 'ScaleDownFailed', `failed to drain the node: ${refused} pod(s) could not be evicted; retrying`);
      return;
    }
    await providerFor(pool, this.d.providers)?.deleteNode(pool, name);
    this.deleted.set(name, Date.now());
    this.unneededSince.delete(name);
    this.d.recorder.event(node, 'Normal', 'ScaleDown', 'node removed by cluster autoscaler');
    this.d.log.info('scaled down', { pool: pool.metadata.name, node: name, why });
  }

  /** Records a decision on the pool (an Event when it differs from the last one). */
  private decide(pool: NodePool, type: Decision['type'], message: string, now: number): void {
    const name = String(pool.metadata.name);
    const last = this.decisions.get(name);
    const time = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    if (type === 'ScaleUp') this.times.set(name, { ...this.times.get(name), up: time });
    if (type === 'ScaleDown') this.times.set(name, { ...this.times.get(name), down: time });
    if (last?.type === type && last.message === message && type === 'NoScaleUp') return;
    this.decisions.set(name, { time, type, message });
    const reason = type === 'ScaleUp' ? 'TriggeredScaleUp' : type === 'ScaleDown' ? 'ScaleDown' : 'NotTriggerScaleUp';
    this.d.recorder.event(pool, 'Normal', reason, message);
  }

  private podEvent(p: PodInfo, reason: string, message: string): void {
    const uid = p.pod.metadata.uid ?? p.key;
    const said = `${reason}\u0000${message}`;
    if (this.podMessages.get(uid) === said) return;
    this.podMessages.set(uid, said);
    this.d.podRecorder.event(p.pod, 'Normal', reason, message);
  }

  private async writeStatus(pool: NodePool, members: KubeObject[], coming: string[], candidates: number, stuck: number, now: number): Promise<void> {
    const name = String(pool.metadata.name);
    const ready = members.filter((n) => isReady(n) && !beingRemoved(n));
    const upcoming = coming.length + members.filter((n) => !hasAllocatable(n) && !beingRemoved(n)).length;
    const removing = members.filter(beingRemoved).length;
    const empty = [...this.unneededSince.keys()].filter((n) => members.some((m) => m.metadata.name === n)).length;
    const prev = pool.status?.conditions ?? [];
    const cond = (type: string, status: PoolCondition['status'], reason: string, message: string): PoolCondition => {
      const old = prev.find((c) => c.type === type);
      const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      return { type, status, reason, message, lastTransitionTime };
    };
    const active = members.length + coming.length - removing;
    const scaleUp = upcoming
      ? cond('ScaleUp', 'True', 'InProgress', `${upcoming} node(s) provisioning`)
      : stuck
        ? cond('ScaleUp', 'False', 'MaxSizeReached', `${stuck} unschedulable pod(s) would fit a new node, but the group is at its maximum size ${pool.spec.maxNodes}`)
        : cond('ScaleUp', 'False', 'NoActivity', 'no unschedulable pods need a new node');
    const scaleDown = removing
      ? cond('ScaleDown', 'True', 'InProgress', `${removing} node(s) being removed`)
      : empty
        ? cond('ScaleDown', 'True', 'CandidatesPresent', `${empty} empty node(s)${candidates ? `, ${candidates} past the scale-down delay` : `, waiting for the scale-down delay (${seconds(this.d.config.scaleDownUnneededMs)})`}${active <= pool.spec.minNodes ? `; the group is at its minimum size ${pool.spec.minNodes}` : ''}`)
        : cond('ScaleDown', 'False', 'NoCandidates', 'no empty nodes');
    const t = this.times.get(name) ?? {};
    const status: NodePoolStatus = {
      nodes: active,
      readyNodes: ready.length,
      nodeNames: [...members.filter((n) => !beingRemoved(n)).map((n) => String(n.metadata.name)), ...coming].sort(),
      ...(t.up ?? pool.status?.lastScaleUpTime ? { lastScaleUpTime: t.up ?? pool.status?.lastScaleUpTime } : {}),
      ...(t.down ?? pool.status?.lastScaleDownTime ? { lastScaleDownTime: t.down ?? pool.status?.lastScaleDownTime } : {}),
      ...(this.decisions.get(name) ?? pool.status?.lastDecision ? { lastDecision: this.decisions.get(name) ?? pool.status?.lastDecision } : {}),
      conditions: [scaleUp, scaleDown],
    };
    if (JSON.stringify(status) === JSON.stringify(pool.status)) return;
    try {
      await this.d.client.resource(NODEPOOLS).patchStatus(name, status);
    } catch (err) {
      if (!isNotFound(err)) this.d.log.warn('could not write NodePool status', { pool: name, err: messageOf(err) });
    }
  }
}
