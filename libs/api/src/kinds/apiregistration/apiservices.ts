// apiregistration.k8s.io/v1 APIService (kube-aggregator's pkg/apis/apiregistration): a group
// version served by another server behind the gateway (spec.service), e.g. v1beta1.metrics.k8s.io
// from services/metrics-server. The gateway proxies that group's paths to the service's
// endpoints (services/api-gateway/src/aggregation/). Cluster-scoped; named <version>.<group>.
import type { SchemaNode } from '../../schema/types';
import { obj, str, ref, item, arr, bool, int32, gvk, META, listMap } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { rec, str as text } from '../../validation/field-errors';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

const V1 = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.';

const SCHEMAS: Record<string, SchemaNode> = {
  [V1 + 'APIService']: obj('APIService represents a server for a particular GroupVersion. Name must be "version.group".', {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(V1 + 'APIServiceSpec', 'Spec contains information for locating and communicating with a server'),
    status: ref(V1 + 'APIServiceStatus', 'Status contains derived information about an API server'),
  }, undefined, gvk('apiregistration.k8s.io', 'v1', 'APIService')),
  [V1 + 'APIServiceList']: obj('APIServiceList is a list of APIService objects.', {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(V1 + 'APIService'), 'Items is the list of APIService'),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('apiregistration.k8s.io', 'v1', 'APIServiceList')),
  [V1 + 'APIServiceSpec']: obj('APIServiceSpec contains information for locating and communicating with a server. Only https is supported, though you are able to disable certificate verification.', {
    caBundle: str('CABundle is a PEM encoded CA bundle which will be used to validate an API server\'s serving certificate. If unspecified, system trust roots on the apiserver are used.', { format: 'byte' }),
    group: str('Group is the API group name this server hosts'),
    groupPriorityMinimum: int32('GroupPriorityMinimum is the priority this group should have at least. Higher priority means that the group is preferred by clients over lower priority ones.'),
    insecureSkipTLSVerify: bool('InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server. This is strongly discouraged.  You should use the CABundle instead.'),
    service: ref(V1 + 'ServiceReference', 'Service is a reference to the service for this API server.  It must communicate on port 443. If the Service is nil, that means the handling for the API groupversion is handled locally on this server.'),
    version: str('Version is the API version this server hosts.  For example, "v1"'),
    versionPriority: int32('VersionPriority controls the ordering of this API version inside of its group.  Must be greater than zero.'),
  }, ['groupPriorityMinimum', 'versionPriority']),
  [V1 + 'ServiceReference']: obj('ServiceReference holds a reference to Service.legacy.k8s.io', {
    name: str('Name is the name of the service'),
    namespace: str('Namespace is the namespace of the service'),
    port: int32('If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).'),
  }),
  [V1 + 'APIServiceStatus']: obj('APIServiceStatus contains derived information about an API server', {
    conditions: arr(item(V1 + 'APIServiceCondition'), 'Current service state of apiService.', { ...listMap('type'), 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' }),
  }),
  [V1 + 'APIServiceCondition']: obj('APIServiceCondition describes the state of an APIService at a particular point', {
    lastTransitionTime: ref(META + 'Time', 'Last time the condition transitioned from one status to another.'),
    message: str('Human-readable message indicating details about last transition.'),
    reason: str('Unique, one-word, CamelCase reason for the condition\'s last transition.'),
    status: str('Status is the status of the condition. Can be True, False, Unknown.'),
    type: str('Type is the type of the condition.'),
  }, ['type', 'status']),
};

/** ValidateAPIService (kube-aggregator pkg/apis/apiregistration/validation). */
export function validateAPIService(o: KubeObject): StatusCause[] {
  const spec = rec(o.spec) ?? {};
  const out: StatusCause[] = [];
  const group = text(spec.group) ?? '';
  const version = text(spec.version) ?? '';
  const name = o.metadata?.name ?? '';
  const want = group ? `${version}.${group}` : version;
  if (name !== want) out.push(causes.invalid('metadata.name', name, `must be ${want}`));
  if (group) for (const m of isDNS1123Subdomain(group)) out.push(causes.invalid('spec.group', group, m));
  if (!version) out.push(causes.required('spec.version'));
  else for (const m of isDNS1123Label(version)) out.push(causes.invalid('spec.version', version, m));
  for (const f of ['groupPriorityMinimum', 'versionPriority'] as const) {
    const v = spec[f];
    const limit = f === 'groupPriorityMinimum' ? 20000 : 1000;
    if (typeof v !== 'number' || v <= 0 || v > limit) out.push(causes.invalid(`spec.${f}`, v, `must be positive and less than ${limit}`));
  }
  const svc = rec(spec.service);
  if (svc) {
    if (!text(svc.namespace)) out.push(causes.required('spec.service.namespace'));
    if (!text(svc.name)) out.push(causes.required('spec.service.name'));
    const port = svc.port;
    if (port !== undefined && (typeof port !== 'number' || port < 1 || port > 65535)) out.push(causes.invalid('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive'));
  }
  return out;
}

/** The Available condition's status, or Local for a group served by the gateway itself. */
function available(o: KubeObject): string {
  const spec = rec(o.spec) ?? {};
  const conds = (Array.isArray(rec(o.status)?.conditions) ? (rec(o.status)!.conditions as unknown[]) : []).map(rec);
  const c = conds.find((x) => x?.type === 'Available');
  if (c) return c.status === 'True' ? 'True' : `${text(c.status) ?? 'Unknown'} (${text(c.reason) ?? ''})`;
  return rec(spec.service) ? 'Unknown' : 'Local';
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    AGE_COLUMN,
  ],
  print: (o, now) => {
    const svc = rec(rec(o.spec)?.service);
    return { cells: [o.metadata?.name ?? '', svc ? `${text(svc.namespace) ?? ''}/${text(svc.name) ?? ''}` : 'Local', available(o), timestampSince(o.metadata?.creationTimestamp, now)] };
  },
};

export const apiServiceStrategy: KindStrategy = {
  info: resourceInfo({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', singular: 'apiservice', kind: 'APIService',
    namespaced: false, schemaRef: V1 + 'APIService' }),
  schemas: SCHEMAS,
  // SetDefaults_ServiceReference: port 443.
  defaults(o) {
    const svc = rec(rec(o.spec)?.service);
    if (svc && (svc.port === undefined || svc.port === null)) svc.port = 443;
  },
  validate: validateAPIService,
  printer,
};
