// core/v1 non-pod descriptors: Namespace, ConfigMap, ServiceAccount, Binding, Event, Node, Service
// (the Service strategy in kinds/core/services.ts serves it; Secret's lives in kinds/core/secrets.ts).

import {
  bool,
  bytesMap,
  type Descriptor,
  int,
  intstr,
  microtime,
  msg,
  msgs,
  quantityMap,
  str,
  strMap,
  strs,
  time,
} from './decode';
import { Condition, ObjectMeta } from './meta';
import { LocalObjectReference } from './pod';

const metadata = msg('metadata', () => ObjectMeta);

export const ObjectReference: Descriptor = {
  1: str('kind'),
  2: str('namespace'),
  3: str('name'),
  4: str('uid'),
  5: str('apiVersion'),
  6: str('resourceVersion'),
  7: str('fieldPath'),
};

const NamespaceCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  4: time('lastTransitionTime'),
  5: str('reason'),
  6: str('message'),
};
export const Namespace: Descriptor = {
  1: metadata,
  2: msg('spec', () => ({ 1: strs('finalizers') })),
  3: msg('status', () => ({ 1: str('phase'), 2: msgs('conditions', () => NamespaceCondition) })),
};

export const ConfigMap: Descriptor = {
  1: metadata,
  2: strMap('data'),
  3: bytesMap('binaryData'),
  4: bool('immutable', true),
};

export const ServiceAccount: Descriptor = {
  1: metadata,
  2: msgs('secrets', () => ObjectReference),
  3: msgs('imagePullSecrets', () => LocalObjectReference),
  4: bool('automountServiceAccountToken', true),
};

export const Binding: Descriptor = { 1: metadata, 2: msg('target', () => ObjectReference) };

const EventSource: Descriptor = { 1: str('component'), 2: str('host') };
export const Event: Descriptor = {
  1: metadata,
  2: msg('involvedObject', () => ObjectReference),
  3: str('reason'),
  4: str('message'),
  5: msg('source', () => EventSource),
  6: time('firstTimestamp'),
  7: time('lastTimestamp'),
  8: int('count'),
  9: str('type'),
  10: microtime('eventTime'),
  11: msg('series', () => ({ 1: int('count'), 2: microtime('lastObservedTime') })),
  12: str('action'),
  13: msg('related', () => ObjectReference),
  14: str('reportingComponent', true),
  15: str('reportingInstance', true),
};

// ---- Node ----
const Taint: Descriptor = { 1: str('key', true), 2: str('value'), 3: str('effect', true), 4: time('timeAdded') };
const NodeSpec: Descriptor = {
  1: str('podCIDR'),
  2: str('externalID'),
  3: str('providerID'),
  4: bool('unschedulable'),
  5: msgs('taints', () => Taint),
  7: strs('podCIDRs'),
};
const NodeCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  3: time('lastHeartbeatTime'),
  4: time('lastTransitionTime'),
  5: str('reason'),
  6: str('message'),
};
const NodeSystemInfo: Descriptor = {
  1: str('machineID', true),
  2: str('systemUUID', true),
  3: str('bootID', true),
  4: str('kernelVersion', true),
  5: str('osImage', true),
  6: str('containerRuntimeVersion', true),
  7: str('kubeletVersion', true),
  8: str('kubeProxyVersion', true),
  9: str('operatingSystem', true),
  10: str('architecture', true),
};
const NodeStatus: Descriptor = {
  1: quantityMap('capacity'),
  2: quantityMap('allocatable'),
  3: str('phase'),
  4: msgs('conditions', () => NodeCondition),
  5: msgs('addresses', () => ({ 1: str('type', true), 2: str('address', true) })),
  6: msg('daemonEndpoints', () => ({ 1: msg('kubeletEndpoint', () => ({ 1: int('Port', true) })) })),
  7: msg('nodeInfo', () => NodeSystemInfo),
  8: msgs('images', () => ({ 1: strs('names'), 2: int('sizeBytes') })),
  9: strs('volumesInUse'),
  10: msgs('volumesAttached', () => ({ 1: str('name', true), 2: str('devicePath', true) })),
};
export const Node: Descriptor = { 1: metadata, 2: msg('spec', () => NodeSpec), 3: msg('status', () => NodeStatus) };

// ---- Service ----
const ServicePort: Descriptor = {
  1: str('name'),
  2: str('protocol'),
  3: int('port', true),
  4: intstr('targetPort'),
  5: int('nodePort'),
  6: str('appProtocol', true),
};
const ServiceSpec: Descriptor = {
  1: msgs('ports', () => ServicePort),
  2: strMap('selector'),
  3: str('clusterIP'),
  4: str('type'),
  5: strs('externalIPs'),
  7: str('sessionAffinity'),
  8: str('loadBalancerIP'),
  9: strs('loadBalancerSourceRanges'),
  10: str('externalName'),
  11: str('externalTrafficPolicy'),
  12: int('healthCheckNodePort'),
  13: bool('publishNotReadyAddresses'),
  14: msg('sessionAffinityConfig', () => ({ 1: msg('clientIP', () => ({ 1: int('timeoutSeconds', true) })) })),
  17: str('ipFamilyPolicy', true),
  18: strs('clusterIPs'),
  19: strs('ipFamilies'),
  20: bool('allocateLoadBalancerNodePorts', true),
  21: str('loadBalancerClass', true),
  22: str('internalTrafficPolicy', true),
  23: str('trafficDistribution', true),
};
const LoadBalancerIngress: Descriptor = {
  1: str('ip'),
  2: str('hostname'),
  3: str('ipMode', true),
  4: msgs('ports', () => ({ 1: int('port', true), 2: str('protocol', true), 3: str('error', true) })),
};
const ServiceStatus: Descriptor = {
  1: msg('loadBalancer', () => ({ 1: msgs('ingress', () => LoadBalancerIngress) })),
  2: msgs('conditions', () => Condition),
};
export const Service: Descriptor = { 1: metadata, 2: msg('spec', () => ServiceSpec), 3: msg('status', () => ServiceStatus) };
