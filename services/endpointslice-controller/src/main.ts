// endpointslice-controller: EndpointSlices and (legacy) Endpoints for every Service with a
// selector, from the pods it selects. Two controllers of one Manager, as kube-controller-manager
// runs its endpointslice and endpoints controllers side by side. Wiring only.
import { keyOf, type ControllerQueue, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import { runManager } from '@keelson/controller-runtime';
import { endpointSliceControllerConfig } from './config';
import { EndpointsReconciler } from './endpoints-reconciler';
import { serviceOfEndpoints, serviceOfSlice, servicesOfPod } from './event-handlers';
import { EndpointSliceReconciler } from './slice-reconciler';
import { ENDPOINTS, ENDPOINTSLICES, PODS, SERVICES, type EndpointSlice, type Endpoints, type Pod, type Service } from './types';

/** Pod events queue the Services that select the pod before or after the change. */
function podEvents(services: ReadOnlyCache<Service>) {
  return (queue: ControllerQueue): ResourceEventHandler<Pod> => {
    const send = (pods: Pod[]): void => {
      for (const key of new Set(pods.flatMap((p) => servicesOfPod(services, p)))) queue.enqueue(key);
    };
    return {
      onAdd: (p) => send([p]),
      onUpdate: (old, cur) => send([old, cur]),
      onDelete: (p) => send([p]),
    };
  };
}

void runManager('endpointslice-controller', endpointSliceControllerConfig, (mgr, config) => {
  const services = mgr.informer<Service>(SERVICES).cache;
  const pods = mgr.informer<Pod>(PODS).cache;
  const recorder = mgr.recorder();
  const serviceKey = (s: Service): string => keyOf(s);
  mgr.newControllerManagedBy('endpointslice')
    .watches<Service>(SERVICES, serviceKey)
    .watchesWith<Pod>(PODS, podEvents(services))
    .watches<EndpointSlice>(ENDPOINTSLICES, (s) => serviceOfSlice(s))
    .withOptions({ concurrency: config.workers })
    .complete(new EndpointSliceReconciler({ client: mgr.client, services, pods, recorder, maxEndpointsPerSlice: config.maxEndpointsPerSlice }));
  mgr.newControllerManagedBy('endpoints')
    .watches<Service>(SERVICES, serviceKey)
    .watchesWith<Pod>(PODS, podEvents(services))
    .watches<Endpoints>(ENDPOINTS, (e) => serviceOfEndpoints(e))
    .withOptions({ concurrency: config.workers })
    .complete(new EndpointsReconciler({ client: mgr.client, services, pods, recorder }));
});
