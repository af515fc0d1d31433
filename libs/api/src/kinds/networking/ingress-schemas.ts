// networking.k8s.io/v1 Ingress schemas, as upstream's OpenAPI (descriptions shortened).
// IngressRule's inline IngressRuleValue appears as its one field, `http`, as in the served schema.

import type { SchemaNode } from '../../schema/types';
import { obj, str, int32, ref, item, arr, strArr, gvk, META, CORE } from '../../schema/dsl';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

export const NETWORKING = 'io.k8s.api.networking.v1.';

export const INGRESS_SCHEMAS: Record<string, SchemaNode> = {
  [NETWORKING + 'Ingress']: obj("Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend. An Ingress can be configured to give services externally-reachable urls, load balance traffic, terminate SSL, offer name based virtual hosting etc.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(NETWORKING + 'IngressSpec', "spec is the desired state of the Ingress. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
    status: ref(NETWORKING + 'IngressStatus', "status is the current state of the Ingress. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
  }, undefined, gvk('networking.k8s.io', 'v1', 'Ingress')),
  [NETWORKING + 'IngressList']: obj("IngressList is a collection of Ingress.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(NETWORKING + 'Ingress'), "items is the list of Ingress."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('networking.k8s.io', 'v1', 'IngressList')),
  [NETWORKING + 'IngressSpec']: obj("IngressSpec describes the Ingress the user wishes to exist.", {
    defaultBackend: ref(NETWORKING + 'IngressBackend', "defaultBackend is the backend that should handle requests that don't match any rule. If Rules are not specified, DefaultBackend must be specified. If DefaultBackend is not set, the handling of requests that do not match any of the rules will be up to the Ingress controller."),
    ingressClassName: str("ingressClassName is the name of an IngressClass cluster resource. Ingress controller implementations use this field to know whether they should be serving this Ingress resource, by a transitive connection (controller -> IngressClass -> Ingress resource)."),
    rules: arr(item(NETWORKING + 'IngressRule'), "rules is a list of host rules used to configure the Ingress. If unspecified, or no rule matches, all traffic is sent to the default backend.", { 'x-kubernetes-list-type': 'atomic' }),
    tls: arr(item(NETWORKING + 'IngressTLS'), "tls represents the TLS configuration. Currently the Ingress only supports a single TLS port, 443. If multiple members of this list specify different hosts, they will be multiplexed on the same port according to the hostname specified through the SNI TLS extension, if the ingress controller fulfilling the ingress supports SNI.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'IngressBackend']: obj("IngressBackend describes all endpoints for a given service and port.", {
    resource: ref(CORE + 'TypedLocalObjectReference', "resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object. If resource is specified, a service.Name and service.Port must not be specified. This is a mutually exclusive setting with \"Service\"."),
    service: ref(NETWORKING + 'IngressServiceBackend', "service references a service as a backend. This is a mutually exclusive setting with \"Resource\"."),
  }),
  [NETWORKING + 'IngressServiceBackend']: obj("IngressServiceBackend references a Kubernetes Service as a Backend.", {
    name: str("name is the referenced service. The service must exist in the same namespace as the Ingress object."),
    port: ref(NETWORKING + 'ServiceBackendPort', "port of the referenced service. A port name or port number is required for a IngressServiceBackend."),
  }, ['name']),
  [NETWORKING + 'ServiceBackendPort']: obj("ServiceBackendPort is the service port being referenced.", {
    name: str("name is the name of the port on the Service. This is a mutually exclusive setting with \"Number\"."),
    number: int32("number is the numerical port number (e.g. 80) on the Service. This is a mutually exclusive setting with \"Name\"."),
  }),
  [NETWORKING + 'IngressRule']: obj("IngressRule represents the rules mapping the paths under a specified host to the related backend services. Incoming requests are first evaluated for a host match, then routed to the backend associated with the matching IngressRuleValue.", {
    host: str("host is the fully qualified domain name of a network host, as defined by RFC 3986. Note the following deviations from the \"host\" part of the URI as defined in RFC 3986: 1. IPs are not allowed. Currently an IngressRuleValue can only apply to the IP in the Spec of the parent Ingress. 2. The `:` delimiter is not respected because ports are not allowed."),
    http: ref(NETWORKING + 'HTTPIngressRuleValue', "http is a list of http selectors pointing to backends (the IngressRuleValue of this rule; http is currently the only one)."),
  }),
  [NETWORKING + 'HTTPIngressRuleValue']: obj("HTTPIngressRuleValue is a list of http selectors pointing to backends. In the example: http://<host>/<path>?<searchpart> -> backend where where parts of the url correspond to RFC 3986, this resource will be used to match against everything after the last '/' and before the first '?' or '#'.", {
    paths: arr(item(NETWORKING + 'HTTPIngressPath'), "paths is a collection of paths that map requests to backends.", { 'x-kubernetes-list-type': 'atomic' }),
  }, ['paths']),
  [NETWORKING + 'HTTPIngressPath']: obj("HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the backend.", {
    backend: ref(NETWORKING + 'IngressBackend', "backend defines the referenced service endpoint to which the traffic will be forwarded to."),
    path: str("path is matched against the path of an incoming request. Currently it can contain characters disallowed from the conventional \"path\" part of a URL as defined by RFC 3986. Paths must begin with a '/' and must be present when using PathType with value \"Exact\" or \"Prefix\"."),
    pathType: str("pathType determines the interpretation of the path matching. PathType can be one of the following values: * Exact: Matches the URL path exactly. * Prefix: Matches based on a URL path prefix split by '/'. Matching is done on a path element by element basis. A path element refers is the list of labels in the path split by the '/' separator."),
  }, ['backend','pathType']),
  [NETWORKING + 'IngressTLS']: obj("IngressTLS describes the transport layer security associated with an ingress.", {
    hosts: strArr("hosts is a list of hosts included in the TLS certificate. The values in this list must match the name/s used in the tlsSecret. Defaults to the wildcard host setting for the loadbalancer controller fulfilling this Ingress, if left unspecified.", { 'x-kubernetes-list-type': 'atomic' }),
    secretName: str("secretName is the name of the secret used to terminate TLS traffic on port 443. Field is left optional to allow TLS routing based on SNI hostname alone. If the SNI host in a listener conflicts with the \"Host\" header field used by an IngressRule, the SNI host is used for termination and value of the \"Host\" header is used for routing."),
  }),
  [NETWORKING + 'IngressStatus']: obj("IngressStatus describe the current state of the Ingress.", {
    loadBalancer: ref(NETWORKING + 'IngressLoadBalancerStatus', "loadBalancer contains the current status of the load-balancer."),
  }),
  [NETWORKING + 'IngressLoadBalancerStatus']: obj("IngressLoadBalancerStatus represents the status of a load-balancer.", {
    ingress: arr(item(NETWORKING + 'IngressLoadBalancerIngress'), "ingress is a list containing ingress points for the load-balancer.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'IngressLoadBalancerIngress']: obj("IngressLoadBalancerIngress represents the status of a load-balancer ingress point.", {
    hostname: str("hostname is set for load-balancer ingress points that are DNS based."),
    ip: str("ip is set for load-balancer ingress points that are IP based."),
    ports: arr(item(NETWORKING + 'IngressPortStatus'), "ports provides information about the ports exposed by this LoadBalancer.", { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [NETWORKING + 'IngressPortStatus']: obj("IngressPortStatus represents the error condition of a service port", {
    error: str("error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use CamelCase names - cloud provider specific error values must have names that comply with the format foo.example.com/CamelCase. The regex it matches is (dns1123SubdomainFmt/)?(qualifiedNameFmt)"),
    port: int32("port is the port number of the ingress port."),
    protocol: str("protocol is the protocol of the ingress port. The supported values are: \"TCP\", \"UDP\", \"SCTP\""),
  }, ['port','protocol']),
};
