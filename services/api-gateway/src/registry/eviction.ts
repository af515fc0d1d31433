// pods/eviction (kube's pkg/registry/core/pod/storage/eviction.go): delete a pod unless a
// PodDisruptionBudget selecting it would be violated, in which case 429 TooManyRequests.
//
// Kubernetes' disruption controller keeps `pdb.status.disruptionsAllowed` current and the
// eviction handler only decrements it; so does this one once services/disruption-controller has
// written the budget's status and holds its leader Lease (eviction-budget.ts). Without a live
// controller (or for a budget it has not seen yet) the budget is computed here at eviction time from a consistent read of the namespace's pods
// and their controllers' scale (assessBudget), and the decrement is the PDB's status
// update: the guaranteed update compares the PDB's resourceVersion, so of two concurrent
// evictions the second re-reads the PDB, finds the first pod in `status.disruptedPods`
// (no longer healthy), and recomputes — both cannot spend the same disruption.
import {
  ApiError,
  assessBudget,
  budgetSelects,
  errors,
  getControllerOf,
  isPodReady,
  isRecord,
  statusAfterEviction,
  type KubeObject,
  type Status,
} from '@keelson/api';
import { deleteObject, parseDeleteOptions, type DeleteOptions } from './deletion';
import { controllerLeaseLive, decideFromStatus, DISRUPTION_CONTROLLER_LEASE, observedByController } from './eviction-budget';
import type { RequestContext } from './request-context';
import type { ResourceStore } from './resource-store';

export interface EvictionStores {
  pods: ResourceStore;
  podDisruptionBudgets: ResourceStore;
  /** Controllers whose scale sets a budget's expected pods. */
  replicaSets?: ResourceStore;
  deployments?: ResourceStore;
  statefulSets?: ResourceStore;
  /** Leases: whether a disruption-controller runs (eviction-budget.ts). */
  leases?: ResourceStore;
}

export interface EvictionResult {
  code: number;
  status: Status;
}

const SUCCESS: EvictionResult = { code: 201, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 with the DisruptionBudget cause kubectl drain retries on. */
function tooManyRequests(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATION, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

/** A terminal, pending or terminating pod is already disrupted: no budget applies. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** Decodes a policy/v1 (or v1beta1) Eviction naming `name`; returns its DeleteOptions. */
export function evictionDeleteOptions(body: unknown, name: string): DeleteOptions {
  if (!isRecord(body)) throw errors.badRequest('the body must be a policy/v1 Eviction');
  if (body.kind !== undefined && body.kind !== 'Eviction') throw errors.badRequest(`not a Eviction object: ${String(body.kind)}`);
  if (body.apiVersion !== undefined && body.apiVersion !== 'policy/v1' && body.apiVersion !== 'policy/v1beta1') {
    throw errors.badRequest(`unsupported Eviction version ${String(body.apiVersion)}: expected policy/v1 or policy/v1beta1`);
  }
  const meta = isRecord(body.metadata) ? body.metadata : {};
  if (meta.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  return parseDeleteOptions(isRecord(body.deleteOptions) ? body.deleteOptions : undefined, new URLSearchParams());
}

async function getOrUndefined(store: ResourceStore | undefined, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  if (!store) return undefined;
  try {
    return await store.get(namespace, name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}

/** Sum of the scale of the pods' controllers (getExpectedScale); undefined when one has none Keelson knows. */
async function expectedScale(stores: EvictionStores, pods: KubeObject[]): Promise<number | undefined> {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const owner = getControllerOf(pod);
    if (!owner) return undefined;
    let controller: KubeObject | undefined;
    if (owner.kind === 'ReplicaSet') {
      controller = await getOrUndefined(stores.replicaSets, pod.metadata.namespace, owner.name);
      // A ReplicaSet a Deployment owns is scaled by the Deployment.
      const deploymentRef = controller && getControllerOf(controller);
      if (deploymentRef?.kind === 'Deployment') controller = await getOrUndefined(stores.deployments, pod.metadata.namespace, deploymentRef.name);
    } else if (owner.kind === 'StatefulSet') controller = await getOrUndefined(stores.statefulSets, pod.metadata.namespace, owner.name);
    else if (owner.kind === 'Deployment') controller = await getOrUndefined(stores.deployments, pod.metadata.namespace, owner.name);
    const replicas = isRecord(controller?.spec) ? controller.spec.replicas : undefined;
    if (!controller || typeof replicas !== 'number') return undefined;
    scales.set(controller.metadata.uid ?? owner.uid, replicas);
  }
  return [...scales.values()].reduce((a, b) => a + b, 0);
}

/** Deletes with a resourceVersion precondition (the pod must not have changed since it was judged). */
function withResourceVersion(opts: DeleteOptions, pod: KubeObject): DeleteOptions {
  if (opts.preconditions?.resourceVersion) return opts;
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion } };
}

/** Evicts pod `namespace/name` as POST .../pods/NAME/eviction does. */
export async function evictPod(stores: EvictionStores, namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<EvictionResult> {
  const pod = await stores.pods.get(namespace, name);
  if (canIgnoreBudget(pod)) {
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || !!pod.metadata.deletionTimestamp;
    await deleteObject(stores.pods, namespace, name, terminal ? opts : withResourceVersion(opts, pod), ctx);
    return SUCCESS;
  }
  const budgets = (await stores.podDisruptionBudgets.list({ namespace })).items.filter((pdb) => budgetSelects(pdb, pod));
  if (budgets.length > 1) {
    const message = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
    return { code: 500, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 } };
  }
  if (budgets.length === 0) {
    await deleteObject(stores.pods, namespace, name, opts, ctx);
    return SUCCESS;
  }
  const pdbName = budgets[0].metadata.name!;
  let deleteUnhealthy = false;
  const lease = await getOrUndefined(stores.leases, DISRUPTION_CONTROLLER_LEASE.namespace, DISRUPTION_CONTROLLER_LEASE.name);
  const controllerKeepsBudgets = controllerLeaseLive(lease, new Date());
  await stores.podDisruptionBudgets.update(
    namespace,
    pdbName,
    async (pdb) => {
      // A budget the disruption-controller keeps: spend its status as kube does (eviction-budget.ts).
      if (controllerKeepsBudgets && observedByController(pdb)) {
        const decision = decideFromStatus(pdb, pod, new Date());
        deleteUnhealthy = decision.kind === 'deleteUnhealthy';
        return decision.kind === 'spend' ? decision.next : pdb;
      }
      // Re-run on every attempt: a concurrent eviction may have spent a disruption meanwhile.
      const selected = (await stores.pods.list({ namespace })).items.filter((p) => budgetSelects(pdb, p));
      const now = new Date();
      const assessment = assessBudget(pdb, selected, await expectedScale(stores, selected), now);
      if (!isPodReady(pod)) {
        // An unready pod is not part of the healthy count: evicting it spends nothing.
        const policy = isRecord(pdb.spec) ? pdb.spec.unhealthyPodEvictionPolicy : undefined;
        if (policy === 'AlwaysAllow' || (assessment.currentHealthy >= assessment.desiredHealthy && assessment.desiredHealthy > 0)) {
          deleteUnhealthy = true;
          return pdb;
        }
      }
      if (assessment.disruptionsAllowed <= 0) {
        throw tooManyRequests(`The disruption budget ${pdbName} needs ${assessment.desiredHealthy} healthy pods and has ${assessment.currentHealthy} currently`);
      }
      const live = new Set(selected.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!));
      return { ...pdb, status: statusAfterEviction(pdb, assessment, name, live, now) };
    },
    ctx,
    { subresource: 'status' },
  );
  try {
    await deleteObject(stores.pods, namespace, name, deleteUnhealthy ? withResourceVersion(opts, pod) : opts, ctx);
  } catch (e) {
    // The unready pod changed since it was judged (maybe it became ready): let the client retry.
    if (deleteUnhealthy && e instanceof ApiError && e.code === 409 && !opts.preconditions?.resourceVersion) {
      throw tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`);
    }
    throw e;
  }
  return SUCCESS;
}
