// A container's environment as Kubernetes builds it: a clean base, then `env` in order,
// with `$(VAR)` references to earlier variables and `fieldRef` values expanded.
import type { Container, Pod } from '../types';

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function containerEnv(pod: Pod, c: Container, podIP: string): Record<string, string> {
  const env: Record<string, string> = {
    // The host's PATH first, so host tools (node, python3) resolve as on the node.
    PATH: process.env.PATH || BASE_PATH,
    HOSTNAME: pod.metadata.name ?? '',
    HOME: '/tmp',
  };
  if (process.env.LANG) env.LANG = process.env.LANG;
  for (const v of c.env ?? []) {
    if (v.value !== undefined) env[v.name] = expandRefs(v.value, env);
    else if (v.valueFrom?.fieldRef) env[v.name] = fieldValue(pod, v.valueFrom.fieldRef.fieldPath, podIP);
    else env[v.name] = '';
  }
  return env;
}

function fieldValue(pod: Pod, path: string, podIP: string): string {
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return typeof pod.spec.serviceAccountName === 'string' ? pod.spec.serviceAccountName : '';
    case 'status.podIP': case 'status.hostIP': return podIP;
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
