// core/v1 Endpoints (pkg/registry/core/endpoint): stored as written (the endpoints controller
// comes with the controllers' issue), validated like ValidateEndpoints, printEndpoints.
import { isIP } from 'node:net';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { recs, str as strAt, num as numAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { arr, atomic, gvk, int32, item, obj, ref, str, CORE } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { arr as arrOf, num, rec, str as strOf } from '../../validation/field-errors';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum } from '../../validation/names';
import { listSchema, typeAndObjectMeta } from './object-schemas';

const SUBSETS_DOC = 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.';

const schemas: Record<string, SchemaNode> = {
  [CORE + 'Endpoints']: obj('Endpoints is a collection of endpoints that implement the actual service.', {
    ...typeAndObjectMeta(),
    subsets: arr(item(CORE + 'EndpointSubset'), SUBSETS_DOC, atomic),
  }, undefined, gvk('', 'v1', 'Endpoints')),
  ...listSchema('Endpoints', 'EndpointsList is a list of endpoints.', 'List of endpoints.'),
  [CORE + 'EndpointSubset']: obj('EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports.', {
    addresses: arr(item(CORE + 'EndpointAddress'), 'IP addresses which offer the related ports that are marked as ready. These endpoints should be considered safe for load balancers and clients to utilize.', atomic),
    notReadyAddresses: arr(item(CORE + 'EndpointAddress'), 'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.', atomic),
    ports: arr(item(CORE + 'EndpointPort'), 'Port numbers available on the related IP addresses.', atomic),
  }),
  [CORE + 'EndpointAddress']: obj('EndpointAddress is a tuple that describes single IP address.', {
    hostname: str('The Hostname of this endpoint'),
    ip: str('The IP of this endpoint. May not be loopback (127.0.0.0/8 or ::1), link-local (169.254.0.0/16 or fe80::/10), or link-local multicast (224.0.0.0/24 or ff02::/16).'),
    nodeName: str('Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.'),
    targetRef: ref(CORE + 'ObjectReference', 'Reference to object providing the endpoint.'),
  }, ['ip'], { 'x-kubernetes-map-type': 'atomic' }),
  [CORE + 'EndpointPort']: obj('EndpointPort is a tuple that describes a single port.', {
    appProtocol: str('The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand.'),
    name: str("The name of this port.  This must match the 'name' field in the corresponding ServicePort. Must be a DNS_LABEL. Optional only if one port is defined."),
    port: int32('The port number of the endpoint.'),
    protocol: str('The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.', { enum: ['SCTP', 'TCP', 'UDP'] }),
  }, ['port'], { 'x-kubernetes-map-type': 'atomic' }),
};

function validateAddress(a: Record<string, unknown>, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const ip = strOf(a.ip) ?? '';
  if (isIP(ip) === 0) out.push(causes.invalid(`${path}.ip`, ip, 'must be a valid IP address'));
  else if (/^127\./.test(ip) || ip === '::1') out.push(causes.invalid(`${path}.ip`, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const hostname = strOf(a.hostname);
  if (hostname) for (const m of isDNS1123Label(hostname)) out.push(causes.invalid(`${path}.hostname`, hostname, m));
  const node = strOf(a.nodeName);
  if (node) for (const m of isDNS1123Subdomain(node)) out.push(causes.invalid(`${path}.nodeName`, node, m));
  return out;
}

/** ValidateEndpoints: addresses are IPs, ports are named when there are several, protocols known. */
export function validateEndpoints(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  arrOf(o.subsets).forEach((s, i) => {
    const subset = rec(s) ?? {};
    const path = `subsets[${i}]`;
    const addresses = arrOf(subset.addresses);
    const notReady = arrOf(subset.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) out.push(causes.required(`${path}`, 'Required value: must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => out.push(...validateAddress(rec(a) ?? {}, `${path}.addresses[${j}]`)));
    notReady.forEach((a, j) => out.push(...validateAddress(rec(a) ?? {}, `${path}.notReadyAddresses[${j}]`)));
    const ports = arrOf(subset.ports);
    const names = new Set<string>();
    ports.forEach((p, j) => {
      const port = rec(p) ?? {};
      const ppath = `${path}.ports[${j}]`;
      const name = strOf(port.name) ?? '';
      if (ports.length > 1 && !name) out.push(causes.required(`${ppath}.name`));
      else if (name) {
        for (const m of isDNS1123Label(name)) out.push(causes.invalid(`${ppath}.name`, name, m));
        if (names.has(name)) out.push(causes.duplicate(`${ppath}.name`, name));
        names.add(name);
      }
      for (const m of isValidPortNum(num(port.port) ?? 0)) out.push(causes.invalid(`${ppath}.port`, num(port.port) ?? 0, m));
      const protocol = strOf(port.protocol) ?? '';
      if (!protocol) out.push(causes.required(`${ppath}.protocol`));
      else if (!['SCTP', 'TCP', 'UDP'].includes(protocol)) out.push(causes.notSupported(`${ppath}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return out;
}

/** formatEndpoints: ip:port for each address and port, three at most then "+ N more...". */
export function formatEndpoints(o: KubeObject): string {
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of recs(o, 'subsets')) {
    const addresses = recs(ss, 'addresses');
    const ports = recs(ss, 'ports');
    const hostPort = (ip: string, port?: number) => (port === undefined ? ip : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
    for (const port of ports.length ? ports : [undefined]) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(strAt(a, 'ip'), port ? numAt(port, 'port') : undefined));
      }
    }
  }
  const text = list.join(',');
  if (more) return `${text} + ${count - max} more...`;
  return text || '<none>';
}

export const endpointsStrategy: KindStrategy = {
  info: resourceInfo({ group: '', version: 'v1', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'], schemaRef: CORE + 'Endpoints' }),
  schemas,
  defaults(o) {
    // SetDefaults_EndpointPort.
    for (const s of arrOf(o.subsets)) for (const p of arrOf(rec(s)?.ports)) { const port = rec(p); if (port && !port.protocol) port.protocol = 'TCP'; }
  },
  validate: validateEndpoints,
  printer: {
    columns: [NAME_COLUMN, column('Endpoints', 'string', SUBSETS_DOC), AGE_COLUMN],
    print: (o, now) => ({ cells: [o.metadata?.name ?? '', formatEndpoints(o), timestampSince(o.metadata?.creationTimestamp, now)] }),
  },
};
