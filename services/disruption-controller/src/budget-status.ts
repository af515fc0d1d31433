// PodDisruptionBudget status as kube's disruption controller computes it (pkg/controller/
// disruption disruption.go: getExpectedPodCount, countHealthyPods, buildDisruptedPodMap,
// updatePdbStatus, failSafe). The expected count comes from the scale of the pods' controllers
// (Deployment over its ReplicaSets, StatefulSet, ReplicationController); pods without a
// controller are left out of a scale-based count, a controller that cannot be found fails the sync.
import { assessBudget, DISRUPTED_POD_TIMEOUT_MS, getControllerOf, metaTime, type KubeObject } from '@keelson/api';
import type { PdbCondition, PdbStatus, PodDisruptionBudget, ScaledController } from './types';

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';

/** Finds a pod's controller by kind and name in the pod's namespace (the controller caches). */
export type ControllerLookup = (kind: string, namespace: string, name: string) => ScaledController | undefined;

export class SyncError extends Error {}

/** getExpectedScale: the summed scale of the pods' controllers, each counted once. */
export function expectedScale(pods: KubeObject[], lookup: ControllerLookup): { scale: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name!);
      continue;
    }
    const ns = pod.metadata.namespace ?? '';
    let controller = lookup(ref.kind, ns, ref.name);
    if (controller && controller.metadata.uid !== ref.uid) controller = undefined; // a namesake, not the owner
    if (controller && ref.kind === 'ReplicaSet') {
      // A ReplicaSet a Deployment controls is scaled by the Deployment.
      const owner = getControllerOf(controller);
      if (owner?.kind === 'Deployment') {
        const d = lookup('Deployment', ns, owner.name);
        controller = d?.metadata.uid === owner.uid ? d : undefined;
      }
    }
    if (!controller) throw new SyncError(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(controller.metadata.uid ?? `${ref.kind}/${ref.name}`, controller.spec?.replicas ?? 1);
  }
  return { scale: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
}

/** buildDisruptedPodMap: entries of live pods not yet timed out; and when the next one expires. */
export function disruptedPodMap(pdb: PodDisruptionBudget, pods: KubeObject[], now: Date): { map: Record<string, string>; recheckAt?: number } {
  const live = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!));
  const map: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const t = Date.parse(at);
    if (!live.has(name) || Number.isNaN(t)) continue;
    const expires = t + DISRUPTED_POD_TIMEOUT_MS;
    if (expires <= now.getTime()) continue; // the eviction never happened: counted again
    map[name] = at;
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return { map, recheckAt };
}

function condition(pdb: PodDisruptionBudget, status: 'True' | 'False', reason: string, message: string, now: Date): PdbCondition {
  const prev = (pdb.status?.conditions ?? []).find((c) => c.type === DISRUPTION_ALLOWED);
  return {
    type: DISRUPTION_ALLOWED, status, reason, message,
    observedGeneration: pdb.metadata.generation ?? 1,
    // The transition time moves only when the status does.
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : metaTime(now),
  };
}

function withCondition(pdb: PodDisruptionBudget, c: PdbCondition): PdbCondition[] {
  return [...(pdb.status?.conditions ?? []).filter((x) => x.type !== DISRUPTION_ALLOWED), c];
}

export interface ComputedStatus {
  status: PdbStatus;
  /** When a disruptedPods entry expires and the status must be recomputed. */
  recheckAt?: number;
  unmanaged: string[];
}

/** The status the PDB should have given the pods it selects (trySync + updatePdbStatus). */
export function computeStatus(pdb: PodDisruptionBudget, pods: KubeObject[], lookup: ControllerLookup, now: Date): ComputedStatus {
  const spec = pdb.spec ?? {};
  const usesScale = spec.maxUnavailable != null || typeof spec.minAvailable === 'string';
  const { scale, unmanaged } = usesScale ? expectedScale(pods, lookup) : { scale: undefined, unmanaged: [] };
  const { map, recheckAt } = disruptedPodMap(pdb, pods, now);
  const a = assessBudget({ ...pdb, status: { ...(pdb.status ?? {}), disruptedPods: map } }, pods, scale, now);
  const allowed = a.expectedPods <= 0 ? 0 : Math.max(0, a.currentHealthy - a.desiredHealthy);
  const c = allowed > 0 ? condition(pdb, 'True', 'SufficientPods', '', now) : condition(pdb, 'False', 'InsufficientPods', '', now);
  const status: PdbStatus = {
    observedGeneration: pdb.metadata.generation ?? 1,
    ...(Object.keys(map).length ? { disruptedPods: map } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: a.currentHealthy,
    desiredHealthy: a.desiredHealthy,
    expectedPods: a.expectedPods,
    conditions: withCondition(pdb, c),
  };
  return { status, recheckAt, unmanaged };
}

/** failSafe: a sync that failed allows no disruption until it succeeds. */
export function failSafeStatus(pdb: PodDisruptionBudget, err: Error, now: Date): PdbStatus {
  const prev = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  return {
    ...prev,
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed: 0,
    conditions: withCondition(pdb, condition(pdb, 'False', 'SyncFailed', err.message, now)),
  };
}

export function statusEqual(a: PdbStatus | undefined, b: PdbStatus): boolean {
  const norm = (s: PdbStatus | undefined) => JSON.stringify({ ...(s ?? {}), disruptedPods: s?.disruptedPods ?? {}, conditions: s?.conditions ?? [] });
  return norm(a) === norm(b);
}
