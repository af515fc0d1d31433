// core/v1 pod-related descriptors (api/core/v1/generated.proto): PodSpec, Container, Volume, ...
// `true` as the last helper argument marks Go pointer / non-omitempty fields (zero is kept).

import {
  bool,
  type Descriptor,
  inline,
  int,
  ints,
  intstr,
  msg,
  msgs,
  quantity,
  quantityMap,
  str,
  strMap,
  strs,
  time,
} from './decode';
import { LabelSelector, ObjectMeta } from './meta';

export const LocalObjectReference: Descriptor = { 1: str('name') };

// ---- env ----
const ObjectFieldSelector: Descriptor = { 1: str('apiVersion'), 2: str('fieldPath', true) };
const ResourceFieldSelector: Descriptor = { 1: str('containerName'), 2: str('resource', true), 3: quantity('divisor') };
const KeySelector: Descriptor = { 1: inline(() => LocalObjectReference), 2: str('key', true), 3: bool('optional', true) };
const EnvVarSource: Descriptor = {
  1: msg('fieldRef', () => ObjectFieldSelector),
  2: msg('resourceFieldRef', () => ResourceFieldSelector),
  3: msg('configMapKeyRef', () => KeySelector),
  4: msg('secretKeyRef', () => KeySelector),
};
const EnvVar: Descriptor = { 1: str('name', true), 2: str('value'), 3: msg('valueFrom', () => EnvVarSource) };
const EnvSourceRef: Descriptor = { 1: inline(() => LocalObjectReference), 2: bool('optional', true) };
const EnvFromSource: Descriptor = {
  1: str('prefix'),
  2: msg('configMapRef', () => EnvSourceRef),
  3: msg('secretRef', () => EnvSourceRef),
};

// ---- resources, ports, mounts ----
const ResourceClaim: Descriptor = { 1: str('name', true), 2: str('request') };
export const ResourceRequirements: Descriptor = {
  1: quantityMap('limits'),
  2: quantityMap('requests'),
  3: msgs('claims', () => ResourceClaim),
};
const ContainerPort: Descriptor = {
  1: str('name'),
  2: int('hostPort'),
  3: int('containerPort', true),
  4: str('protocol'),
  5: str('hostIP'),
};
const VolumeMount: Descriptor = {
  1: str('name', true),
  2: bool('readOnly'),
  3: str('mountPath', true),
  4: str('subPath'),
  5: str('mountPropagation', true),
  6: str('subPathExpr'),
  7: str('recursiveReadOnly', true),
};
const VolumeDevice: Descriptor = { 1: str('name', true), 2: str('devicePath', true) };
const ContainerResizePolicy: Descriptor = { 1: str('resourceName', true), 2: str('restartPolicy', true) };

// ---- probes and lifecycle ----
const ExecAction: Descriptor = { 1: strs('command') };
const HTTPHeader: Descriptor = { 1: str('name', true), 2: str('value', true) };
const HTTPGetAction: Descriptor = {
  1: str('path'),
  2: intstr('port'),
  3: str('host'),
  4: str('scheme'),
  5: msgs('httpHeaders', () => HTTPHeader),
};
const TCPSocketAction: Descriptor = { 1: intstr('port'), 2: str('host') };
const GRPCAction: Descriptor = { 1: int('port', true), 2: str('service', true) };
const SleepAction: Descriptor = { 1: int('seconds', true) };
const ProbeHandler: Descriptor = {
  1: msg('exec', () => ExecAction),
  2: msg('httpGet', () => HTTPGetAction),
  3: msg('tcpSocket', () => TCPSocketAction),
  4: msg('grpc', () => GRPCAction),
};
const Probe: Descriptor = {
  1: inline(() => ProbeHandler),
  2: int('initialDelaySeconds'),
  3: int('timeoutSeconds'),
  4: int('periodSeconds'),
  5: int('successThreshold'),
  6: int('failureThreshold'),
  7: int('terminationGracePeriodSeconds', true),
};
const LifecycleHandler: Descriptor = {
  1: msg('exec', () => ExecAction),
  2: msg('httpGet', () => HTTPGetAction),
  3: msg('tcpSocket', () => TCPSocketAction),
  4: msg('sleep', () => SleepAction),
};
const Lifecycle: Descriptor = {
  1: msg('postStart', () => LifecycleHandler),
  2: msg('preStop', () => LifecycleHandler),
  3: str('stopSignal', true),
};

// ---- security ----
const SELinuxOptions: Descriptor = { 1: str('user'), 2: str('role'), 3: str('type'), 4: str('level') };
const WindowsSecurityContextOptions: Descriptor = {
  1: str('gmsaCredentialSpecName', true),
  2: str('gmsaCredentialSpec', true),
  3: str('runAsUserName', true),
  4: bool('hostProcess', true),
};
const ProfileRef: Descriptor = { 1: str('type', true), 2: str('localhostProfile', true) };
const Capabilities: Descriptor = { 1: strs('add'), 2: strs('drop') };
const SecurityContext: Descriptor = {
  1: msg('capabilities', () => Capabilities),
  2: bool('privileged', true),
  3: msg('seLinuxOptions', () => SELinuxOptions),
  4: int('runAsUser', true),
  5: bool('runAsNonRoot', true),
  6: bool('readOnlyRootFilesystem', true),
  7: bool('allowPrivilegeEscalation', true),
  8: int('runAsGroup', true),
  9: str('procMount', true),
  10: msg('windowsOptions', () => WindowsSecurityContextOptions),
  11: msg('seccompProfile', () => ProfileRef),
  12: msg('appArmorProfile', () => ProfileRef),
};
const Sysctl: Descriptor = { 1: str('name', true), 2: str('value', true) };
const PodSecurityContext: Descriptor = {
  1: msg('seLinuxOptions', () => SELinuxOptions),
  2: int('runAsUser', true),
  3: bool('runAsNonRoot', true),
  4: ints('supplementalGroups'),
  5: int('fsGroup', true),
  6: int('runAsGroup', true),
  7: msgs('sysctls', () => Sysctl),
  8: msg('windowsOptions', () => WindowsSecurityContextOptions),
  9: str('fsGroupChangePolicy', true),
  10: msg('seccompProfile', () => ProfileRef),
  11: msg('appArmorProfile', () => ProfileRef),
  12: str('supplementalGroupsPolicy', true),
  13: str('seLinuxChangePolicy', true),
};

export const Container: Descriptor = {
  1: str('name', true),
  2: str('image'),
  3: strs('command'),
  4: strs('args'),
  5: str('workingDir'),
  6: msgs('ports', () => ContainerPort),
  7: msgs('env', () => EnvVar),
  8: msg('resources', () => ResourceRequirements),
  9: msgs('volumeMounts', () => VolumeMount),
  10: msg('livenessProbe', () => Probe),
  11: msg('readinessProbe', () => Probe),
  12: msg('lifecycle', () => Lifecycle),
  13: str('terminationMessagePath'),
  14: str('imagePullPolicy'),
  15: msg('securityContext', () => SecurityContext),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
  19: msgs('envFrom', () => EnvFromSource),
  20: str('terminationMessagePolicy'),
  21: msgs('volumeDevices', () => VolumeDevice),
  22: msg('startupProbe', () => Probe),
  23: msgs('resizePolicy', () => ContainerResizePolicy),
  24: str('restartPolicy', true),
};
const EphemeralContainer: Descriptor = { 1: inline(() => Container), 2: str('targetContainerName') };

// ---- volumes ----
const KeyToPath: Descriptor = { 1: str('key', true), 2: str('path', true), 3: int('mode', true) };
const HostPathVolumeSource: Descriptor = { 1: str('path', true), 2: str('type', true) };
const EmptyDirVolumeSource: Descriptor = { 1: str('medium'), 2: quantity('sizeLimit') };
const SecretVolumeSource: Descriptor = {
  1: str('secretName'),
  2: msgs('items', () => KeyToPath),
  3: int('defaultMode', true),
  4: bool('optional', true),
};
const ConfigMapVolumeSource: Descriptor = {
  1: inline(() => LocalObjectReference),
  2: msgs('items', () => KeyToPath),
  3: int('defaultMode', true),
  4: bool('optional', true),
};
const PVCVolumeSource: Descriptor = { 1: str('claimName', true), 2: bool('readOnly') };
const NFSVolumeSource: Descriptor = { 1: str('server', true), 2: str('path', true), 3: bool('readOnly') };
const DownwardAPIVolumeFile: Descriptor = {
  1: str('path', true),
  2: msg('fieldRef', () => ObjectFieldSelector),
  3: msg('resourceFieldRef', () => ResourceFieldSelector),
  4: int('mode', true),
};
const DownwardAPIVolumeSource: Descriptor = { 1: msgs('items', () => DownwardAPIVolumeFile), 2: int('defaultMode', true) };
const ProjectionRef: Descriptor = {
  1: inline(() => LocalObjectReference),
  2: msgs('items', () => KeyToPath),
  4: bool('optional', true),
};
const ServiceAccountTokenProjection: Descriptor = { 1: str('audience'), 2: int('expirationSeconds', true), 3: str('path', true) };
const VolumeProjection: Descriptor = {
  1: msg('secret', () => ProjectionRef),
  2: msg('downwardAPI', () => ({ 1: msgs('items', () => DownwardAPIVolumeFile) })),
  3: msg('configMap', () => ProjectionRef),
  4: msg('serviceAccountToken', () => ServiceAccountTokenProjection),
};
const ProjectedVolumeSource: Descriptor = { 1: msgs('sources', () => VolumeProjection), 2: int('defaultMode', true) };
const CSIVolumeSource: Descriptor = {
  1: str('driver', true),
  2: bool('readOnly', true),
  3: str('fsType', true),
  4: strMap('volumeAttributes'),
  5: msg('nodePublishSecretRef', () => LocalObjectReference),
};
const ImageVolumeSource: Descriptor = { 1: str('reference'), 2: str('pullPolicy') };
const VolumeSource: Descriptor = {
  1: msg('hostPath', () => HostPathVolumeSource),
  2: msg('emptyDir', () => EmptyDirVolumeSource),
  6: msg('secret', () => SecretVolumeSource),
  7: msg('nfs', () => NFSVolumeSource),
  10: msg('persistentVolumeClaim', () => PVCVolumeSource),
  16: msg('downwardAPI', () => DownwardAPIVolumeSource),
  19: msg('configMap', () => ConfigMapVolumeSource),
  26: msg('projected', () => ProjectedVolumeSource),
  28: msg('csi', () => CSIVolumeSource),
  30: msg('image', () => ImageVolumeSource),
};
const Volume: Descriptor = { 1: str('name', true), 2: inline(() => VolumeSource) };

// ---- scheduling ----
const Toleration: Descriptor = {
  1: str('key'),
  2: str('operator'),
  3: str('value'),
  4: str('effect'),
  5: int('tolerationSeconds', true),
};
const NodeSelectorRequirement: Descriptor = { 1: str('key', true), 2: str('operator', true), 3: strs('values') };
const NodeSelectorTerm: Descriptor = {
  1: msgs('matchExpressions', () => NodeSelectorRequirement),
  2: msgs('matchFields', () => NodeSelectorRequirement),
};
const NodeSelector: Descriptor = { 1: msgs('nodeSelectorTerms', () => NodeSelectorTerm) };
const PreferredSchedulingTerm: Descriptor = { 1: int('weight', true), 2: msg('preference', () => NodeSelectorTerm) };
const NodeAffinity: Descriptor = {
  1: msg('requiredDuringSchedulingIgnoredDuringExecution', () => NodeSelector),
  2: msgs('preferredDuringSchedulingIgnoredDuringExecution', () => PreferredSchedulingTerm),
};
const PodAffinityTerm: Descriptor = {
  1: msg('labelSelector', () => LabelSelector),
  2: strs('namespaces'),
  3: str('topologyKey', true),
  4: msg('namespaceSelector', () => LabelSelector),
  5: strs('matchLabelKeys'),
  6: strs('mismatchLabelKeys'),
};
const WeightedPodAffinityTerm: Descriptor = { 1: int('weight', true), 2: msg('podAffinityTerm', () => PodAffinityTerm) };
const PodAffinity: Descriptor = {
  1: msgs('requiredDuringSchedulingIgnoredDuringExecution', () => PodAffinityTerm),
  2: msgs('preferredDuringSchedulingIgnoredDuringExecution', () => WeightedPodAffinityTerm),
};
const Affinity: Descriptor = {
  1: msg('nodeAffinity', () => NodeAffinity),
  2: msg('podAffinity', () => PodAffinity),
  3: msg('podAntiAffinity', () => PodAffinity),
};
const TopologySpreadConstraint: Descriptor = {
  1: int('maxSkew', true),
  2: str('topologyKey', true),
  3: str('whenUnsatisfiable', true),
  4: msg('labelSelector', () => LabelSelector),
  5: int('minDomains', true),
  6: str('nodeAffinityPolicy', true),
  7: str('nodeTaintsPolicy', true),
  8: strs('matchLabelKeys'),
};
const PodDNSConfig: Descriptor = {
  1: strs('nameservers'),
  2: strs('searches'),
  3: msgs('options', () => ({ 1: str('name'), 2: str('value', true) })),
};

export const PodSpec: Descriptor = {
  1: msgs('volumes', () => Volume),
  2: msgs('containers', () => Container),
  3: str('restartPolicy'),
  4: int('terminationGracePeriodSeconds', true),
  5: int('activeDeadlineSeconds', true),
  6: str('dnsPolicy'),
  7: strMap('nodeSelector'),
  8: str('serviceAccountName'),
  9: str('serviceAccount'),
  10: str('nodeName'),
  11: bool('hostNetwork'),
  12: bool('hostPID'),
  13: bool('hostIPC'),
  14: msg('securityContext', () => PodSecurityContext),
  15: msgs('imagePullSecrets', () => LocalObjectReference),
  16: str('hostname'),
  17: str('subdomain'),
  18: msg('affinity', () => Affinity),
  19: str('schedulerName'),
  20: msgs('initContainers', () => Container),
  21: bool('automountServiceAccountToken', true),
  22: msgs('tolerations', () => Toleration),
  23: msgs('hostAliases', () => ({ 1: str('ip', true), 2: strs('hostnames') })),
  24: str('priorityClassName'),
  25: int('priority', true),
  26: msg('dnsConfig', () => PodDNSConfig),
  27: bool('shareProcessNamespace', true),
  28: msgs('readinessGates', () => ({ 1: str('conditionType', true) })),
  29: str('runtimeClassName', true),
  30: bool('enableServiceLinks', true),
  31: str('preemptionPolicy', true),
  32: quantityMap('overhead'),
  33: msgs('topologySpreadConstraints', () => TopologySpreadConstraint),
  34: msgs('ephemeralContainers', () => EphemeralContainer),
  35: bool('setHostnameAsFQDN', true),
  36: msg('os', () => ({ 1: str('name', true) })),
  37: bool('hostUsers', true),
  38: msgs('schedulingGates', () => ({ 1: str('name', true) })),
  40: msg('resources', () => ResourceRequirements),
};

// ---- status ----
const PodCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  3: time('lastProbeTime'),
  4: time('lastTransitionTime'),
  5: str('reason'),
  6: str('message'),
  7: int('observedGeneration'),
};
const ContainerState: Descriptor = {
  1: msg('waiting', () => ({ 1: str('reason'), 2: str('message') })),
  2: msg('running', () => ({ 1: time('startedAt') })),
  3: msg('terminated', () => ({
    1: int('exitCode', true),
    2: int('signal'),
    3: str('reason'),
    4: str('message'),
    5: time('startedAt'),
    6: time('finishedAt'),
    7: str('containerID'),
  })),
};
const ContainerStatus: Descriptor = {
  1: str('name', true),
  2: msg('state', () => ContainerState),
  3: msg('lastState', () => ContainerState),
  4: bool('ready', true),
  5: int('restartCount', true),
  6: str('image', true),
  7: str('imageID', true),
  8: str('containerID'),
  9: bool('started', true),
};
const PodIP: Descriptor = { 1: str('ip', true) };
export const PodStatus: Descriptor = {
  1: str('phase'),
  2: msgs('conditions', () => PodCondition),
  3: str('message'),
  4: str('reason'),
  5: str('hostIP'),
  6: str('podIP'),
  7: time('startTime'),
  8: msgs('containerStatuses', () => ContainerStatus),
  9: str('qosClass'),
  10: msgs('initContainerStatuses', () => ContainerStatus),
  11: str('nominatedNodeName'),
  12: msgs('podIPs', () => PodIP),
  13: msgs('ephemeralContainerStatuses', () => ContainerStatus),
  16: msgs('hostIPs', () => PodIP),
  17: int('observedGeneration'),
};

export const Pod: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => PodSpec),
  3: msg('status', () => PodStatus),
};

export const PodTemplateSpec: Descriptor = { 1: msg('metadata', () => ObjectMeta), 2: msg('spec', () => PodSpec) };
export const PodTemplate: Descriptor = { 1: msg('metadata', () => ObjectMeta), 2: msg('template', () => PodTemplateSpec) };
