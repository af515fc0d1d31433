// The built-in resources the controllers and the kubelet address, as the coordinates a client
// needs (a @keelson/client ResourceRef). Defined once here rather than in every service; a
// unit test checks each against BUILTIN_RESOURCES, what the gateway serves.

/** group ('' for core), version and plural resource name. */
export interface ResourceCoordinates {
  group: string;
  version: string;
  resource: string;
}

const core = (resource: string): ResourceCoordinates => ({ group: '', version: 'v1', resource });
const apps = (resource: string): ResourceCoordinates => ({ group: 'apps', version: 'v1', resource });

export const PODS = core('pods');
export const NODES = core('nodes');
export const NAMESPACES = core('namespaces');
export const SERVICES = core('services');
export const EVENTS = core('events');
export const DEPLOYMENTS = apps('deployments');
export const REPLICASETS = apps('replicasets');
export const ENDPOINTSLICES: ResourceCoordinates = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
export const LEASES: ResourceCoordinates = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const STATEFULSETS = apps('statefulsets');
export const DAEMONSETS = apps('daemonsets');
export const CONTROLLERREVISIONS = apps('controllerrevisions');
export const PERSISTENTVOLUMECLAIMS = core('persistentvolumeclaims');
