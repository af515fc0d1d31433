// sync of kube's DisruptionController: compute the budget's status from the pods it selects
// and write it through pdbs/status when it changed; a failed computation writes the fail-safe
// status (no disruption allowed). Evictions (the gateway's pods/eviction) spend
// status.disruptionsAllowed and record disruptedPods; this puts both right again.
import { budgetSelects, type KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import { splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import { computeStatus, failSafeStatus, statusEqual, SyncError, type ControllerLookup } from './budget-status';
import { PDBS, type PdbStatus, type PodDisruptionBudget } from './types';

export interface DisruptionReconcilerOptions {
  client: Pick<KeelsonClient, 'updateStatus'>;
  pdbs: ReadOnlyCache<PodDisruptionBudget>;
  pods: ReadOnlyCache<KubeObject>;
  lookup: ControllerLookup;
  recorder: Pick<EventRecorder, 'event'>;
  now?: () => Date;
}

export class DisruptionReconciler implements Reconciler {
  constructor(private readonly opts: DisruptionReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.opts.pdbs.getByName(namespace, name);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const now = (this.opts.now ?? (() => new Date()))();
    const pods = this.opts.pods.byNamespace(namespace ?? '').filter((p) => budgetSelects(pdb, p));
    if (pods.length === 0) this.opts.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let status: PdbStatus;
    let recheckAt: number | undefined;
    try {
      const computed = computeStatus(pdb, pods, this.opts.lookup, now);
      status = computed.status;
      recheckAt = computed.recheckAt;
      if (computed.unmanaged.length) {
        this.opts.recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
      }
    } catch (err) {
      if (!(err instanceof SyncError)) throw err;
      this.opts.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err.message}`);
      status = failSafeStatus(pdb, err, now);
    }
    if (!statusEqual(pdb.status, status)) {
      try {
        await this.opts.client.updateStatus(PDBS, { ...pdb, status }, { signal: ctx.signal });
      } catch (err) {
        // A stale cache (an eviction just spent a disruption) or a deleted budget: the watch
        // event that follows queues the budget again.
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        return { requeueAfter: 100 };
      }
    }
    if (recheckAt !== undefined) return { requeueAfter: Math.max(0, recheckAt - now.getTime()) + 1000 };
  }
}
