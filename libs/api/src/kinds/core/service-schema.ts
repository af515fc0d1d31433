// OpenAPI components of core/v1 Service, as upstream serves them (descriptions shortened).
import { arr, atomic, bool, int32, item, listMap, mergeBy, obj, ref, str, strArr, strMap, mapAtomic, CORE, INT_OR_STRING, META } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { kindSchema, listSchema } from './object-schemas';

export const SERVICE_SCHEMAS: Record<string, SchemaNode> = {
  [CORE + 'Service']: kindSchema('Service', 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    'Spec defines the behavior of a service. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    'Most recently observed status of the service. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
  ...listSchema('Service', 'ServiceList holds a list of services.', 'List of services'),
  [CORE + 'ServiceSpec']: obj('ServiceSpec describes the attributes that a user creates on a service.', {
    allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.  Default is "true". It may be set to "false" if the cluster load-balancer does not rely on NodePorts.'),
    clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.'),
    clusterIPs: strArr('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.  If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail.', atomic),
    externalIPs: strArr('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.', atomic),
    externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). No proxying will be involved.  Must be a lowercase RFC-1123 hostname (https://tools.ietf.org/html/rfc1123) and requires `type` to be "ExternalName".'),
    externalTrafficPolicy: str('externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).', { enum: ['Cluster', 'Local'] }),
    healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service. This only applies when type is set to LoadBalancer and externalTrafficPolicy is set to Local.'),
    internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.', { enum: ['Cluster', 'Local'] }),
    ipFamilies: strArr('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service. This field is usually assigned automatically based on cluster configuration and the ipFamilyPolicy field.', atomic),
    ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service. If there is no value provided, then this field will be set to SingleStack.', { enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'] }),
    loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
    loadBalancerIP: str('Only applies to Service Type: LoadBalancer. This feature depends on whether the underlying cloud-provider supports specifying the loadBalancerIP when a load balancer is created. Deprecated.'),
    loadBalancerSourceRanges: strArr('If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.', atomic),
    ports: arr(item(CORE + 'ServicePort'), 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
      { ...mergeBy('port'), ...listMap('port', 'protocol') }),
    publishNotReadyAddresses: bool('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
    selector: strMap('Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', mapAtomic),
    sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None.', { enum: ['ClientIP', 'None'] }),
    sessionAffinityConfig: ref(CORE + 'SessionAffinityConfig', 'sessionAffinityConfig contains the configurations of session affinity.'),
    trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
    type: str('type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
      { enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] }),
  }),
  [CORE + 'ServicePort']: obj("ServicePort contains information on service's port.", {
    appProtocol: str('The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand.'),
    name: str("The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names. When considering the endpoints for a Service, this must match the 'name' field in the EndpointPort. Optional if only one ServicePort is defined on this service."),
    nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.  Usually assigned by the system. If a value is specified, in-range, and not in use it will be used, otherwise the operation will fail.  If not specified, a port will be allocated if this Service requires one.  If this field is specified when creating a Service which does not need it, creation will fail. More info: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'),
    port: int32('The port that will be exposed by this service.'),
    protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', { enum: ['SCTP', 'TCP', 'UDP'], default: 'TCP' }),
    targetPort: ref(INT_OR_STRING, "Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"),
  }, ['port']),
  [CORE + 'ServiceStatus']: obj('ServiceStatus represents the current status of a service.', {
    conditions: arr(item(META + 'Condition'), 'Current service state', { ...mergeBy('type'), ...listMap('type') }),
    loadBalancer: ref(CORE + 'LoadBalancerStatus', 'LoadBalancer contains the current status of the load-balancer, if one is present.'),
  }),
  [CORE + 'SessionAffinityConfig']: obj('SessionAffinityConfig represents the configurations of session affinity.', {
    clientIP: ref(CORE + 'ClientIPConfig', 'clientIP contains the configurations of Client IP based session affinity.'),
  }),
  [CORE + 'ClientIPConfig']: obj('ClientIPConfig represents the configurations of Client IP based session affinity.', {
    timeoutSeconds: int32('timeoutSeconds specifies the seconds of ClientIP type session sticky time. The value must be >0 && <=86400(for 1 day) if ServiceAffinity == "ClientIP". Default value is 10800(for 3 hours).'),
  }),
  [CORE + 'LoadBalancerStatus']: obj('LoadBalancerStatus represents the status of a load-balancer.', {
    ingress: arr(item(CORE + 'LoadBalancerIngress'), 'Ingress is a list containing ingress points for the load-balancer. Traffic intended for the service should be sent to these ingress points.', atomic),
  }),
  [CORE + 'LoadBalancerIngress']: obj('LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.', {
    hostname: str('Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers)'),
    ip: str('IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers)'),
    ipMode: str('IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified.'),
    ports: arr(item(CORE + 'PortStatus'), 'Ports is a list of records of service ports If used, every port defined in the service should have an entry in it', atomic),
  }),
  [META + 'Condition']: obj('Condition contains details for one aspect of the current state of this API Resource.', {
    lastTransitionTime: ref(META + 'Time', 'lastTransitionTime is the last time the condition transitioned from one status to another.'),
    message: str('message is a human readable message indicating details about the transition. This may be an empty string.'),
    observedGeneration: { ...int32('observedGeneration represents the .metadata.generation that the condition was set based upon.'), format: 'int64' },
    reason: str('reason contains a programmatic identifier indicating the reason for the condition\'s last transition.'),
    status: str('status of the condition, one of True, False, Unknown.'),
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
  }, ['type', 'status', 'lastTransitionTime', 'reason', 'message']),
  [CORE + 'PortStatus']: obj('PortStatus represents the error condition of a service port', {
    error: str('Error is to record the problem with the service port.'),
    port: int32('Port is the port number of the service port of which status is recorded here'),
    protocol: str('Protocol is the protocol of the service port of which status is recorded here The supported values are: "TCP", "UDP", "SCTP"', { enum: ['SCTP', 'TCP', 'UDP'] }),
  }, ['port', 'protocol']),
};
