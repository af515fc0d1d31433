// Service environment variables (kubelet_pods.go getServiceEnvVarMap, pkg/kubelet/envvars): every
// container learns, at its start, the Services of its namespace that have a cluster IP —
// `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (the first port), `<NAME>_SERVICE_PORT_<PORTNAME>`,
// and Docker's link variables `<NAME>_PORT=tcp://ip:port`, `<NAME>_PORT_<port>_<PROTO>{,_PROTO,
// _PORT,_ADDR}` — unless the pod sets `enableServiceLinks: false`. The `kubernetes` Service's
// are always there, at the address this kubelet gives pods for the API (volumes/pod-sandbox.ts's
// apiServiceEnv). Services made after the container started are not in its
// environment (as in kube: the variables are fixed at start).
import type { KubeObject } from '@keelson/api';
import type { Pod } from '../types';

interface ServicePort { name?: string; port?: number; protocol?: string }

/** kube's makeEnvVariableName: upper case, `-` → `_`. */
const envName = (s: string): string => s.toUpperCase().replace(/-/g, '_');

/** The variables of one service at `ip` with `ports` (envvars.FromServices, in its order). */
export function serviceVariables(name: string, ip: string, ports: ServicePort[]): Record<string, string> {
  const out: Record<string, string> = {};
  const valid = ports.filter((p) => Number.isInteger(p.port));
  if (!valid.length) return out;
  const prefix = envName(name);
  const hostPort = (p: number): string => (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`);
  out[`${prefix}_SERVICE_HOST`] = ip;
  out[`${prefix}_SERVICE_PORT`] = String(valid[0].port);
  for (const p of valid) if (p.name) out[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  valid.forEach((p, i) => {
    const proto = (p.protocol || 'TCP').toLowerCase();
    const url = `${proto}://${hostPort(p.port!)}`;
    if (i === 0) out[`${prefix}_PORT`] = url; // Docker special-cases the first port
    const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out[portPrefix] = url;
    out[`${portPrefix}_PROTO`] = proto;
    out[`${portPrefix}_PORT`] = String(p.port);
    out[`${portPrefix}_ADDR`] = ip;
  });
  return out;
}

/** A Service with a cluster IP (not headless, not ExternalName): its IP and ports. */
function addressed(svc: KubeObject): { ip: string; ports: ServicePort[] } | undefined {
  const spec = (svc as { spec?: { clusterIP?: unknown; ports?: unknown } }).spec;
  const ip = spec?.clusterIP;
  if (typeof ip !== 'string' || !ip || ip === 'None') return undefined;
  return { ip, ports: Array.isArray(spec?.ports) ? (spec.ports as ServicePort[]) : [] };
}

/**
 * The service variables of a container of `pod`: with service links on, those of every addressed
 * Service of the pod's namespace. The default namespace's `kubernetes` Service is left to the
 * sandbox's API variables (apiServiceEnv: the address pods reach the API at); as in kube, a
 * Service named `kubernetes` in the pod's own namespace takes those names.
 */
export function podServiceEnv(pod: Pod, servicesIn: (namespace: string) => KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  if ((pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks === false) return env;
  const namespace = pod.metadata.namespace ?? 'default';
  for (const svc of servicesIn(namespace)) {
    const name = svc.metadata.name;
    const a = addressed(svc);
    if (a && name && !(namespace === 'default' && name === 'kubernetes')) Object.assign(env, serviceVariables(name, a.ip, a.ports));
  }
  return env;
}
