// A container's environment as Kubernetes builds it: a clean base, then `env` in order,
// with `$(VAR)` references to earlier variables and `fieldRef` values expanded.
import type { Container, Pod } from '../types';
import { envFromVars, keyRefValue, type EnvSources } from './env-sources';
import { podHostname } from './sandbox/hostname';
import { resourceFieldValue } from './sandbox/resource-field';

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The pod's addresses as its status reports them: status.podIP, and status.hostIP (the node's). */
export interface PodIPs {
  podIP: string;
  hostIP: string;
}

/**
 * `sources` holds the ConfigMaps and Secrets the container reads (runtime/env-sources.ts); with
 * them, a missing one throws ContainerConfigError. Without (probes), such variables are empty.
 */
export function containerEnv(pod: Pod, c: Container, ips: PodIPs, sources?: EnvSources): Record<string, string> {
  const env: Record<string, string> = {
    // The host's PATH first, so host tools (node, python3) resolve as on the node.
    PATH: process.env.PATH || BASE_PATH,
    HOSTNAME: podHostname(pod),
    HOME: '/tmp',
  };
  if (process.env.LANG) env.LANG = process.env.LANG;
  // kube's order: service variables, then envFrom, then env (each may override the one before).
  if (sources?.services) Object.assign(env, sources.services);
  if (sources) Object.assign(env, envFromVars(pod, c, sources));
  for (const v of c.env ?? []) {
    const from = v.valueFrom;
    if (v.value !== undefined) env[v.name] = expandRefs(v.value, env);
    else if (from?.fieldRef) env[v.name] = fieldValue(pod, from.fieldRef.fieldPath, ips);
    else if (from?.resourceFieldRef) env[v.name] = resourceFieldValue(pod, from.resourceFieldRef, c);
    else if ((from?.configMapKeyRef || from?.secretKeyRef) && sources) {
      const value = keyRefValue(pod, (from.configMapKeyRef ?? from.secretKeyRef)!, !from.configMapKeyRef, sources);
      if (value !== undefined) env[v.name] = value;
    } else env[v.name] = '';
  }
  return env;
}

function fieldValue(pod: Pod, path: string, ips: PodIPs): string {
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return typeof pod.spec.serviceAccountName === 'string' ? pod.spec.serviceAccountName : '';
    // kube's downward API: the pod's IP, and the node's (what the Node reports, not the pod's).
    case 'status.podIP': case 'status.podIPs': return ips.podIP;
    case 'status.hostIP': case 'status.hostIPs': return ips.hostIP;
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      return m ? (pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2]] ?? '') : '';
    }
  }
}

/** `$(NAME)` → its value when defined (left as is otherwise); `$$` escapes. */
export function expandRefs(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && name in env ? env[name] : m;
  });
}
