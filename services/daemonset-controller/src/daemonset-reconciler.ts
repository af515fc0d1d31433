// syncDaemonSet (daemon_controller.go): claim the set's revisions and pods, settle the current
// revision (its hash labels new pods), then, once earlier creates and deletes have been
// observed, manage (a pod on every node that should run one, none elsewhere) and, when manage
// had nothing to do, take one rolling-update step; trim history; write status.
import { labelSelectorFromObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import {
  ControllerRefManager, splitKey, type ControllerExpectations, type ControllerRevision, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler,
} from '@keelson/controller-runtime';
import { targetNodeName } from './daemon-pod';
import type { DaemonPodControl } from './daemon-pod-control';
import { cleanupHistory, constructHistory } from './daemonset-history';
import { calculateStatus, planManage, planRollingUpdate } from './daemonset-plan';
import { DAEMONSETS, POD_CLAIMS, REVISION_CLAIMS, type DaemonSet, type DaemonSetStatus, type Node, type Pod } from './types';

export interface DaemonSetReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'patch' | 'create' | 'update' | 'updateStatus' | 'delete'>;
  daemonSets: ReadOnlyCache<DaemonSet>;
  pods: ReadOnlyCache<Pod>;
  nodes: ReadOnlyCache<Node>;
  revisions: ReadOnlyCache<ControllerRevision>;
  expectations: ControllerExpectations;
  podControl: DaemonPodControl;
}

const STATUS_FIELDS: (keyof DaemonSetStatus)[] = [
  'observedGeneration', 'desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled',
  'numberAvailable', 'numberUnavailable', 'collisionCount',
];

export const statusUnchanged = (cur: DaemonSetStatus | undefined, next: DaemonSetStatus): boolean => !!cur && STATUS_FIELDS.every((f) => (cur[f] ?? 0) === (next[f] ?? 0));

export class DaemonSetReconciler implements Reconciler {
  constructor(private readonly o: DaemonSetReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { expectations } = this.o;
    // Read before the caches: if pod events fulfil the expectations meanwhile, the pods are in the cache.
    const needsSync = expectations.satisfied(key);
    const { namespace, name } = splitKey(key);
    const ds = this.o.daemonSets.getByName(namespace, name);
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const selector = labelSelectorFromObject(ds.spec?.selector);
    if (selector.isEmpty()) {
      ctx.logger.warn('DaemonSet has an empty selector; ignoring it');
      return;
    }
    const claim = <T extends Pod | ControllerRevision>(cache: ReadOnlyCache<T>, kinds: typeof POD_CLAIMS): Promise<T[]> => {
      const byName = new Map<string, T>();
      for (const o of cache.byOwnerUid(ds.metadata.uid!)) byName.set(o.metadata.name!, o);
      for (const o of cache.bySelector(ds.spec?.selector, namespace)) byName.set(o.metadata.name!, o);
      return new ControllerRefManager<DaemonSet, T>({ client: this.o.client, controller: ds, selector, ...kinds }).claim([...byName.values()], ctx.signal);
    };
    const revisions = await claim(this.o.revisions, REVISION_CLAIMS);
    const pods = await claim(this.o.pods, POD_CLAIMS);
    const history = await constructHistory(this.o.client, ds, revisions, ctx.signal);
    const nodes = this.o.nodes.list();
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = targetNodeName(p);
      if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }

    let syncError: unknown;
    if (needsSync && !ds.metadata.deletionTimestamp) {
      try {
        const manage = planManage(ds, nodes, byNode, history.hash);
        if (manage.create.length || manage.delete.length) {
          await this.o.podControl.syncNodes(key, ds, manage.delete, manage.create, history.hash, ctx.signal);
        } else if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          const step = planRollingUpdate(ds, nodes, byNode, history.hash, Date.now());
          await this.o.podControl.syncNodes(key, ds, step.delete, step.create, history.hash, ctx.signal);
        }
        await cleanupHistory(this.o.client, ds, history.old, pods, ctx.signal);
      } catch (err) {
        syncError = err;
      }
    }
    if (ctx.signal.aborted) return;
    const status: DaemonSetStatus = { ...calculateStatus(ds, nodes, byNode, history.hash, Date.now()), collisionCount: history.collisionCount };
    await this.updateStatus(ds, status, ctx);
    if (syncError) throw syncError;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) return { requeueAfter: minReady * 1000 };
    // A safety net for lost pod events: look again when the expectation would expire.
    if (!needsSync) return { requeueAfter: expectations.expiresInMs(key) + 1000 };
  }

  /** Writes status through daemonsets/status when it changed; one retry on a stale resourceVersion. */
  private async updateStatus(ds: DaemonSet, status: DaemonSetStatus, ctx: ReconcileContext): Promise<void> {
    let current = ds;
    for (let attempt = 0; ; attempt++) {
      if (statusUnchanged(current.status, status)) return;
      try {
        await this.o.client.updateStatus(DAEMONSETS, { ...current, status: { ...(current.status ?? {}), ...status } }, { signal: ctx.signal });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.o.client.get<DaemonSet>(DAEMONSETS, ds.metadata.namespace, ds.metadata.name!, { signal: ctx.signal });
        if (current.metadata.uid !== ds.metadata.uid) return;
      }
    }
  }
}
