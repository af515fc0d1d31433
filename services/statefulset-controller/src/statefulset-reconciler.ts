// syncStatefulSet (stateful_set.go + stateful_set_control.go's UpdateStatefulSet): claim the
// set's revisions and pods, settle the current and update revisions, run one sync of the pods,
// write status (observedGeneration, counts, revisions, collisionCount), trim the history.
import { labelSelectorFromObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import {
  ControllerRefManager, splitKey, type ControllerRevision, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler,
} from '@keelson/controller-runtime';
import { completeRollingUpdate, type StatefulSetControl } from './stateful-set-control';
import { getStatefulSetRevisions, truncateHistory } from './stateful-set-revisions';
import { isMemberOf } from './stateful-set-utils';
import { POD_CLAIMS, REVISION_CLAIMS, STATEFULSETS, type Pod, type StatefulSet, type StatefulSetStatus } from './types';

export interface StatefulSetReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'patch' | 'create' | 'update' | 'updateStatus' | 'delete'>;
  sets: ReadOnlyCache<StatefulSet>;
  pods: ReadOnlyCache<Pod>;
  revisions: ReadOnlyCache<ControllerRevision>;
  control: StatefulSetControl;
}

const STATUS_FIELDS: (keyof StatefulSetStatus)[] = [
  'observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount',
];

export function statusUnchanged(cur: StatefulSetStatus | undefined, next: StatefulSetStatus): boolean {
  return !!cur && STATUS_FIELDS.every((f) => (cur[f] ?? 0) === (next[f] ?? 0));
}

export class StatefulSetReconciler implements Reconciler {
  constructor(private readonly o: StatefulSetReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const set = this.o.sets.getByName(namespace, name);
    if (!set) return;
    const selector = labelSelectorFromObject(set.spec?.selector);
    if (selector.isEmpty()) {
      ctx.logger.warn('StatefulSet has an empty selector; ignoring it');
      return;
    }
    const claim = <T extends Pod | ControllerRevision>(cache: ReadOnlyCache<T>, kinds: typeof POD_CLAIMS, filter?: (o: T) => boolean): Promise<T[]> => {
      const byName = new Map<string, T>();
      for (const o of cache.byOwnerUid(set.metadata.uid!)) byName.set(o.metadata.name!, o);
      for (const o of cache.bySelector(set.spec?.selector, namespace)) byName.set(o.metadata.name!, o);
      return new ControllerRefManager<StatefulSet, T>({ client: this.o.client, controller: set, selector, filter, ...kinds }).claim([...byName.values()], ctx.signal);
    };
    const revisions = await claim(this.o.revisions, REVISION_CLAIMS);
    const pods = await claim(this.o.pods, POD_CLAIMS, (p) => isMemberOf(set, p as Pod));

    const live = await getStatefulSetRevisions(this.o.client, set, revisions, ctx.signal);
    const outcome = await this.o.control.updateStatefulSet(set, live.current, live.update, live.collisionCount, pods, ctx.signal);
    if (ctx.signal.aborted) return;
    await this.updateStatus(set, completeRollingUpdate(set, outcome.status), ctx);
    await truncateHistory(this.o.client, set, pods, revisions.filter((r) => r.metadata.name !== live.update.metadata.name), live, ctx.signal);
    if (outcome.requeueAfterMs !== undefined) return { requeueAfter: outcome.requeueAfterMs };
  }

  /** Writes status through statefulsets/status when it changed; one retry on a stale resourceVersion. */
  private async updateStatus(set: StatefulSet, status: StatefulSetStatus, ctx: ReconcileContext): Promise<void> {
    let current = set;
    for (let attempt = 0; ; attempt++) {
      if (statusUnchanged(current.status, status)) return;
      try {
        await this.o.client.updateStatus(STATEFULSETS, { ...current, status: { ...(current.status ?? {}), ...status } }, { signal: ctx.signal });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.o.client.get<StatefulSet>(STATEFULSETS, set.metadata.namespace, set.metadata.name!, { signal: ctx.signal });
        if (current.metadata.uid !== set.metadata.uid) return;
      }
    }
  }
}
