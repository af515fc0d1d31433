// The Node authorizer (plugin/pkg/auth/authorizer/node) with the NodeRestriction rules folded in
// where the request path names the object: a kubelet (`system:node:<name>` in `system:nodes`)
// reads nodes, pods, services, endpoints and endpoint slices, reads the secrets, configmaps, claims and service
// accounts (and requests tokens for the service accounts) of pods bound to its node, and writes
// only its own Node, its own Lease in kube-node-lease, the status of pods bound to it, and
// events. Creates (no name in the path) are checked on the body by nodeRestriction().
import { errors, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { UserInfo } from '../http/auth';
import type { AdmissionCheck } from '../registry/resource-store';
import type { Attributes } from './attributes';
import type { Decision } from './rbac';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, if it is one. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length) || undefined;
}

export interface PodLookup {
  /** Pods bound to `node` (spec.nodeName). */
  podsOn(node: string): KubeObject[];
  /** The pod `namespace/name`, if cached. */
  pod(namespace: string, name: string): KubeObject | undefined;
}

const READ = new Set(['get', 'list', 'watch']);
const NO_OPINION: Decision = { allowed: false, reason: '' };
const allow = (reason: string): Decision => ({ allowed: true, reason: `Node: ${reason}` });

/** Names of what a pod references, by resource (the node graph's edges). */
export function podReferences(pod: KubeObject): Record<'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts', Set<string>> {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const refs = { secrets: new Set<string>(), configmaps: new Set<string>(), persistentvolumeclaims: new Set<string>(), serviceaccounts: new Set<string>() };
  const o = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(o) : []);
  refs.serviceaccounts.add(typeof spec.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName : 'default');
  for (const s of list(spec.imagePullSecrets)) if (typeof s.name === 'string') refs.secrets.add(s.name);
  const volume = (v: Record<string, unknown>): void => {
    if (typeof o(v.secret).secretName === 'string') refs.secrets.add(o(v.secret).secretName as string);
    if (typeof o(v.configMap).name === 'string') refs.configmaps.add(o(v.configMap).name as string);
    if (typeof o(v.persistentVolumeClaim).claimName === 'string') refs.persistentvolumeclaims.add(o(v.persistentVolumeClaim).claimName as string);
    for (const src of list(o(v.projected).sources)) {
      if (typeof o(src.secret).name === 'string') refs.secrets.add(o(src.secret).name as string);
      if (typeof o(src.configMap).name === 'string') refs.configmaps.add(o(src.configMap).name as string);
    }
  };
  for (const v of list(spec.volumes)) volume(v);
  for (const c of [...list(spec.containers), ...list(spec.initContainers), ...list(spec.ephemeralContainers)]) {
    for (const e of list(c.envFrom)) {
      if (typeof o(e.secretRef).name === 'string') refs.secrets.add(o(e.secretRef).name as string);
      if (typeof o(e.configMapRef).name === 'string') refs.configmaps.add(o(e.configMapRef).name as string);
    }
    for (const e of list(c.env)) {
      const from = o(e.valueFrom);
      if (typeof o(from.secretKeyRef).name === 'string') refs.secrets.add(o(from.secretKeyRef).name as string);
      if (typeof o(from.configMapKeyRef).name === 'string') refs.configmaps.add(o(from.configMapKeyRef).name as string);
    }
  }
  return refs;
}

export class NodeAuthorizer {
  constructor(private readonly pods: PodLookup) {}

  authorize(a: Attributes): Decision {
    const node = nodeNameOf(a.user);
    if (!node) return NO_OPINION;
    if (!a.resourceRequest) return NO_OPINION;
    const g = a.apiGroup;
    const r = a.resource;
    const sub = a.subresource;
    if (g === '' && r === 'nodes') {
      if (READ.has(a.verb) && !sub) return allow('nodes are readable by every node');
      if (a.verb === 'create' && !sub) return allow('a node registers itself (NodeRestriction checks the name)');
      if (a.name === node && ['get', 'update', 'patch', 'delete'].includes(a.verb) && (sub === '' || sub === 'status')) return allow('its own Node');
      return { allowed: false, reason: `node "${node}" is not allowed to modify node "${a.name}"` };
    }
    if (g === 'coordination.k8s.io' && r === 'leases' && a.namespace === NODE_LEASE_NAMESPACE) {
      if (a.verb === 'create') return allow('a node creates its Lease (NodeRestriction checks the name)');
      if (a.name === node && ['get', 'update', 'patch', 'delete'].includes(a.verb)) return allow('its own Lease');
      return { allowed: false, reason: `can only access node lease with the same name as the requesting node` };
    }
    if (g === '' && r === 'pods') {
      if (READ.has(a.verb) && !sub) return allow('pods are readable by every node');
      if (sub === 'log' && a.verb === 'get') return NO_OPINION;
      const pod = a.name ? this.pods.pod(a.namespace, a.name) : undefined;
      const bound = !!pod && (pod.spec as Record<string, unknown> | undefined)?.nodeName === node;
      if (bound && ((sub === 'status' && ['get', 'update', 'patch'].includes(a.verb)) || (!sub && a.verb === 'delete'))) return allow('a pod bound to this node');
      return { allowed: false, reason: `node "${node}" can only update the status of and delete pods bound to it` };
    }
    if ((g === '' && r === 'events') || (g === 'events.k8s.io' && r === 'events')) {
      if (['create', 'update', 'patch'].includes(a.verb)) return allow('events');
    }
    if (g === '' && (r === 'services' || r === 'endpoints') && READ.has(a.verb)) return allow('services are readable by every node');
    // Keelson's kubelet serves its pods' cluster DNS (a headless Service's names are its endpoints).
    if (g === 'discovery.k8s.io' && r === 'endpointslices' && READ.has(a.verb)) return allow('endpoint slices are readable by every node (its cluster DNS)');
    if ((g === 'authentication.k8s.io' && r === 'tokenreviews') || (g === 'authorization.k8s.io' && r === 'subjectaccessreviews')) {
      if (a.verb === 'create') return allow('the kubelet authenticates and authorizes its own API');
    }
    if (g === '' && (r === 'secrets' || r === 'configmaps' || r === 'persistentvolumeclaims' || r === 'serviceaccounts')) {
      const tokenRequest = r === 'serviceaccounts' && sub === 'token' && a.verb === 'create';
      if ((a.verb === 'get' && !sub) || tokenRequest) {
        const used = this.pods.podsOn(node).some((p) => p.metadata.namespace === a.namespace && podReferences(p)[r].has(a.name));
        if (used) return allow(`${r} "${a.name}" is used by a pod on this node`);
        return { allowed: false, reason: `no relationship found between node '${node}' and this object` };
      }
    }
    return { allowed: false, reason: '' };
  }
}

/**
 * NodeRestriction on creates (the name comes with the body): a node creates only its own Node
 * and its own Lease, and never pods.
 */
export function nodeRestriction(): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo, ctx) => {
    const node = nodeNameOf(ctx.user);
    if (!node) return;
    const name = obj.metadata.name ?? '';
    if (info.group === '' && info.resource === 'nodes' && name !== node) {
      throw errors.forbidden(`nodes "${name}" is forbidden: node "${node}" is not allowed to modify node "${name}"`, 'nodes', name);
    }
    if (info.group === 'coordination.k8s.io' && info.resource === 'leases' && obj.metadata.namespace === NODE_LEASE_NAMESPACE && name !== node) {
      throw errors.forbidden(`leases.coordination.k8s.io "${name}" is forbidden: can only access node lease with the same name as the requesting node`, 'leases.coordination.k8s.io', name);
    }
    if (info.group === '' && info.resource === 'pods') {
      throw errors.forbidden(`pods "${name}" is forbidden: node "${node}" can not create pods`, 'pods', name);
    }
  };
}
