// syncService of the EndpointSlice controller: read the Service and its pods from the caches,
// this controller's slices of it from the API (a consistent read: no duplicate slice from a
// cache that has not yet seen the last create), and write the plan: creates, updates, deletes.
import { isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type Reconciler } from '@keelson/controller-runtime';
import { planSlices } from './slice-planner';
import { ENDPOINTSLICES, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY, type EndpointSlice, type Pod, type Service } from './types';

export interface SliceReconcilerOptions {
  client: Pick<KeelsonClient, 'list' | 'create' | 'update' | 'delete'>;
  services: ReadOnlyCache<Service>;
  pods: ReadOnlyCache<Pod>;
  recorder: Pick<EventRecorder, 'event'>;
  maxEndpointsPerSlice: number;
}

/** A Service whose endpoints this controller manages: it selects pods and is not an alias. */
export function managesEndpoints(svc: Service): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
}

export function selectedPods(pods: ReadOnlyCache<Pod>, svc: Service): Pod[] {
  return pods.bySelector({ matchLabels: svc.spec?.selector ?? {} }, svc.metadata.namespace);
}

export class EndpointSliceReconciler implements Reconciler {
  constructor(private readonly opts: SliceReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    const { namespace, name } = splitKey(key);
    const { client } = this.opts;
    const svc = this.opts.services.getByName(namespace, name);
    const labelSelector = `${LABEL_SERVICE_NAME}=${name},${LABEL_MANAGED_BY}=${MANAGED_BY}`;
    const existing = (await client.list<EndpointSlice>(ENDPOINTSLICES, namespace, { labelSelector }, { signal: ctx.signal })).items;
    if (!svc || !managesEndpoints(svc)) {
      // Gone (the garbage collector would follow the owner reference; this is sooner) or no
      // longer selecting: its managed slices go.
      for (const s of existing) await this.remove(s, ctx);
      return;
    }
    if (svc.metadata.deletionTimestamp) return;
    const plan = planSlices(svc, selectedPods(this.opts.pods, svc), existing, this.opts.maxEndpointsPerSlice);
    try {
      for (const s of plan.create) await client.create(ENDPOINTSLICES, s, { signal: ctx.signal });
      for (const s of plan.update) await client.update(ENDPOINTSLICES, s, { signal: ctx.signal });
      for (const s of plan.delete) await this.remove(s, ctx);
    } catch (err) {
      if (!ctx.signal.aborted) this.opts.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${messageOf(err)}`);
      throw err;
    }
    if (plan.create.length + plan.update.length + plan.delete.length) {
      ctx.logger.debug('endpoint slices synced', { created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length });
    }
  }

  private async remove(s: EndpointSlice, ctx: ReconcileContext): Promise<void> {
    try {
      await this.opts.client.delete(ENDPOINTSLICES, s.metadata.namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid }, signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
