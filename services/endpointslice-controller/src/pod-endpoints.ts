// What a pod contributes to its Services' endpoints (k8s.io/endpointslice utils.go and
// pkg/controller/util/endpoint): whether it belongs at all, its address of a family, the
// container port a Service port's targetPort names, and its ready/serving/terminating state.
import type { EndpointPort, Pod, Service, ServicePort } from './types';

/** podutil.IsPodReady. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** ShouldPodBeInEndpoints: it has an address, is not terminal, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export type AddressType = 'IPv4' | 'IPv6';

export function addressTypeOf(ip: string): AddressType {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** The pod's address of `family`: podIPs first, then podIP (a single-stack pod). */
export function podAddress(pod: Pod, family: AddressType): string | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip);
  if (pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => addressTypeOf(ip) === family);
}

/** The address types a Service's slices carry (spec.ipFamilies; IPv4 when unset). */
export function serviceAddressTypes(svc: Service): AddressType[] {
  const families = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return families.length ? families : ['IPv4'];
}

/**
 * podutil.FindPort: a numeric targetPort is the port; a named one is the container port of
 * that name and the Service port's protocol, per pod (pods of one Service may differ).
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** getEndpointPorts: the Service's ports as this pod serves them; ports it cannot resolve are left out. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** A stable key of a port set (order-insensitive), to group endpoints that serve the same ports. */
export function portsKey(ports: readonly EndpointPort[]): string {
  return ports.map((p) => `${p.name ?? ''}/${p.protocol}/${p.port}/${p.appProtocol ?? ''}`).sort().join(',');
}

/** ShouldSetHostname: the pod names itself in this Service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** The pods a Service's selector selects in its namespace (a Service without a selector has none managed). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}
