// Built-in resources with their kinds, for for()/owns()/watches() and the dynamic client.
// (A CRD's resources come from `keelson-operator codegen`.)
import type { KubeObject, Taint, Toleration } from '@keelson/api';
import type { KindResource } from './operator';

const r = (group: string, version: string, resource: string, kind: string, namespaced = true): KindResource => ({ group, version, resource, kind, namespaced });

export const PODS = r('', 'v1', 'pods', 'Pod');
export const CONFIGMAPS = r('', 'v1', 'configmaps', 'ConfigMap');
export const SECRETS = r('', 'v1', 'secrets', 'Secret');
export const SERVICES = r('', 'v1', 'services', 'Service');
export const SERVICEACCOUNTS = r('', 'v1', 'serviceaccounts', 'ServiceAccount');
export const EVENTS = r('', 'v1', 'events', 'Event');
export const NODES = r('', 'v1', 'nodes', 'Node', false);
export const NAMESPACES = r('', 'v1', 'namespaces', 'Namespace', false);
export const PERSISTENTVOLUMECLAIMS = r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim');
export const DEPLOYMENTS = r('apps', 'v1', 'deployments', 'Deployment');
export const REPLICASETS = r('apps', 'v1', 'replicasets', 'ReplicaSet');
export const STATEFULSETS = r('apps', 'v1', 'statefulsets', 'StatefulSet');
export const DAEMONSETS = r('apps', 'v1', 'daemonsets', 'DaemonSet');
export const JOBS = r('batch', 'v1', 'jobs', 'Job');
export const CRONJOBS = r('batch', 'v1', 'cronjobs', 'CronJob');
export const LEASES = r('coordination.k8s.io', 'v1', 'leases', 'Lease');
export const PODDISRUPTIONBUDGETS = r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget');
export const CUSTOMRESOURCEDEFINITIONS = r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false);

/** core/v1 ConfigMap (what an operator most often writes). */
export interface ConfigMap extends KubeObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/** core/v1 Secret; `data` values are base64. */
export interface Secret extends KubeObject {
  apiVersion: 'v1';
  kind: 'Secret';
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** A status condition (`type`, `status`, `reason`…), as pods and nodes carry them. */
export type Condition = { type: string; status: 'True' | 'False' | 'Unknown' | string; reason?: string; message?: string; lastTransitionTime?: string; [key: string]: unknown };

/** core/v1 Pod: the fields operators most often read; the rest stays reachable as unknown. */
export interface Pod extends KubeObject {
  apiVersion: 'v1';
  kind: 'Pod';
  spec?: {
    nodeName?: string;
    schedulerName?: string;
    containers?: Array<{ name: string; image?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> }; [key: string]: unknown }>;
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
    priority?: number;
    [key: string]: unknown;
  };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

/** core/v1 Node: schedulability, taints, capacity and conditions. */
export interface Node extends KubeObject {
  apiVersion: 'v1';
  kind: 'Node';
  spec?: { unschedulable?: boolean; taints?: Taint[]; providerID?: string; [key: string]: unknown };
  status?: {
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    conditions?: Condition[];
    [key: string]: unknown;
  };
}
