// core/v1 Node, NodeSpec (taints, podCIDRs) and NodeStatus (capacity, conditions, addresses, nodeInfo).
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, bool, int32, int64, ref, item, arr, strArr, map, mergeBy, atomic, listSet, gvk, META, CORE, QUANTITY } from './dsl';

export const CORE_NODE_SCHEMAS: Record<string, SchemaNode> = {
  [CORE + 'AttachedVolume']: obj("AttachedVolume describes a volume attached to a node", {
    devicePath: str("DevicePath represents the device path where the volume should be available"),
    name: str("Name of the attached volume"),
  }, ['devicePath', 'name']),
  [CORE + 'ConfigMapNodeConfigSource']: obj("ConfigMapNodeConfigSource contains the information to reference a ConfigMap as a config source for the Node. This API is deprecated since 1.22: https://git.k8s.io/enhancements/keps/sig-node/281-dynamic-kubelet-configuration", {
    kubeletConfigKey: str("KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure This field is required in all cases."),
    name: str("Name is the metadata.name of the referenced ConfigMap. This field is required in all cases."),
    namespace: str("Namespace is the metadata.namespace of the referenced ConfigMap. This field is required in all cases."),
    resourceVersion: str("ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap. This field is forbidden in Node.Spec, and required in Node.Status."),
    uid: str("UID is the metadata.UID of the referenced ConfigMap. This field is forbidden in Node.Spec, and required in Node.Status."),
  }, ['kubeletConfigKey', 'name', 'namespace']),
  [CORE + 'ContainerImage']: obj("Describe a container image", {
    names: strArr("Names by which this image is known. e.g. [\"kubernetes.example/hyperkube:v1.0.7\", \"cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7\"]"),
    sizeBytes: int64("The size of the image in bytes."),
  }),
  [CORE + 'DaemonEndpoint']: obj("DaemonEndpoint contains information about a single Daemon endpoint.", {
    Port: int32("Port number of the given endpoint."),
  }, ['Port']),
  [CORE + 'Node']: obj("Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
    spec: ref(CORE + 'NodeSpec', "Spec defines the behavior of a node. https://git.k8s.io/community/contributors/devel/api-conventions.md#spec-and-status"),
    status: ref(CORE + 'NodeStatus', "Most recently observed status of the node. Populated by the system. Read-only."),
  }, undefined, gvk('', 'v1', 'Node')),
  [CORE + 'NodeAddress']: obj("NodeAddress contains information for the node's address.", {
    address: str("The node address."),
    type: str("Node address type, one of Hostname, ExternalIP or InternalIP."),
  }, ['address', 'type']),
  [CORE + 'NodeCondition']: obj("NodeCondition contains condition information for a node.", {
    lastHeartbeatTime: ref(META + 'Time', "Last time we got an update on a given condition."),
    lastTransitionTime: ref(META + 'Time', "Last time the condition transit from one status to another."),
    message: str("Human readable message indicating details about last transition."),
    reason: str("(brief) reason for the condition's last transition."),
    status: str("Status of the condition, one of True, False, Unknown."),
    type: str("Type of node condition."),
  }, ['status', 'type']),
  [CORE + 'NodeConfigSource']: obj("NodeConfigSource specifies a source of node configuration. Exactly one subfield (excluding metadata) must be non-nil. This API is deprecated since 1.22", {
    configMap: ref(CORE + 'ConfigMapNodeConfigSource', "ConfigMap is a reference to a Node's ConfigMap"),
  }),
  [CORE + 'NodeConfigStatus']: obj("NodeConfigStatus describes the status of the config assigned by Node.Spec.ConfigSource.", {
    active: ref(CORE + 'NodeConfigSource', "Active reports the checkpointed config the node is actively using. Active will represent either the current version of the Assigned config, or the current LastKnownGood config, depending on whether attempting to use the Assigned config results in an error."),
    assigned: ref(CORE + 'NodeConfigSource', "Assigned reports the checkpointed config the node will try to use. When Node.Spec.ConfigSource is updated, the node checkpoints the associated config payload to local disk, along with a record indicating intended config."),
    error: str("Error describes any problems reconciling the Spec.ConfigSource to the Active config. Errors may occur, for example, attempting to checkpoint Spec.ConfigSource to the local Assigned record, attempting to checkpoint the payload associated with Spec.ConfigSource, attempting to load or validate the Assigned config, etc."),
    lastKnownGood: ref(CORE + 'NodeConfigSource', "LastKnownGood reports the checkpointed config the node will fall back to when it encounters an error attempting to use the Assigned config. The Assigned config becomes the LastKnownGood config when the node determines that the Assigned config is stable and correct."),
  }),
  [CORE + 'NodeDaemonEndpoints']: obj("NodeDaemonEndpoints lists ports opened by daemons running on the Node.", {
    kubeletEndpoint: ref(CORE + 'DaemonEndpoint', "Endpoint on which Kubelet is listening."),
  }),
  [CORE + 'NodeFeatures']: obj("NodeFeatures describes the set of features implemented by the CRI implementation. The features contained in the NodeFeatures should depend only on the cri implementation independent of runtime handlers.", {
    supplementalGroupsPolicy: bool("SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser."),
  }),
  [CORE + 'NodeList']: obj("NodeList is the whole list of all Nodes which have been registered with master.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(CORE + 'Node'), "List of nodes"),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('', 'v1', 'NodeList')),
  [CORE + 'NodeRuntimeHandler']: obj("NodeRuntimeHandler is a set of runtime handler information.", {
    features: ref(CORE + 'NodeRuntimeHandlerFeatures', "NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler."),
    name: str("Runtime handler name. Empty for the default runtime handler."),
  }),
  [CORE + 'NodeRuntimeHandlerFeatures']: obj("NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.", {
    recursiveReadOnlyMounts: bool("RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts."),
    userNamespaces: bool("UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes."),
  }),
  [CORE + 'NodeSpec']: obj("NodeSpec describes the attributes that a node is created with.", {
    configSource: ref(CORE + 'NodeConfigSource', "If specified, the source to get node configuration from The DynamicKubeletConfig feature gate must be enabled for the Kubelet to use this field"),
    externalID: str("Deprecated. Not all kubelets will set this field. Remove field after 1.13. see: https://issues.k8s.io/61966"),
    podCIDR: str("PodCIDR represents the pod IP range assigned to the node."),
    podCIDRs: strArr("podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node. If this field is specified, the 0th entry must match the podCIDR field. It may contain at most 1 value for each of IPv4 and IPv6.", { 'x-kubernetes-patch-strategy': 'merge', ...listSet }),
    providerID: str("ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>"),
    taints: arr(item(CORE + 'Taint'), "If specified, the node's taints.", atomic),
    unschedulable: bool("Unschedulable controls node schedulability of new pods. By default, node is schedulable."),
  }),
  [CORE + 'NodeStatus']: obj("NodeStatus is information about the current status of a node.", {
    addresses: arr(item(CORE + 'NodeAddress'), "List of addresses reachable to the node. Queried from cloud provider, if available. Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch.", mergeBy('type')),
    allocatable: map(item(QUANTITY), "Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity."),
    capacity: map(item(QUANTITY), "Capacity represents the total resources of a node."),
    conditions: arr(item(CORE + 'NodeCondition'), "Conditions is an array of current observed node conditions.", mergeBy('type')),
    config: ref(CORE + 'NodeConfigStatus', "Status of the config assigned to the node via the dynamic Kubelet config feature."),
    daemonEndpoints: ref(CORE + 'NodeDaemonEndpoints', "Endpoints of daemons running on the Node."),
    features: ref(CORE + 'NodeFeatures', "NodeFeatures describes the set of features implemented by the CRI implementation. The features contained in the NodeFeatures should depend only on the cri implementation independent of runtime handlers."),
    images: arr(item(CORE + 'ContainerImage'), "List of container images on this node", atomic),
    nodeInfo: ref(CORE + 'NodeSystemInfo', "Set of ids/uuids to uniquely identify the node."),
    phase: str("NodePhase is the recently observed lifecycle phase of the node. The field is never populated, and now is deprecated."),
    runtimeHandlers: arr(item(CORE + 'NodeRuntimeHandler'), "The available runtime handlers."),
    volumesAttached: arr(item(CORE + 'AttachedVolume'), "List of volumes that are attached to the node.", atomic),
    volumesInUse: strArr("List of attachable volumes in use (mounted) by the node.", atomic),
  }),
  [CORE + 'NodeSwapStatus']: obj("NodeSwapStatus represents swap memory information.", {
    capacity: int64("Total amount of swap memory in bytes."),
  }),
  [CORE + 'NodeSystemInfo']: obj("NodeSystemInfo is a set of ids/uuids to uniquely identify the node.", {
    architecture: str("The Architecture reported by the node"),
    bootID: str("Boot ID reported by the node."),
    containerRuntimeVersion: str("ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
    kernelVersion: str("Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    kubeProxyVersion: str("Deprecated: KubeProxy Version reported by the node."),
    kubeletVersion: str("Kubelet Version reported by the node."),
    machineID: str("MachineID reported by the node. For unique machine identification in the cluster this field is preferred. Learn more from man(5) machine-id: http://man7.org/linux/man-pages/man5/machine-id.5.html"),
    operatingSystem: str("The Operating System reported by the node"),
    osImage: str("OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    swap: ref(CORE + 'NodeSwapStatus', "NodeSwapStatus represents swap memory information."),
    systemUUID: str("SystemUUID reported by the node. For unique machine identification MachineID is preferred. This field is specific to Red Hat hosts https://access.redhat.com/documentation/en-us/red_hat_subscription_management/1/html/rhsm/uuid"),
  }, ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID']),
  [CORE + 'Taint']: obj("The node this Taint is attached to has the \"effect\" on any pod that does not tolerate the Taint.", {
    effect: str("Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute."),
    key: str("Required. The taint key to be applied to a node."),
    timeAdded: ref(META + 'Time', "TimeAdded represents the time at which the taint was added."),
    value: str("The taint value corresponding to the taint key."),
  }, ['effect', 'key']),
};
