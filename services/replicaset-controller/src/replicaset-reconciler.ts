// syncReplicaSet (replica_set.go): claim the ReplicaSet's active pods, create or delete the
// difference to spec.replicas (only once earlier creates/deletes have been observed), then
// write status. Level-based: every step re-derives from the caches.
import { labelSelectorFromObject } from '@keelson/api';
import { isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { ControllerRefManager, splitKey, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import type { Expectations } from './expectations';
import type { PodControl } from './pod-control';
import { isPodActive } from './pod-state';
import { podsToDelete } from './pods-to-delete';
import { availabilityRecheckMs, calculateStatus, ManageReplicasError, statusUnchanged } from './replica-status';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from './slow-start';
import { POD_CLAIMS, REPLICASETS, REPLICASET_KIND, type Pod, type ReplicaSet, type ReplicaSetStatus, type WorkloadKind } from './types';

export interface ReplicaSetReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'patch' | 'updateStatus'>;
  replicaSets: ReadOnlyCache<ReplicaSet>;
  pods: ReadOnlyCache<Pod>;
  expectations: Expectations;
  podControl: PodControl;
  /** Most creates or deletes per sync (Kubernetes' BurstReplicas). Default 500. */
  burstReplicas?: number;
  /** What is reconciled: ReplicaSets (default) or ReplicationControllers. */
  kind?: WorkloadKind;
}

const REPLICASET_WORKLOAD: WorkloadKind = { resource: REPLICASETS, gvk: REPLICASET_KIND, claims: POD_CLAIMS };

export class ReplicaSetReconciler implements Reconciler {
  private readonly burst: number;

  constructor(private readonly opts: ReplicaSetReconcilerOptions) {
    this.burst = opts.burstReplicas ?? 500;
    this.kind = opts.kind ?? REPLICASET_WORKLOAD;
  }

  private readonly kind: WorkloadKind;

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { expectations } = this.opts;
    // Read before the caches: if pod events fulfil the expectations meanwhile, the pods are in the cache.
    const needsSync = expectations.satisfied(key);
    const { namespace, name } = splitKey(key);
    const rs = this.opts.replicaSets.getByName(namespace, name);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const selector = labelSelectorFromObject(rs.spec?.selector);
    if (selector.isEmpty()) {
      ctx.logger.warn('ReplicaSet has an empty selector; ignoring it');
      return;
    }
    // The pods it owns: its matching pods plus matching orphans it adopts (unless it is being
    // deleted); its pods that stopped matching are released. Others' pods are never touched.
    const claims = new ControllerRefManager<ReplicaSet, Pod>({ client: this.opts.client, controller: rs, selector, ...this.kind.claims });
    const pods = await claims.claim(this.candidatePods(key, rs), ctx.signal);

    let manageError: ManageReplicasError | undefined;
    let more = false;
    if (needsSync && !rs.metadata.deletionTimestamp) ({ error: manageError, more } = await this.manageReplicas(key, rs, pods, ctx));
    if (ctx.signal.aborted) return;

    const status = calculateStatus(rs, pods, manageError);
    await this.updateStatus(rs, status, ctx);
    if (manageError) throw manageError; // retried with back-off; the condition is already written
    // A burst short of spec.replicas: the next one may start now (its creates counted from their responses).
    if (more) return { requeueAfter: 0 };
    const recheck = availabilityRecheckMs(rs, status);
    if (recheck !== undefined) return { requeueAfter: recheck };
    // A safety net for lost pod events: look again when the expectation would expire.
    if (!needsSync) return { requeueAfter: expectations.expiresInMs(key) + 1000 };
  }

  /**
   * Active pods this ReplicaSet owns or could adopt: its dependents plus matching pods in its
   * namespace, plus the pods its creates returned that the cache does not show yet.
   */
  private candidatePods(key: string, rs: ReplicaSet): Pod[] {
    const byKey = new Map<string, Pod>();
    for (const p of this.opts.expectations.createdNotObserved(key)) byKey.set(p.metadata.name!, p);
    for (const p of this.opts.pods.byOwnerUid(rs.metadata.uid!)) byKey.set(p.metadata.name!, p);
    for (const p of this.opts.pods.bySelector(rs.spec?.selector, rs.metadata.namespace)) byKey.set(p.metadata.name!, p);
    return [...byKey.values()].filter(isPodActive);
  }

  /**
   * Creates or deletes up to `burst` pods towards spec.replicas; resolves to the failure, if
   * any, and whether creates remain beyond this burst.
   */
  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[], ctx: ReconcileContext): Promise<{ error?: ManageReplicasError; more: boolean }> {
    const { expectations, podControl } = this.opts;
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const want = Math.min(-diff, this.burst);
      // Expect every create before issuing any: pod events may arrive before the calls return.
      expectations.expectCreations(key, want);
      ctx.logger.info('too few replicas', { need: rs.spec?.replicas ?? 1, creating: want });
      const { successes, error } = await slowStartBatch(want, SLOW_START_INITIAL_BATCH, async () => {
        const pod = await podControl.createPod(rs, ctx.signal);
        // Satisfied by the response: the next sync counts this pod even before the informer shows it.
        // (A pod the informer already showed was counted by its event.)
        if (!this.opts.pods.getByName(pod.metadata.namespace, pod.metadata.name!)) expectations.creationSucceeded(key, pod);
      });
      // Creates that failed or were never tried will not be observed: stop expecting them.
      for (let i = successes; i < want; i++) expectations.creationObserved(key);
      if (error !== undefined) return { error: new ManageReplicasError('FailedCreate', messageOf(error), error), more: false };
      return { more: want < -diff };
    } else if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, this.burst));
      const podKeys = victims.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      expectations.expectDeletions(key, podKeys);
      ctx.logger.info('too many replicas', { need: rs.spec?.replicas ?? 1, deleting: victims.length });
      const results = await Promise.allSettled(victims.map(async (pod, i) => {
        try {
          // A pod already gone will not send another delete event: observe it now.
          if (!(await podControl.deletePod(rs, pod, ctx.signal))) expectations.deletionObserved(key, podKeys[i]);
        } catch (err) {
          expectations.deletionObserved(key, podKeys[i]);
          throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { error: new ManageReplicasError('FailedDelete', messageOf(failed.reason), failed.reason), more: false };
    }
    return { more: false };
  }

  /** Writes status through replicasets/status when it changed; one retry on a stale resourceVersion. */
  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus, ctx: ReconcileContext): Promise<void> {
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      const next: ReplicaSetStatus = { ...status, observedGeneration: current.metadata.generation };
      if (statusUnchanged(current, next)) return;
      try {
        const obj: ReplicaSet = { ...current, status: next };
        await this.opts.client.updateStatus(this.kind.resource, this.kind.toStored ? this.kind.toStored(obj) : obj, { signal: ctx.signal });
        return;
      } catch (err) {
        if (isNotFound(err)) return; // deleted meanwhile
        if (!isConflict(err) || attempt >= 1) throw err;
        const fresh = await this.opts.client.get<ReplicaSet>(this.kind.resource, rs.metadata.namespace, rs.metadata.name!, { signal: ctx.signal });
        current = this.kind.fromStored ? this.kind.fromStored(fresh) : fresh;
        if (current.metadata.uid !== rs.metadata.uid) return;
      }
    }
  }
}
