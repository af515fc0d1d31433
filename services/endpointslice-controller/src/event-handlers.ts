// What queues a Service key (getPodServiceMemberships, onEndpointSliceUpdate): the Service
// itself, every Service in a pod's namespace whose selector matches the pod before or after a
// change, and a managed slice or Endpoints someone else changed (the controller repairs it).
import { keyOf, type ReadOnlyCache } from '@keelson/controller-runtime';
import { selectorMatches } from './pod-endpoints';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY, type EndpointSlice, type Endpoints, type Pod, type Service } from './types';

/** The keys of the Services (with selectors) in the pod's namespace that select it. */
export function servicesOfPod(services: ReadOnlyCache<Service>, pod: Pod): string[] {
  const out: string[] = [];
  for (const svc of services.byNamespace(pod.metadata.namespace ?? '')) {
    const sel = svc.spec?.selector;
    if (sel && Object.keys(sel).length && selectorMatches(sel, pod.metadata.labels)) out.push(keyOf(svc));
  }
  return out;
}

/** A slice this controller manages names its Service in a label. */
export function serviceOfSlice(slice: EndpointSlice): string | undefined {
  const labels = slice.metadata.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY || !labels[LABEL_SERVICE_NAME]) return undefined;
  return `${slice.metadata.namespace}/${labels[LABEL_SERVICE_NAME]}`;
}

export function serviceOfEndpoints(ep: Endpoints): string {
  return keyOf(ep);
}
