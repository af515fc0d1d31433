// core/v1 Service (pkg/registry/core/service): defaulting, the registry's normalisation of
// cluster IPs and carrying of allocated values across updates, validation with kube's
// messages, and `kubectl get services` columns. The gateway allocates cluster IPs and node
// ports (services/api-gateway/src/registry/service-allocation.ts).
import { isIP } from 'node:net';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { rec as recAt, recs, str as strAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { Service as ServicePb } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { labelSelectorFromSet } from '../../selectors/labels';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { arr, jsonEqual, num, rec, str, strMap, type Json } from '../../validation/field-errors';
import { validateLabels } from '../../validation/metadata';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../validation/names';
import { SERVICE_SCHEMAS } from './service-schema';
import { copyJson } from '../../json-copy';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const DEFAULT_CLIENT_IP_TIMEOUT = 10800;
const DNS1035_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const specOf = (o: KubeObject): Json => {
  if (!rec(o.spec)) o.spec = {};
  return o.spec as Json;
};
const ports = (spec: Json): Json[] => arr(spec.ports).filter((p): p is Json => rec(p) !== undefined);

/** The Service owns a virtual IP (every type but ExternalName, unless headless). */
export function needsClusterIP(spec: Json): boolean {
  return spec.type !== 'ExternalName';
}

/** NodePort, and LoadBalancer unless `allocateLoadBalancerNodePorts: false`. */
export function needsNodePorts(spec: Json): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function externallyAccessible(spec: Json): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
}

/** SetDefaults_Service, plus the single-stack IPv4 families the registry assigns. */
export function defaultService(o: KubeObject): void {
  const spec = specOf(o);
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = num(rec(rec(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds);
    if (timeout === undefined) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of ports(spec)) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && spec.type !== 'ExternalName') spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (needsClusterIP(spec)) {
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (arr(spec.ipFamilies).length === 0) spec.ipFamilies = ['IPv4'];
  }
}

/** normalizeClusterIPs on create: `clusterIP` and `clusterIPs[0]` name the same address. */
function normalizeClusterIPs(spec: Json, old?: Json): void {
  const ip = str(spec.clusterIP) ?? '';
  const ips = arr(spec.clusterIPs);
  if (!old) {
    if (ip && ips.length === 0) spec.clusterIPs = [ip];
    else if (!ip && ips.length > 0 && typeof ips[0] === 'string') spec.clusterIP = ips[0];
    return;
  }
  // On update, a changed clusterIP with untouched clusterIPs moves clusterIPs[0] along.
  if (ip !== (str(old.clusterIP) ?? '') && jsonEqual(spec.clusterIPs, old.clusterIPs)) {
    if (!ip) delete spec.clusterIPs;
    else spec.clusterIPs = [ip, ...ips.slice(1)];
  }
  if (!ip && arr(spec.clusterIPs).length > 0 && typeof arr(spec.clusterIPs)[0] === 'string') spec.clusterIP = arr(spec.clusterIPs)[0];
}

/** patchAllocatedValues: an update that omits allocated values keeps them. */
function patchAllocatedValues(spec: Json, old: Json): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
    if (arr(spec.clusterIPs).length === 0 && old.clusterIPs !== undefined) spec.clusterIPs = copyJson(old.clusterIPs);
    if (!spec.ipFamilyPolicy && old.ipFamilyPolicy) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    if (arr(spec.ipFamilies).length === 0 && old.ipFamilies !== undefined) spec.ipFamilies = copyJson(old.ipFamilies);
  }
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    const usedNew = new Set(ports(spec).map((p) => num(p.nodePort) ?? 0));
    const byName = new Map(ports(old).map((p) => [str(p.name) ?? '', num(p.nodePort) ?? 0]));
    for (const p of ports(spec)) {
      if (p.nodePort) continue;
      const carried = byName.get(str(p.name) ?? '') ?? 0;
      if (carried && !usedNew.has(carried)) p.nodePort = carried;
    }
  }
}

/** dropTypeDependentFields: a type change clears what only the old type used, unless the user changed it. */
function dropTypeDependentFields(spec: Json, old: Json): void {
  if (needsClusterIP(old) && !needsClusterIP(spec) && (str(spec.clusterIP) ?? '') === (str(old.clusterIP) ?? '')) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (!needsClusterIP(spec)) {
    if (jsonEqual(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === old.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(spec)) {
    const oldPorts = new Map(ports(old).map((p) => [`${String(p.port)}/${String(p.protocol)}`, p.nodePort]));
    for (const p of ports(spec)) if (p.nodePort !== undefined && oldPorts.get(`${String(p.port)}/${String(p.protocol)}`) === p.nodePort) delete p.nodePort;
  }
  if (spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (!externallyAccessible(spec) && spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
}

/** Go's %#v of the (protocol, port) key kube reports for a duplicate port. */
function goServicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

const goStrings = (v: unknown[]): string => `[]string{${v.map((x) => JSON.stringify(String(x))).join(', ')}}`;

function validatePort(p: Json, path: string, requireName: boolean, names: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(p.name) ?? '';
  if (requireName && !name) out.push(causes.required(`${path}.name`));
  else if (name) {
    for (const m of isDNS1123Label(name)) out.push(causes.invalid(`${path}.name`, name, m));
    if (names.has(name)) out.push(causes.duplicate(`${path}.name`, name));
    names.add(name);
  }
  const port = num(p.port) ?? 0;
  for (const m of isValidPortNum(port)) out.push(causes.invalid(`${path}.port`, port, m));
  const protocol = str(p.protocol) ?? '';
  if (!protocol) out.push(causes.required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(protocol)) out.push(causes.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  const target = p.targetPort;
  if (typeof target === 'number') for (const m of isValidPortNum(target)) out.push(causes.invalid(`${path}.targetPort`, target, m));
  else if (typeof target === 'string') for (const m of isValidPortName(target)) out.push(causes.invalid(`${path}.targetPort`, target, m));
  const nodePort = num(p.nodePort);
  if (nodePort !== undefined && nodePort !== 0) for (const m of isValidPortNum(nodePort)) out.push(causes.invalid(`${path}.nodePort`, nodePort, m));
  return out;
}

function validateClusterIPs(spec: Json): StatusCause[] {
  const out: StatusCause[] = [];
  const ips = arr(spec.clusterIPs);
  if (spec.type === 'ExternalName') {
    if (ips.length > 0 || spec.clusterIP) out.push(causes.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    return out;
  }
  ips.forEach((ip, i) => {
    const s = String(ip);
    if (s === 'None' ? i > 0 : isIP(s) === 0) out.push(causes.invalid(`spec.clusterIPs[${i}]`, s, "must be empty, 'None', or a valid IP address"));
  });
  if (ips.length > 0 && spec.clusterIP !== ips[0]) out.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ${goStrings(ips)}: first value must match \`clusterIP\`` });
  if (spec.clusterIP === 'None' && (spec.type === 'LoadBalancer' || spec.type === 'NodePort')) {
    out.push(causes.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${String(spec.type)} services`));
  }
  return out;
}

function validateServiceSpec(spec: Json): StatusCause[] {
  const out: StatusCause[] = [];
  const type = str(spec.type) ?? '';
  const headless = spec.clusterIP === 'None';
  const list = ports(spec);
  if (list.length === 0 && !headless && type !== 'ExternalName') out.push(causes.required('spec.ports'));
  if (!type) out.push(causes.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) out.push(causes.notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    const name = (str(spec.externalName) ?? '').replace(/\.$/, '');
    if (!name) out.push(causes.required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(name)) out.push(causes.invalid('spec.externalName', spec.externalName, m));
  }
  out.push(...validateClusterIPs(spec));
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  list.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    out.push(...validatePort(p, path, list.length > 1, names));
    const key = `${String(p.protocol)}/${String(p.port)}`;
    if (seenPorts.has(key)) out.push({ reason: 'FieldValueDuplicate', field: path, message: `Duplicate value: ${goServicePortKey(String(p.protocol), num(p.port) ?? 0)}` });
    seenPorts.add(key);
    const nodePort = num(p.nodePort) ?? 0;
    if (nodePort !== 0) {
      if (type === 'ClusterIP') out.push(causes.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      const npKey = `${String(p.protocol)}/${nodePort}`;
      if (seenNodePorts.has(npKey)) out.push(causes.duplicate(`${path}.nodePort`, nodePort));
      seenNodePorts.add(npKey);
    }
  });
  if (spec.selector !== undefined && type !== 'ExternalName') out.push(...validateLabels(strMap(spec.selector), 'spec.selector'));
  const affinity = str(spec.sessionAffinity) ?? '';
  if (!affinity) out.push(causes.required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(affinity)) out.push(causes.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const timeout = num(rec(rec(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds) ?? 0;
    if (timeout <= 0 || timeout > 86400) {
      out.push(causes.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined) {
    out.push(causes.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  arr(spec.externalIPs).forEach((ip, i) => {
    if (isIP(String(ip)) === 0) out.push(causes.invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  const etp = str(spec.externalTrafficPolicy) ?? '';
  if (!externallyAccessible(spec)) {
    if (etp) out.push(causes.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) out.push(causes.required('spec.externalTrafficPolicy'));
  else if (!TRAFFIC_POLICIES.includes(etp)) out.push(causes.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  const itp = str(spec.internalTrafficPolicy) ?? '';
  if (type !== 'ExternalName') {
    if (!itp) out.push(causes.required('spec.internalTrafficPolicy'));
    else if (!TRAFFIC_POLICIES.includes(itp)) out.push(causes.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  const policy = str(spec.ipFamilyPolicy);
  if (policy !== undefined && !IP_FAMILY_POLICIES.includes(policy)) out.push(causes.notSupported('spec.ipFamilyPolicy', policy, IP_FAMILY_POLICIES));
  arr(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') out.push(causes.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  return out;
}

/** ValidateServiceUpdate: allocated cluster IPs never change unless ExternalName is involved. */
function validateServiceUpdate(spec: Json, old: Json): StatusCause[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  const now = arr(spec.clusterIPs);
  const before = arr(old.clusterIPs);
  const out: StatusCause[] = [];
  before.forEach((ip, i) => {
    if (i < now.length && now[i] !== ip) out.push({ reason: 'FieldValueInvalid', field: `spec.clusterIPs[${i}]`, message: `Invalid value: ${goStrings(now)}: may not change once set` });
  });
  if (before.length > 0 && now.length === 0) out.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${goStrings(now)}: primary clusterIP can not be unset` });
  return out;
}

export function validateService(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const name = o.metadata?.name ?? '';
  if (name && isDNS1123Subdomain(name).length === 0 && !DNS1035_RE.test(name)) {
    out.push(causes.invalid('metadata.name', name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
  }
  const spec = rec(o.spec) ?? {};
  if (old) out.push(...validateServiceUpdate(spec, rec(old.spec) ?? {}));
  out.push(...validateServiceSpec(spec));
  return out;
}

// --- printing (printService) ---------------------------------------------------

function portsText(spec: Json): string {
  const text = ports(spec)
    .map((p) => (num(p.nodePort) ? `${String(p.port)}:${String(p.nodePort)}/${String(p.protocol)}` : `${String(p.port)}/${String(p.protocol)}`))
    .join(',');
  return text || '<none>';
}

function externalIPText(o: KubeObject): string {
  const spec = recAt(o, 'spec');
  const external = arr(spec.externalIPs).map(String);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = recs(recAt(o, 'status', 'loadBalancer'), 'ingress').map((i) => strAt(i, 'ip') || strAt(i, 'hostname')).filter(Boolean);
      const all = [...lb, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return strAt(spec, 'externalName');
    default:
      return '<unknown>';
  }
}

const specDoc = (field: string): string => SERVICE_SCHEMAS[CORE + 'ServiceSpec'].properties![field].description!;

export const serviceStrategy: KindStrategy = {
  info: resourceInfo({
    group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    subresources: [statusSubresource({ kind: 'Service', group: '', version: 'v1' })],
    schemaRef: CORE + 'Service',
  }),
  schemas: SERVICE_SCHEMAS,
  defaults: defaultService,
  prepareForCreate(o) {
    o.status = { loadBalancer: {} };
    normalizeClusterIPs(specOf(o));
  },
  prepareForUpdate(o, old, subresource) {
    if (subresource === 'status') return;
    const spec = specOf(o);
    const oldSpec = rec(old.spec) ?? {};
    normalizeClusterIPs(spec, oldSpec);
    patchAllocatedValues(spec, oldSpec);
    dropTypeDependentFields(spec, oldSpec);
  },
  validate: validateService,
  returnDeletedObject: true, // kube's registry sets ReturnDeletedObject
  printer: {
    columns: [
      NAME_COLUMN,
      column('Type', 'string', specDoc('type')),
      column('Cluster-IP', 'string', specDoc('clusterIP')),
      column('External-IP', 'string', specDoc('externalIPs')),
      column('Port(s)', 'string', specDoc('ports')),
      AGE_COLUMN,
      column('Selector', 'string', specDoc('selector'), 1),
    ],
    print(o, now) {
      const spec = recAt(o, 'spec');
      const ips = arr(spec.clusterIPs);
      return {
        cells: [o.metadata?.name ?? '', strAt(spec, 'type'), ips.length ? String(ips[0]) : '<none>', externalIPText(o), portsText(spec),
          timestampSince(o.metadata?.creationTimestamp, now), labelSelectorFromSet(strMap(spec.selector)).toString() || '<none>'],
      };
    },
  },
  protobuf: ServicePb,
};
