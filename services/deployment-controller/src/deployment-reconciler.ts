// The Deployment controller's reconcile (deployment_controller.go syncDeployment): claim the
// ReplicaSets, then either only scale (paused, or replicas changed) or take one rollout step,
// and write status. Reads come from the informers' caches; writes go through the API.
import { labelSelectorFromObject } from '@keelson/api';
import type { KeelsonClient } from '@keelson/client';
import { ControllerRefManager, splitKey, type ReadOnlyCache, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import type { ApiDeploymentWriter } from './api-writer';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set';
import { rollout } from './rollout';
import { checkPausedConditions, isScalingEvent, sync, syncDeploymentStatus, type SyncResult } from './sync';
import { copy, writeStatus, type SyncContext } from './sync-context';
import { REPLICASET_CLAIMS, type Deployment, type ReplicaSet } from './types';

export interface DeploymentReconcilerDeps {
  client: KeelsonClient;
  deployments: ReadOnlyCache<Deployment>;
  replicaSets: ReadOnlyCache<ReplicaSet>;
  writer: ApiDeploymentWriter;
  now?: () => Date;
}

export class DeploymentReconciler implements Reconciler {
  constructor(private readonly deps: DeploymentReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deps.deployments.getByName(namespace, name);
    if (!cached) {
      this.deps.writer.deployments.forget(key);
      return; // deleted: the garbage collector removes its ReplicaSets
    }
    const ctx: SyncContext = { io: this.deps.writer, d: copy(this.deps.writer.deployments.latest(cached)), now: this.deps.now ?? (() => new Date()) };
    const r = await this.syncDeployment(ctx);
    return r.requeueAfterMs !== undefined ? { requeueAfter: r.requeueAfterMs } : undefined;
  }

  private async syncDeployment(ctx: SyncContext): Promise<SyncResult> {
    const d = ctx.d;
    const sel = d.spec.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      ctx.io.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await writeStatus(ctx, { ...copy(d), status: { ...d.status, observedGeneration: d.metadata.generation } });
      }
      return {};
    }
    // Its ReplicaSets: those it controls that match, plus matching orphans it adopts
    // (getReplicaSetsForDeployment); controlled ones that stopped matching are released.
    const claims = new ControllerRefManager<Deployment, ReplicaSet>({ client: this.deps.client, controller: d, selector: labelSelectorFromObject(sel), ...REPLICASET_CLAIMS });
    const rsList = await claims.claim(this.deps.replicaSets.byNamespace(d.metadata.namespace!));
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
      await syncDeploymentStatus(ctx, newRS ? [...oldRSs, newRS] : oldRSs, newRS);
      return {};
    }
    await checkPausedConditions(ctx);
    if (ctx.d.spec.paused) return sync(ctx, rsList);
    // kubectl rollout undo (1.32) rewrites the template client-side: an ordinary rollout here.
    if (await isScalingEvent(ctx, rsList)) return sync(ctx, rsList);
    return rollout(ctx, rsList);
  }
}
