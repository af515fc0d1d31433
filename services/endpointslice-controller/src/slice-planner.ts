// The EndpointSlice reconciler's plan (k8s.io/endpointslice reconciler.go, reconcileByAddressType):
// given a Service's pods and its current slices, which slices to create, update and delete so
// each endpoint appears once, grouped by the ports it serves, at most `maxPerSlice` per slice.
// Existing slices keep the endpoints they still hold (little churn for watchers such as
// kube-proxy); new endpoints fill the room left in them before any new slice is made; a Service
// with no endpoints keeps one empty placeholder slice, as kube does.
import { newControllerRef } from '@keelson/api';
import {
  endpointPorts, isPodReady, podAddress, portsKey, serviceAddressTypes, shouldPodBeInEndpoints, shouldSetHostname,
  isHeadless, type AddressType,
} from './pod-endpoints';
import {
  LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY,
  type EndpointPort, type EndpointSlice, type Pod, type Service, type SliceEndpoint,
} from './types';

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** podToEndpoint. */
export function podToEndpoint(pod: Pod, svc: Service, address: string): SliceEndpoint {
  const serving = !!svc.spec?.publishNotReadyAddresses || isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ep: SliceEndpoint = {
    addresses: [address],
    // "ready" is never true for a terminating pod unless the Service publishes not-ready addresses.
    conditions: { ready: !!svc.spec?.publishNotReadyAddresses || (serving && !terminating), serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** The labels every slice of the Service carries: the Service's own plus the controller's. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[LABEL_HEADLESS];
  if (isHeadless(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name!;
  labels[LABEL_MANAGED_BY] = MANAGED_BY;
  return labels;
}

interface Group {
  ports: EndpointPort[];
  endpoints: Map<string, SliceEndpoint>; // by pod name
}

/** The desired endpoints of one address type, grouped by the ports they serve. */
export function desiredGroups(svc: Service, pods: Pod[], addressType: AddressType): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    // Slices include terminating pods (with terminating: true) so consumers can drain them.
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const address = podAddress(pod, addressType);
    if (!address) continue;
    const ports = endpointPorts(svc, pod);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: new Map() }));
    g.endpoints.set(pod.metadata.name!, podToEndpoint(pod, svc, address));
  }
  return groups;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function newSlice(svc: Service, addressType: AddressType, ports: EndpointPort[], endpoints: SliceEndpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [newControllerRef(svc, { apiVersion: 'v1', kind: 'Service' })],
    },
    addressType,
    endpoints,
    ports,
  };
}

/** Plans one Service's slices; `existing` are the slices this controller manages for it. */
export function planSlices(svc: Service, pods: Pod[], existing: EndpointSlice[], maxPerSlice: number): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const types = serviceAddressTypes(svc);
  for (const s of existing) if (!types.includes(s.addressType as AddressType)) plan.delete.push(s);
  for (const addressType of types) {
    const mine = existing.filter((s) => s.addressType === addressType);
    const groups = desiredGroups(svc, pods, addressType);
    const total = [...groups.values()].reduce((n, g) => n + g.endpoints.size, 0);
    if (total === 0) {
      planPlaceholder(svc, addressType, mine, labels, plan);
      continue;
    }
    for (const s of mine) {
      if (!groups.has(portsKey(s.ports ?? []))) plan.delete.push(s);
    }
    for (const [key, group] of groups) {
      planGroup(svc, addressType, group, mine.filter((s) => portsKey(s.ports ?? []) === key), labels, maxPerSlice, plan);
    }
  }
  return plan;
}

/** One port set: keep what existing slices still hold, fill their room, then make new slices. */
function planGroup(svc: Service, addressType: AddressType, group: Group, slices: EndpointSlice[], labels: Record<string, string>, max: number, plan: SlicePlan): void {
  const unplaced = new Map(group.endpoints);
  const kept: Array<{ slice: EndpointSlice; endpoints: SliceEndpoint[] }> = [];
  for (const slice of slices) {
    const endpoints: SliceEndpoint[] = [];
    for (const ep of slice.endpoints ?? []) {
      const name = ep.targetRef?.name;
      const want = name !== undefined ? unplaced.get(name) : undefined;
      if (!want || endpoints.length >= max) continue; // gone, or a duplicate or overflow: dropped
      endpoints.push(want);
      unplaced.delete(name!);
    }
    kept.push({ slice, endpoints });
  }
  // New endpoints go into the fullest slices with room first, so slices stay few and dense.
  const rest = [...unplaced.values()];
  for (const k of [...kept].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
    if (k.endpoints.length === 0) continue; // an emptied slice is deleted rather than refilled
    while (rest.length && k.endpoints.length < max) k.endpoints.push(rest.shift()!);
  }
  for (const k of kept) {
    if (k.endpoints.length === 0) {
      plan.delete.push(k.slice);
      continue;
    }
    const next: EndpointSlice = { ...k.slice, metadata: { ...k.slice.metadata, labels }, endpoints: k.endpoints, ports: group.ports };
    if (!same(k.slice.endpoints, next.endpoints) || !same(k.slice.ports, next.ports) || !same(k.slice.metadata.labels ?? {}, labels)) plan.update.push(next);
  }
  for (let i = 0; i < rest.length; i += max) plan.create.push(newSlice(svc, addressType, group.ports, rest.slice(i, i + max)));
}

/** No endpoints: exactly one empty slice remains (kube's placeholder), so the Service is visibly empty. */
function planPlaceholder(svc: Service, addressType: AddressType, slices: EndpointSlice[], labels: Record<string, string>, plan: SlicePlan): void {
  const [keep, ...others] = slices;
  plan.delete.push(...others);
  if (!keep) {
    plan.create.push(newSlice(svc, addressType, [], []));
    return;
  }
  if ((keep.endpoints ?? []).length || (keep.ports ?? []).length || !same(keep.metadata.labels ?? {}, labels)) {
    plan.update.push({ ...keep, metadata: { ...keep.metadata, labels }, endpoints: [], ports: [] });
  }
}
