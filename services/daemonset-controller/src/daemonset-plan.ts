// What one sync of a DaemonSet should do, decided from the caches without any I/O:
// manage (podsShouldBeOnNode in daemon_controller.go: a pod for each node that should run one,
// none where it should not, failed pods replaced, duplicates removed) and the rolling update
// (rollingUpdate in update.go: old pods replaced within maxUnavailable, or surged within
// maxSurge), and the status (updateDaemonSetStatus).
import { CONTROLLER_REVISION_HASH_LABEL } from '@keelson/controller-runtime';
import { nodeShouldRunDaemonPod } from './node-should-run';
import { byCreationTimestampAndPhase, isPodAvailable, isPodReady } from './pod-state';
import type { DaemonSet, DaemonSetStatus, IntOrString, Node, Pod } from './types';

export interface Plan {
  /** Nodes that need a daemon pod created. */
  create: string[];
  /** Pods to delete. */
  delete: Pod[];
}

const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
const active = (pods: readonly Pod[] | undefined): Pod[] => (pods ?? []).filter((p) => !p.metadata.deletionTimestamp);

/** AllowsSurge: a rolling update with a non-zero maxSurge. */
export function allowsSurge(ds: DaemonSet): boolean {
  const s = ds.spec?.updateStrategy;
  return (s?.type ?? 'RollingUpdate') === 'RollingUpdate' && s?.rollingUpdate?.maxSurge !== undefined && s.rollingUpdate.maxSurge !== 0 && s.rollingUpdate.maxSurge !== '0%';
}

/** manage: the creates and deletes that give each node exactly what it should run. */
export function planManage(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string): Plan {
  const plan: Plan = { create: [], delete: [] };
  const known = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name!;
    known.add(name);
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      plan.create.push(name);
    } else if (shouldContinueRunning) {
      // Failed daemon pods are deleted (and recreated by a later sync); terminating ones are left alone.
      const running: Pod[] = [];
      for (const p of active(pods)) (p.status?.phase === 'Failed' ? plan.delete : running).push(p);
      if (running.length <= 1) continue;
      running.sort(byCreationTimestampAndPhase);
      if (!allowsSurge(ds)) {
        plan.delete.push(...running.slice(1)); // keep the oldest
        continue;
      }
      // With surge, an old and a new pod may share a node only while the new one is not ready.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const p of running) {
        if (isUpdated(p, hash) && !oldestNew) oldestNew = p;
        else if (!isUpdated(p, hash) && !oldestOld) oldestOld = p;
        else plan.delete.push(p);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew))) plan.delete.push(oldestOld);
    } else {
      plan.delete.push(...active(pods));
    }
  }
  // Pods for nodes that no longer exist (getUnscheduledPodsWithoutNode).
  for (const [name, pods] of byNode) if (!known.has(name)) plan.delete.push(...active(pods));
  return plan;
}

function scaled(v: IntOrString | undefined, total: number): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Math.ceil((Number(v.replace(/%$/, '')) * total) / 100);
}

/** updatedDesiredNodeCounts: maxSurge and maxUnavailable against the nodes that should run the daemon. */
export function desiredNodeCounts(ds: DaemonSet, nodes: readonly Node[]): { maxSurge: number; maxUnavailable: number; desired: number } {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = allowsSurge(ds) ? scaled(ru?.maxSurge, desired) : 0;
  let maxUnavailable = scaled(ru?.maxUnavailable ?? 1, desired);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/** findUpdatedPodsOnNode: the node's one new and one old pod; undefined when it has more of either. */
function updatedPodsOnNode(pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of active(pods)) {
    if (isUpdated(p, hash)) {
      if (newPod) return undefined;
      newPod = p;
    } else {
      if (oldPod) return undefined;
      oldPod = p;
    }
  }
  return { newPod, oldPod };
}

/** rollingUpdate: old pods to delete and (with surge) nodes to give a new pod beside the old one. */
export function planRollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): Plan {
  const { maxSurge, maxUnavailable } = desiredNodeCounts(ds, nodes);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const names = [...byNode.keys()].sort();
  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const name of names) {
      const found = updatedPodsOnNode(byNode.get(name)!, hash);
      if (!found) continue;
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++; // manage settles these
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod && !available(oldPod)) replace.push(oldPod);
      else if (oldPod && unavailable < maxUnavailable) candidates.push(oldPod);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { create: [], delete: [...replace, ...candidates.slice(0, room)] };
  }
  let surging = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const deletions: Pod[] = [];
  for (const name of names) {
    const found = updatedPodsOnNode(byNode.get(name)!, hash);
    if (!found || !found.oldPod) continue;
    const { newPod, oldPod } = found;
    if (!newPod) {
      if (!available(oldPod)) {
        const node = nodeByName.get(name);
        if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) deletions.push(oldPod);
        else allowedNew.push(name);
      } else if (surging < maxSurge) candidateNew.push(name);
    } else if (!available(newPod)) surging++;
    else deletions.push(oldPod); // the new pod is available: the old one goes
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidateNew.length);
  return { create: [...allowedNew, ...candidateNew.slice(0, room)], delete: deletions };
}

/** updateDaemonSetStatus: counts over the nodes that should run the daemon, by each node's oldest pod. */
export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const s = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 0 };
  for (const node of nodes) {
    const pods = active(byNode.get(node.metadata.name!)).sort(byCreationTimestampAndPhase);
    if (nodeShouldRunDaemonPod(node, ds).shouldRun) {
      s.desiredNumberScheduled++;
      if (!pods.length) continue;
      s.currentNumberScheduled++;
      const pod = pods[0];
      if (isPodReady(pod)) {
        s.numberReady++;
        if (isPodAvailable(pod, minReady, now)) s.numberAvailable++;
      }
      if (isUpdated(pod, hash)) s.updatedNumberScheduled++;
    } else if (pods.length) {
      s.numberMisscheduled++;
    }
  }
  return { ...s, numberUnavailable: s.desiredNumberScheduled - s.numberAvailable, observedGeneration: ds.metadata.generation };
}
