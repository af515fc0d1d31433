// networking.k8s.io/v1 NetworkPolicy (pkg/registry/networking/networkpolicy): which traffic
// may reach and leave the selected pods. policyTypes default from the rules present.

import type { SchemaNode } from '../../schema/types';
import { obj, str, int32, ref, item, arr, strArr, gvk, META, INT_OR_STRING } from '../../schema/dsl';
import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { arr as list, invalidRendered, rec, str as text, type Json } from '../../validation/field-errors';
import { isValidPortName, isValidPortNum } from '../../validation/names';
import { validateLabelSelector } from '../../validation/metadata';
import { isStrictSubnet, parseCIDR, validateCIDR } from '../../validation/network-names';
import { formatLabelSelector, type LabelSelectorObject } from '../../selectors/labels';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { type Descriptor, int, intstr, msg, msgs, str as pstr, strs } from '../../protobuf/decode';
import { LabelSelector, ObjectMeta } from '../../protobuf/meta';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';
import { NETWORKING } from './ingress-schemas';

const SCHEMAS: Record<string, SchemaNode> = {
  [NETWORKING + 'NetworkPolicy']: obj("NetworkPolicy describes what network traffic is allowed for a set of Pods", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(NETWORKING + 'NetworkPolicySpec', "spec represents the specification of the desired behavior for this NetworkPolicy."),
  }, undefined, gvk('networking.k8s.io', 'v1', 'NetworkPolicy')),
  [NETWORKING + 'NetworkPolicyList']: obj("NetworkPolicyList is a list of NetworkPolicy objects.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(NETWORKING + 'NetworkPolicy'), "items is a list of schema objects."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('networking.k8s.io', 'v1', 'NetworkPolicyList')),
  [NETWORKING + 'NetworkPolicySpec']: obj("NetworkPolicySpec provides the specification of a NetworkPolicy", {
    egress: arr(item(NETWORKING + 'NetworkPolicyEgressRule'), "egress is a list of egress rules to be applied to the selected pods. Outgoing traffic is allowed if there are no NetworkPolicies selecting the pod (and cluster policy otherwise allows the traffic), OR if the traffic matches at least one egress rule across all of the NetworkPolicy objects whose podSelector matches the pod.", { 'x-kubernetes-list-type': 'atomic' }),
    ingress: arr(item(NETWORKING + 'NetworkPolicyIngressRule'), "ingress is a list of ingress rules to be applied to the selected pods. Traffic is allowed to a pod if there are no NetworkPolicies selecting the pod (and cluster policy otherwise allows the traffic), OR if the traffic source is the pod's local node, OR if the traffic matches at least one ingress rule across all of the NetworkPolicy objects whose podSelector matches the pod.", { 'x-kubernetes-list-type': 'atomic' }),
    podSelector: ref(META + 'LabelSelector', "podSelector selects the pods to which this NetworkPolicy object applies. The array of rules is applied to any pods selected by this field. An empty selector matches all pods in the policy's namespace. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is optional. If it is not specified, it defaults to an empty selector."),
    policyTypes: strArr("policyTypes is a list of rule types that the NetworkPolicy relates to. Valid options are [\"Ingress\"], [\"Egress\"], or [\"Ingress\", \"Egress\"]. If this field is not specified, it will default based on the existence of ingress or egress rules; policies that contain an egress section are assumed to affect egress, and all policies (whether or not they contain an ingress section) are assumed to affect ingress.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'NetworkPolicyIngressRule']: obj("NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector. The traffic must match both ports and from.", {
    from: arr(item(NETWORKING + 'NetworkPolicyPeer'), "from is a list of sources which should be able to access the pods selected for this rule. Items in this list are combined using a logical OR operation. If this field is empty or missing, this rule matches all sources (traffic not restricted by source). If this field is present and contains at least one item, this rule allows traffic only if the traffic matches at least one item in the from list.", { 'x-kubernetes-list-type': 'atomic' }),
    ports: arr(item(NETWORKING + 'NetworkPolicyPort'), "ports is a list of ports which should be made accessible on the pods selected for this rule. Each item in this list is combined using a logical OR. If this field is empty or missing, this rule matches all ports (traffic not restricted by port). If this field is present and contains at least one item, then this rule allows traffic only if the traffic matches at least one port in the list.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'NetworkPolicyEgressRule']: obj("NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector. The traffic must match both ports and to. This type is beta-level in 1.8", {
    ports: arr(item(NETWORKING + 'NetworkPolicyPort'), "ports is a list of destination ports for outgoing traffic. Each item in this list is combined using a logical OR. If this field is empty or missing, this rule matches all ports (traffic not restricted by port). If this field is present and contains at least one item, then this rule allows traffic only if the traffic matches at least one port in the list.", { 'x-kubernetes-list-type': 'atomic' }),
    to: arr(item(NETWORKING + 'NetworkPolicyPeer'), "to is a list of destinations for outgoing traffic of pods selected for this rule. Items in this list are combined using a logical OR operation. If this field is empty or missing, this rule matches all destinations (traffic not restricted by destination). If this field is present and contains at least one item, this rule allows traffic only if the traffic matches at least one item in the to list.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'NetworkPolicyPeer']: obj("NetworkPolicyPeer describes a peer to allow traffic to/from. Only certain combinations of fields are allowed", {
    ipBlock: ref(NETWORKING + 'IPBlock', "ipBlock defines policy on a particular IPBlock. If this field is set then neither of the other fields can be."),
    namespaceSelector: ref(META + 'LabelSelector', "namespaceSelector selects namespaces using cluster-scoped labels. This field follows standard label selector semantics; if present but empty, it selects all namespaces. If podSelector is also set, then the NetworkPolicyPeer as a whole selects the pods matching podSelector in the namespaces selected by namespaceSelector. Otherwise it selects all pods in the namespaces selected by namespaceSelector."),
    podSelector: ref(META + 'LabelSelector', "podSelector is a label selector which selects pods. This field follows standard label selector semantics; if present but empty, it selects all pods. If namespaceSelector is also set, then the NetworkPolicyPeer as a whole selects the pods matching podSelector in the Namespaces selected by NamespaceSelector. Otherwise it selects the pods matching podSelector in the policy's own namespace."),
  }),
  [NETWORKING + 'NetworkPolicyPort']: obj("NetworkPolicyPort describes a port to allow traffic on", {
    endPort: int32("endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy. This field cannot be defined if the port field is not defined or if the port field is defined as a named (string) port. The endPort must be equal or greater than port."),
    port: ref(INT_OR_STRING, "port represents the port on the given protocol. This can either be a numerical or named port on a pod. If this field is not provided, this matches all port names and numbers. If present, only traffic on the specified protocol AND port will be matched."),
    protocol: str("protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP."),
  }),
  [NETWORKING + 'IPBlock']: obj("IPBlock describes a particular CIDR (Ex. \"192.168.1.0/24\",\"2001:db8::/64\") that is allowed to the pods matched by a NetworkPolicySpec's podSelector. The except entry describes CIDRs that should not be included within this rule.", {
    cidr: str("cidr is a string representing the IPBlock Valid examples are \"192.168.1.0/24\" or \"2001:db8::/64\""),
    except: strArr("except is a slice of CIDRs that should not be included within an IPBlock Valid examples are \"192.168.1.0/24\" or \"2001:db8::/64\" Except values will be rejected if they are outside the cidr range", { 'x-kubernetes-list-type': 'atomic' }),
  }, ['cidr']),
};

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

/** ValidateNetworkPolicyPort. */
function validatePort(port: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const protocol = text(port.protocol);
  if (protocol !== undefined && !PROTOCOLS.includes(protocol)) out.push(causes.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  const endPort = typeof port.endPort === 'number' ? port.endPort : undefined;
  if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) out.push(causes.invalid(`${path}.port`, port.port, m));
    if (endPort !== undefined) {
      if (endPort < port.port) out.push(causes.invalid(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(endPort)) out.push(causes.invalid(`${path}.endPort`, endPort, m));
    }
  } else if (typeof port.port === 'string') {
    if (endPort !== undefined) out.push(causes.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    for (const m of isValidPortName(port.port)) out.push(causes.invalid(`${path}.port`, port.port, m));
  } else if (endPort !== undefined) {
    out.push(causes.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  }
  return out;
}

/** ValidateIPBlock: a CIDR and strictly narrower exceptions inside it. */
function validateIPBlock(block: Json, path: string): StatusCause[] {
  const cidr = text(block.cidr) ?? '';
  if (!cidr) return [causes.required(`${path}.cidr`)];
  const out = validateCIDR(cidr, `${path}.cidr`);
  const outer = parseCIDR(cidr);
  if (!outer) return out;
  list(block.except).forEach((e, i) => {
    const except = text(e) ?? '';
    const field = `${path}.except[${i}]`;
    const errs = validateCIDR(except, field);
    out.push(...errs);
    const inner = parseCIDR(except);
    if (inner && !isStrictSubnet(inner, outer)) out.push(causes.invalid(field, except, 'must be a strict subset of `cidr`'));
  });
  return out;
}

/** ValidateNetworkPolicyPeer: one of the selectors, or an ipBlock alone. */
function validatePeer(peer: Json, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  let peers = 0;
  for (const key of ['podSelector', 'namespaceSelector']) {
    const sel = rec(peer[key]);
    if (!sel) continue;
    peers++;
    out.push(...validateLabelSelector(sel, `${path}.${key}`));
  }
  const ipBlock = rec(peer.ipBlock);
  if (ipBlock) {
    peers++;
    out.push(...validateIPBlock(ipBlock, `${path}.ipBlock`));
  }
  if (peers === 0) out.push(causes.required(path, 'Required value: must specify a peer'));
  else if (peers > 1 && ipBlock) out.push(causes.forbidden(path, 'may not specify both ipBlock and another peer'));
  return out;
}

function validateRules(rules: unknown[], kind: 'ingress' | 'egress'): StatusCause[] {
  const peersKey = kind === 'ingress' ? 'from' : 'to';
  const out: StatusCause[] = [];
  rules.forEach((r, i) => {
    const rule = rec(r) ?? {};
    const path = `spec.${kind}[${i}]`;
    list(rule.ports).forEach((p, j) => out.push(...validatePort(rec(p) ?? {}, `${path}.ports[${j}]`)));
    list(rule[peersKey]).forEach((p, j) => out.push(...validatePeer(rec(p) ?? {}, `${path}.${peersKey}[${j}]`)));
  });
  return out;
}

/** ValidateNetworkPolicySpec. */
export function validateNetworkPolicy(np: KubeObject): StatusCause[] {
  const spec = rec(np.spec) ?? {};
  const out: StatusCause[] = [...validateLabelSelector(rec(spec.podSelector) ?? {}, 'spec.podSelector')];
  out.push(...validateRules(list(spec.ingress), 'ingress'), ...validateRules(list(spec.egress), 'egress'));
  const types = list(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    const rendered = `[]networking.PolicyType{${types.map((t) => JSON.stringify(String(t))).join(', ')}}`;
    return [...out, invalidRendered('spec.policyTypes', rendered, 'may not specify more than two policyTypes')];
  }
  types.forEach((t, i) => {
    if (typeof t !== 'string' || !POLICY_TYPES.includes(t)) out.push(causes.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return out;
}

/** SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort. */
function defaultNetworkPolicy(np: KubeObject): void {
  const spec = rec(np.spec);
  if (!spec) return;
  if (list(spec.policyTypes).length === 0) {
    spec.policyTypes = list(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...list(spec.ingress), ...list(spec.egress)]) {
    for (const p of list(rec(rule)?.ports)) {
      const port = rec(p);
      if (port && (port.protocol === undefined || port.protocol === null)) port.protocol = 'TCP';
    }
  }
}

const printer: Printer = {
  columns: [
    NAME_COLUMN,
    column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field.'),
    AGE_COLUMN,
  ],
  print: (np, now) => {
    const selector = rec(rec(np.spec)?.podSelector) as LabelSelectorObject | undefined;
    return { cells: [np.metadata?.name ?? '', formatLabelSelector(selector ?? {}), timestampSince(np.metadata?.creationTimestamp, now)] };
  },
};

// ---- protobuf (staging/src/k8s.io/api/networking/v1/generated.proto) ----
const NetworkPolicyPort: Descriptor = { 1: pstr('protocol', true), 2: intstr('port'), 3: int('endPort', true) };
const NetworkPolicyPeer: Descriptor = {
  1: msg('podSelector', () => LabelSelector),
  2: msg('namespaceSelector', () => LabelSelector),
  3: msg('ipBlock', () => ({ 1: pstr('cidr', true), 2: strs('except') })),
};
export const NetworkPolicyProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => ({
    1: msg('podSelector', () => LabelSelector),
    2: msgs('ingress', () => ({ 1: msgs('ports', () => NetworkPolicyPort), 2: msgs('from', () => NetworkPolicyPeer) })),
    3: msgs('egress', () => ({ 1: msgs('ports', () => NetworkPolicyPort), 2: msgs('to', () => NetworkPolicyPeer) })),
    4: strs('policyTypes'),
  })),
};

export const networkPolicyStrategy: KindStrategy = {
  info: resourceInfo({ group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy',
    namespaced: true, shortNames: ['netpol'], schemaRef: NETWORKING + 'NetworkPolicy' }),
  schemas: SCHEMAS,
  defaults: defaultNetworkPolicy,
  validate: validateNetworkPolicy,
  generation: true,
  printer,
  protobuf: NetworkPolicyProto,
};
