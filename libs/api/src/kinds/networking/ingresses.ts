// networking.k8s.io/v1 Ingress (pkg/registry/networking/ingress): HTTP routing rules to
// Service backends. Validation follows pkg/apis/networking/validation (ValidateIngressCreate,
// ValidateIngressUpdate, ValidateIngressStatusUpdate); status is written through /status.

import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import { arr as list, invalidRendered, num, rec, str as text, type Json } from '../../validation/field-errors';
import { isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../validation/names';
import { isDNS1035Label, isWildcardDNS1123Subdomain, looksLikeIP, validateReferenceKindAndName } from '../../validation/network-names';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { type Descriptor, inline, int, msg, msgs, str, strs } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { INGRESS_SCHEMAS, NETWORKING } from './ingress-schemas';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** validateIngressTypedLocalObjectReference: a backend `resource` in the Ingress's namespace. */
function validateResourceBackend(ref: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const apiGroup = text(ref.apiGroup);
  if (apiGroup !== undefined) for (const m of isDNS1123Subdomain(apiGroup)) out.push(causes.invalid(`${path}.apiGroup`, apiGroup, m));
  out.push(...validateReferenceKindAndName(ref, path));
  return out;
}

/** validateIngressBackend: exactly one of service (name + port name xor number) and resource. */
export function validateIngressBackend(backend: Json, path: string): StatusCause[] {
  const service = rec(backend.service);
  const resource = rec(backend.resource);
  if (service && resource) return [causes.invalid(path, '', 'cannot set both resource and service backends')];
  if (resource) return validateResourceBackend(resource, `${path}.resource`);
  if (!service) return [causes.invalid(path, '', 'resource or service backend is required')];
  const out: StatusCause[] = [];
  const name = text(service.name) ?? '';
  if (!name) out.push(causes.required(`${path}.service.name`));
  else for (const m of isDNS1035Label(name)) out.push(causes.invalid(`${path}.service.name`, name, m));
  const port = rec(service.port) ?? {};
  const portName = text(port.name) ?? '';
  const portNumber = num(port.number) ?? 0;
  if (portName && portNumber) out.push(causes.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) out.push(causes.invalid(`${path}.service.port.name`, portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) out.push(causes.invalid(`${path}.service.port.number`, portNumber, m));
  else out.push(causes.required(path, 'Required value: port name or number is required'));
  return out;
}

function validateHTTPIngressPath(p: Json, path: string): StatusCause[] {
  const pathType = text(p.pathType);
  if (pathType === undefined) return [causes.required(`${path}.pathType`, 'Required value: pathType must be specified')];
  const out: StatusCause[] = [];
  const value = text(p.path) ?? '';
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) out.push(causes.invalid(`${path}.path`, value, 'must be an absolute path'));
    if (value) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) out.push(causes.invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) out.push(causes.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) out.push(causes.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    out.push(causes.notSupported(`${path}.pathType`, pathType, PATH_TYPES));
  }
  out.push(...validateIngressBackend(rec(p.backend) ?? {}, `${path}.backend`));
  return out;
}

/** A host that is not an IP, either `*.example.com` or a DNS subdomain. */
function validateHost(host: string, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (looksLikeIP(host)) out.push(causes.invalid(field, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  for (const m of msgs) out.push(causes.invalid(field, host, m));
  return out;
}

function validateRules(rules: unknown[]): StatusCause[] {
  const out: StatusCause[] = [];
  rules.forEach((r, i) => {
    const rule = rec(r) ?? {};
    const path = `spec.rules[${i}]`;
    const host = text(rule.host) ?? '';
    if (host) out.push(...validateHost(host, `${path}.host`));
    const http = rec(rule.http);
    if (!http) return;
    const paths = list(http.paths);
    if (paths.length === 0) out.push(causes.required(`${path}.http.paths`));
    paths.forEach((p, j) => out.push(...validateHTTPIngressPath(rec(p) ?? {}, `${path}.http.paths[${j}]`)));
  });
  return out;
}

function validateTLS(tls: unknown[]): StatusCause[] {
  const out: StatusCause[] = [];
  tls.forEach((t, i) => {
    const entry = rec(t) ?? {};
    list(entry.hosts).forEach((h, j) => {
      const host = text(h) ?? '';
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) out.push(causes.invalid(`spec.tls[${i}].hosts[${j}]`, host, m));
    });
    const secretName = text(entry.secretName) ?? '';
    if (secretName) for (const m of isDNS1123Subdomain(secretName)) out.push(causes.invalid(`spec.tls[${i}].secretName`, secretName, m));
  });
  return out;
}

/** ValidateIngressLoadBalancerStatus: addresses a controller reports must be IPs or DNS names. */
function validateLoadBalancerStatus(status: Json): StatusCause[] {
  const out: StatusCause[] = [];
  list(rec(status.loadBalancer)?.ingress).forEach((item, i) => {
    const ingress = rec(item) ?? {};
    const path = `status.loadBalancer.ingress[${i}]`;
    const ip = text(ingress.ip) ?? '';
    if (ip && !looksLikeIP(ip)) out.push(causes.invalid(`${path}.ip`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    const hostname = text(ingress.hostname) ?? '';
    if (hostname) {
      for (const m of isDNS1123Subdomain(hostname)) out.push(causes.invalid(`${path}.hostname`, hostname, m));
      if (looksLikeIP(hostname)) out.push(causes.invalid(`${path}.hostname`, hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return out;
}

/** ValidateIngressSpec plus the create-only annotation check and the status rules. */
export function validateIngress(ingress: KubeObject, old?: KubeObject): StatusCause[] {
  const spec = rec(ingress.spec) ?? {};
  const out: StatusCause[] = [];
  const rules = list(spec.rules);
  const defaultBackend = rec(spec.defaultBackend);
  if (rules.length === 0 && !defaultBackend) {
    out.push(invalidRendered('spec', '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified'));
  }
  if (defaultBackend) out.push(...validateIngressBackend(defaultBackend, 'spec.defaultBackend'));
  out.push(...validateRules(rules), ...validateTLS(list(spec.tls)));
  const className = text(spec.ingressClassName);
  if (className !== undefined) for (const m of isDNS1123Subdomain(className)) out.push(causes.invalid('spec.ingressClassName', className, m));
  const annotation = ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (!old && annotation !== undefined && className !== undefined && annotation !== className) {
    out.push(causes.invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  }
  out.push(...validateLoadBalancerStatus(rec(ingress.status) ?? {}));
  return out;
}

/** formatHosts: up to three hosts, `*` when no rule names one. */
function formatHosts(rules: unknown[]): string {
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === max) more = true;
    const host = text(rec(r)?.host) ?? '';
    if (!more && host) hosts.push(host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

/** ingressLoadBalancerStatusStringer (wide: servers print every column unclipped). */
function formatAddress(status: Json): string {
  const set = new Set<string>();
  for (const item of list(rec(status.loadBalancer)?.ingress)) {
    const ingress = rec(item) ?? {};
    const address = text(ingress.ip) || text(ingress.hostname);
    if (address) set.add(address);
  }
  return [...set].sort().join(',');
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  print: (ingress, now) => {
    const spec = rec(ingress.spec) ?? {};
    return {
      cells: [
        ingress.metadata?.name ?? '',
        text(spec.ingressClassName) ?? '<none>',
        formatHosts(list(spec.rules)),
        formatAddress(rec(ingress.status) ?? {}),
        list(spec.tls).length > 0 ? '80, 443' : '80',
        timestampSince(ingress.metadata?.creationTimestamp, now),
      ],
    };
  },
};

// ---- protobuf (staging/src/k8s.io/api/networking/v1/generated.proto) ----
const TypedLocalObjectReference: Descriptor = { 1: str('apiGroup', true), 2: str('kind', true), 3: str('name', true) };
const ServiceBackendPort: Descriptor = { 1: str('name'), 2: int('number') };
const IngressServiceBackend: Descriptor = { 1: str('name', true), 2: msg('port', () => ServiceBackendPort) };
const IngressBackend: Descriptor = { 3: msg('resource', () => TypedLocalObjectReference), 4: msg('service', () => IngressServiceBackend) };
const HTTPIngressPath: Descriptor = { 1: str('path'), 2: msg('backend', () => IngressBackend), 3: str('pathType', true) };
const HTTPIngressRuleValue: Descriptor = { 1: msgs('paths', () => HTTPIngressPath) };
const IngressRuleValue: Descriptor = { 1: msg('http', () => HTTPIngressRuleValue) };
const IngressRule: Descriptor = { 1: str('host'), 2: inline(() => IngressRuleValue) };
const IngressTLS: Descriptor = { 1: strs('hosts'), 2: str('secretName') };
const IngressSpec: Descriptor = {
  1: msg('defaultBackend', () => IngressBackend),
  2: msgs('tls', () => IngressTLS),
  3: msgs('rules', () => IngressRule),
  4: str('ingressClassName', true),
};
const IngressPortStatus: Descriptor = { 1: int('port', true), 2: str('protocol', true), 3: str('error', true) };
const IngressLoadBalancerIngress: Descriptor = { 1: str('ip'), 2: str('hostname'), 4: msgs('ports', () => IngressPortStatus) };
const IngressLoadBalancerStatus: Descriptor = { 1: msgs('ingress', () => IngressLoadBalancerIngress) };
const IngressStatus: Descriptor = { 1: msg('loadBalancer', () => IngressLoadBalancerStatus) };
export const IngressProto: Descriptor = { 1: msg('metadata', () => ObjectMeta), 2: msg('spec', () => IngressSpec), 3: msg('status', () => IngressStatus) };

export const ingressStrategy: KindStrategy = {
  info: resourceInfo({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true,
    shortNames: ['ing'], subresources: [statusSubresource({ kind: 'Ingress', group: 'networking.k8s.io', version: 'v1' })], schemaRef: NETWORKING + 'Ingress' }),
  schemas: INGRESS_SCHEMAS,
  prepareForCreate(ingress) {
    ingress.status = { loadBalancer: {} };
  },
  validate: validateIngress,
  generation: true,
  printer,
  protobuf: IngressProto,
};
