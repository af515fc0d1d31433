// networking.k8s.io/v1 IngressClass (pkg/registry/networking/ingressclass): which controller
// implements a class of Ingresses, cluster-scoped. spec.controller is immutable.

import type { SchemaNode } from '../../schema/types';
import { obj, str, ref, item, arr, gvk, META } from '../../schema/dsl';
import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { IMMUTABLE_MSG, rec, str as text, tooLong } from '../../validation/field-errors';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names';
import { validateDomainPrefixedPath, validateReferenceKindAndName } from '../../validation/network-names';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { type Descriptor, msg, str as pstr } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';
import { NETWORKING } from './ingress-schemas';

const SCHEMAS: Record<string, SchemaNode> = {
  [NETWORKING + 'IngressClass']: obj("IngressClass represents the class of the Ingress, referenced by the Ingress Spec. The `ingressclass.kubernetes.io/is-default-class` annotation can be used to indicate that an IngressClass should be considered default. When a single IngressClass resource has this annotation set to true, new Ingress resources without a class specified will be assigned this default class.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(NETWORKING + 'IngressClassSpec', "spec is the desired state of the IngressClass. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
  }, undefined, gvk('networking.k8s.io', 'v1', 'IngressClass')),
  [NETWORKING + 'IngressClassList']: obj("IngressClassList is a collection of IngressClasses.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(NETWORKING + 'IngressClass'), "items is the list of IngressClasses."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('networking.k8s.io', 'v1', 'IngressClassList')),
  [NETWORKING + 'IngressClassSpec']: obj("IngressClassSpec provides information about the class of an Ingress.", {
    controller: str("controller refers to the name of the controller that should handle this class. This allows for different \"flavors\" that are controlled by the same controller. For example, you may have different parameters for the same implementing controller. This should be specified as a domain-prefixed path no more than 250 characters in length, e.g. \"acme.io/ingress-controller\". This field is immutable."),
    parameters: ref(NETWORKING + 'IngressClassParametersReference', "parameters is a link to a custom resource containing additional configuration for the controller. This is optional if the controller does not require extra parameters."),
  }),
  [NETWORKING + 'IngressClassParametersReference']: obj("IngressClassParametersReference identifies an API object. This can be used to specify a cluster or namespace-scoped resource.", {
    apiGroup: str("apiGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required."),
    kind: str("kind is the type of resource being referenced."),
    name: str("name is the name of resource being referenced."),
    namespace: str("namespace is the namespace of the resource being referenced. This field is required when scope is set to \"Namespace\" and must be unset when scope is set to \"Cluster\"."),
    scope: str("scope represents if this refers to a cluster or namespace scoped resource. This may be set to \"Cluster\" (default) or \"Namespace\"."),
  }, ['kind','name']),
};

const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ['Cluster', 'Namespace'];

/** validateIngressClassParametersReference. */
function validateParameters(params: Record<string, unknown>): StatusCause[] {
  const out: StatusCause[] = [];
  const path = 'spec.parameters';
  const apiGroup = text(params.apiGroup);
  if (apiGroup !== undefined) for (const m of isDNS1123Subdomain(apiGroup)) out.push(causes.invalid(`${path}.apiGroup`, apiGroup, m));
  out.push(...validateReferenceKindAndName(params, path));
  const scope = text(params.scope);
  if (scope === undefined) return [...out, causes.required(`${path}.scope`)];
  const namespace = text(params.namespace);
  if (!SCOPES.includes(scope)) out.push(causes.notSupported(`${path}.scope`, scope, SCOPES));
  else if (scope === 'Namespace') {
    if (namespace === undefined) out.push(causes.required(`${path}.namespace`, "Required value: `parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Label(namespace)) out.push(causes.invalid(`${path}.namespace`, namespace, m));
  } else if (namespace !== undefined) out.push(causes.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return out;
}

/** ValidateIngressClass / ValidateIngressClassUpdate. */
export function validateIngressClass(ic: KubeObject, old?: KubeObject): StatusCause[] {
  const spec = rec(ic.spec) ?? {};
  const out: StatusCause[] = [];
  const controller = text(spec.controller) ?? '';
  if (controller.length > MAX_CONTROLLER_LENGTH) out.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  out.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  const params = rec(spec.parameters);
  if (params) out.push(...validateParameters(params));
  if (old && controller !== (text(rec(old.spec)?.controller) ?? '')) out.push(causes.invalid('spec.controller', controller, IMMUTABLE_MSG));
  return out;
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  print: (ic, now) => {
    const spec = rec(ic.spec) ?? {};
    const params = rec(spec.parameters);
    let parameters = '<none>';
    if (params) {
      const apiGroup = text(params.apiGroup);
      parameters = `${text(params.kind) ?? ''}${apiGroup !== undefined ? `.${apiGroup}` : ''}/${text(params.name) ?? ''}`;
    }
    return { cells: [ic.metadata?.name ?? '', text(spec.controller) ?? '', parameters, timestampSince(ic.metadata?.creationTimestamp, now)] };
  },
};

// ---- protobuf (staging/src/k8s.io/api/networking/v1/generated.proto) ----
export const IngressClassProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => ({
    1: pstr('controller'),
    2: msg('parameters', () => ({ 1: pstr('apiGroup', true), 2: pstr('kind', true), 3: pstr('name', true), 4: pstr('scope', true), 5: pstr('namespace', true) })),
  })),
};

export const ingressClassStrategy: KindStrategy = {
  info: resourceInfo({ group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', singular: 'ingressclass', kind: 'IngressClass',
    namespaced: false, schemaRef: NETWORKING + 'IngressClass' }),
  schemas: SCHEMAS,
  // SetDefaults_IngressClass: parameters without a scope refer to a cluster-scoped object.
  defaults(ic) {
    const params = rec(rec(ic.spec)?.parameters);
    if (params && (params.scope === undefined || params.scope === null)) params.scope = 'Cluster';
  },
  validate: validateIngressClass,
  generation: true,
  printer,
  protobuf: IngressClassProto,
};
