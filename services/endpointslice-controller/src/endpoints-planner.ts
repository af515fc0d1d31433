// The legacy v1 Endpoints of a Service (pkg/controller/endpoint endpoints_controller.go):
// one object named like the Service whose subsets group ready and not-ready addresses by the
// ports they serve (RepackSubsets). Unlike slices, terminating pods are left out unless the
// Service publishes not-ready addresses; more than 1,000 addresses are truncated and marked.
import { endpointPorts, isHeadless, isPodReady, podAddress, portsKey, shouldPodBeInEndpoints, shouldSetHostname, serviceAddressTypes } from './pod-endpoints';
import { LABEL_HEADLESS, type EndpointAddress, type EndpointPort, type EndpointSubset, type Endpoints, type Pod, type Service } from './types';

/** maxCapacity and the annotation kube sets when it truncates. */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

interface Bucket {
  ports: EndpointPort[];
  ready: EndpointAddress[];
  notReady: EndpointAddress[];
}

const byIp = (a: EndpointAddress, b: EndpointAddress): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? ''));
const portOrder = (a: EndpointPort, b: EndpointPort): number => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);

/** The subsets of the Service's Endpoints, sorted as RepackSubsets/SortSubsets leave them. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const family = serviceAddressTypes(svc)[0];
  const buckets = new Map<string, Bucket>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podAddress(pod, family);
    if (!ip) continue;
    const addr: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid } };
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
    const ports = endpointPorts(svc, pod);
    // A Service without ports publishes addresses only if it is headless.
    if (!ports.length && !(isHeadless(svc) && !(svc.spec?.ports ?? []).length)) continue;
    const key = portsKey(ports);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { ports: [...ports].sort(portOrder), ready: [], notReady: [] }));
    if (tolerateUnready || isPodReady(pod)) b.ready.push(addr);
    else b.notReady.push(addr);
  }
  const subsets = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, b]) => {
    const s: EndpointSubset = {};
    if (b.ready.length) s.addresses = b.ready.sort(byIp);
    if (b.notReady.length) s.notReadyAddresses = b.notReady.sort(byIp);
    if (b.ports.length) s.ports = b.ports;
    return s;
  });
  return subsets;
}

/** Truncates to MAX_ENDPOINTS_ADDRESSES addresses, ready ones first; true when it cut anything. */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= MAX_ENDPOINTS_ADDRESSES) return false;
  let room = MAX_ENDPOINTS_ADDRESSES;
  for (const s of subsets) {
    s.addresses = s.addresses?.slice(0, Math.max(0, room));
    room -= s.addresses?.length ?? 0;
  }
  for (const s of subsets) {
    s.notReadyAddresses = s.notReadyAddresses?.slice(0, Math.max(0, room));
    room -= s.notReadyAddresses?.length ?? 0;
  }
  for (const s of subsets) {
    if (!s.addresses?.length) delete s.addresses;
    if (!s.notReadyAddresses?.length) delete s.notReadyAddresses;
  }
  return true;
}

/** The Endpoints object the Service should have; `current` supplies what the controller preserves. */
export function desiredEndpoints(svc: Service, pods: Pod[], current: Endpoints | undefined): Endpoints {
  const subsets = desiredSubsets(svc, pods).filter((s) => s.addresses || s.notReadyAddresses);
  const truncated = truncateSubsets(subsets);
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[LABEL_HEADLESS];
  if (isHeadless(svc)) labels[LABEL_HEADLESS] = '';
  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
  delete annotations[OVER_CAPACITY_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      ...(current?.metadata ?? {}),
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : { annotations: undefined }),
    },
    subsets,
  };
}

/** Whether writing `next` over `current` changes anything the controller owns. */
export function endpointsChanged(current: Endpoints, next: Endpoints): boolean {
  const s = (v: unknown): string => JSON.stringify(v ?? {});
  return s(current.subsets ?? []) !== s(next.subsets) || s(current.metadata.labels) !== s(next.metadata.labels) || s(current.metadata.annotations) !== s(next.metadata.annotations);
}
