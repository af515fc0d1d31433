// What each Service port forwards to: its Ready endpoints. From the Service's EndpointSlices
// (label kubernetes.io/service-name) when any exist — the endpointslice-controller fills them —
// otherwise computed here from the pods the selector matches (Ready, with a pod IP, not
// terminating), resolving named targetPorts against the pods' container ports as kube's
// endpoints controllers do (podutil.FindPort). A Service without a selector and without slices
// has no endpoints (its Endpoints are someone else's to write).
import type { EndpointSlice, Pod, Protocol, Service, ServicePort } from './types';

export interface Endpoint {
  ip: string;
  port: number;
}

/** One Service port as the data plane sees it. */
export interface ServicePortInfo {
  /** `<namespace>/<name>:<port name or number>` (kube's ServicePortName). */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP?: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  /** spec.sessionAffinity ClientIP: its timeout in seconds (default 10800); undefined = none. */
  affinityTimeoutSeconds?: number;
  /** Ready endpoints, sorted (so unchanged input renders unchanged rules). */
  endpoints: Endpoint[];
  /** Where the endpoints came from. */
  source: 'endpointslices' | 'pods' | 'none';
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const DEFAULT_AFFINITY_SECONDS = 10800;

export function protocolOf(p: { protocol?: string }): Protocol {
  return p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
}

/** podutil.IsPodReady. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pod's IPv4 address (Keelson's Services are single-stack IPv4). */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => typeof ip === 'string' && IPV4.test(ip));
}

/** podutil.FindPort: a number is the port; a name is the container port of that name and protocol. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target && protocolOf(cp) === protocolOf(port)) return cp.containerPort;
  }
  return undefined;
}

/** Whether a pod is a Ready endpoint candidate: running, Ready, an IPv4 address, not being deleted. */
export function isServingPod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (pod.metadata.deletionTimestamp) return false;
  return podIPv4(pod) !== undefined && isPodReady(pod);
}

function portName(p: ServicePort): string {
  return p.name ?? '';
}

function sortEndpoints(eps: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return eps
    .filter((e) => { const k = `${e.ip}:${e.port}`; if (seen.has(k)) return false; seen.add(k); return true; })
    .sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Ready endpoints of one Service port from its slices (port matched by name and protocol). */
export function endpointsFromSlices(slices: EndpointSlice[], port: ServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  for (const s of slices) {
    if (s.addressType && s.addressType !== 'IPv4') continue;
    const sp = (s.ports ?? []).find((p) => (p.name ?? '') === portName(port) && protocolOf(p) === protocolOf(port));
    if (!sp?.port) continue;
    for (const e of s.endpoints ?? []) {
      // kube-proxy: a nil ready condition counts as ready.
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses.slice(0, 1)) if (IPV4.test(ip)) out.push({ ip, port: sp.port });
    }
  }
  return sortEndpoints(out);
}

/** Ready endpoints of one Service port computed from the pods its selector matched. */
export function endpointsFromPods(pods: Pod[], port: ServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of pods) {
    if (!isServingPod(pod)) continue;
    const target = findPort(pod, port);
    const ip = podIPv4(pod);
    if (target !== undefined && ip) out.push({ ip, port: target });
  }
  return sortEndpoints(out);
}

export interface EndpointSources {
  /** The Service's EndpointSlices (label kubernetes.io/service-name = its name, same namespace). */
  slices(svc: Service): EndpointSlice[];
  /** Pods in the Service's namespace that its selector matches. */
  selectedPods(svc: Service): Pod[];
}

/** Whether a Service gets any data-plane rules (kube-proxy skips headless and ExternalName ones). */
export function isProxied(svc: Service): boolean {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return false;
  const ip = spec.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None' && IPV4.test(ip);
}

/** Every port of a Service with its endpoints. */
export function servicePorts(svc: Service, sources: EndpointSources): ServicePortInfo[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec ?? {};
  const slices = sources.slices(svc);
  const selector = spec.selector && Object.keys(spec.selector).length ? spec.selector : undefined;
  const source: ServicePortInfo['source'] = slices.length ? 'endpointslices' : selector ? 'pods' : 'none';
  const pods = source === 'pods' ? sources.selectedPods(svc) : [];
  const affinity = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS
    : undefined;
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  return (spec.ports ?? []).map((p) => ({
    id: `${namespace}/${name}:${p.name ?? p.port}`,
    namespace,
    name,
    portName: portName(p),
    protocol: protocolOf(p),
    clusterIP: spec.clusterIP,
    port: p.port,
    nodePort: (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort ? p.nodePort : undefined,
    externalIPs: (spec.externalIPs ?? []).filter((ip) => IPV4.test(ip)),
    affinityTimeoutSeconds: affinity,
    endpoints: source === 'endpointslices' ? endpointsFromSlices(slices, p) : source === 'pods' ? endpointsFromPods(pods, p) : [],
    source,
  }));
}
