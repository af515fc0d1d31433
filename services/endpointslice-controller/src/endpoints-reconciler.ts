// syncService of the (legacy) Endpoints controller: the Endpoints named like the Service,
// created, updated when its subsets change, deleted with the Service.
import { isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type Reconciler } from '@keelson/controller-runtime';
import { desiredEndpoints, endpointsChanged } from './endpoints-planner';
import { managesEndpoints, selectedPods } from './slice-reconciler';
import { ENDPOINTS, type Endpoints, type Pod, type Service } from './types';

export interface EndpointsReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'create' | 'update' | 'delete'>;
  services: ReadOnlyCache<Service>;
  pods: ReadOnlyCache<Pod>;
  recorder: Pick<EventRecorder, 'event'>;
}

export class EndpointsReconciler implements Reconciler {
  constructor(private readonly opts: EndpointsReconcilerOptions) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    const { namespace, name } = splitKey(key);
    const { client } = this.opts;
    const svc = this.opts.services.getByName(namespace, name);
    if (!svc) {
      try {
        await client.delete(ENDPOINTS, namespace, name, { signal: ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    // A Service without a selector has user-managed Endpoints: never touched.
    if (!managesEndpoints(svc) || svc.metadata.deletionTimestamp) return;
    let current: Endpoints | undefined;
    try {
      current = await client.get<Endpoints>(ENDPOINTS, namespace, name, { signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const next = desiredEndpoints(svc, selectedPods(this.opts.pods, svc), current);
    try {
      if (!current) await client.create(ENDPOINTS, next, { signal: ctx.signal });
      else if (endpointsChanged(current, next)) await client.update(ENDPOINTS, next, { signal: ctx.signal });
    } catch (err) {
      if (!ctx.signal.aborted) this.opts.recorder.event(svc, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${messageOf(err)}`);
      throw err;
    }
  }
}
