// Environment from ConfigMaps and Secrets (kubelet_pods.go makeEnvironmentVariables): `envFrom`
// (configMapRef / secretRef, with an optional prefix) and `env[].valueFrom` configMapKeyRef /
// secretKeyRef. The objects are fetched before the container starts; one that is missing (and
// not optional) refuses the start with kube's CreateContainerConfigError and its message.
import type { KubeObject } from '@keelson/api';
import type { Container, Pod } from '../types';
import { ContainerConfigError } from './sandbox/security-context';

type Json = Record<string, unknown>;
type Data = Record<string, string>;

export interface EnvSourceApi {
  get(resource: 'configmaps' | 'secrets', namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** The ConfigMaps and Secrets a container's environment reads (undefined: does not exist). */
export interface EnvSources {
  configMaps: Map<string, Data | undefined>;
  secrets: Map<string, Data | undefined>;
  /** Service variables (runtime/service-env.ts), under envFrom and env. */
  services?: Data;
}

interface KeyRef { name?: string; key?: string; optional?: boolean }
interface FromRef { name?: string; optional?: boolean }
interface EnvFromSource { prefix?: string; configMapRef?: FromRef; secretRef?: FromRef }

const rec = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

function dataOf(obj: KubeObject, secret: boolean): Data {
  const o = obj as Json;
  const out: Data = {};
  for (const [k, v] of Object.entries(rec(o.data) ?? {})) if (typeof v === 'string') out[k] = secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  if (!secret) for (const [k, v] of Object.entries(rec(o.binaryData) ?? {})) if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

function envFrom(c: Container): EnvFromSource[] {
  const v = (c as { envFrom?: unknown }).envFrom;
  return Array.isArray(v) ? (v as EnvFromSource[]) : [];
}

/** Fetches every ConfigMap and Secret the container's env and envFrom name. */
export async function fetchEnvSources(api: EnvSourceApi, pod: Pod, c: Container): Promise<EnvSources> {
  const ns = pod.metadata.namespace ?? 'default';
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const e of envFrom(c)) {
    if (e.configMapRef?.name) cms.add(e.configMapRef.name);
    if (e.secretRef?.name) secrets.add(e.secretRef.name);
  }
  for (const v of c.env ?? []) {
    if (v.valueFrom?.configMapKeyRef?.name) cms.add(v.valueFrom.configMapKeyRef.name);
    if (v.valueFrom?.secretKeyRef?.name) secrets.add(v.valueFrom.secretKeyRef.name);
  }
  const out: EnvSources = { configMaps: new Map(), secrets: new Map() };
  await Promise.all([
    ...[...cms].map(async (n) => { const o = await api.get('configmaps', ns, n); out.configMaps.set(n, o && dataOf(o, false)); }),
    ...[...secrets].map(async (n) => { const o = await api.get('secrets', ns, n); out.secrets.set(n, o && dataOf(o, true)); }),
  ]);
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** envFrom's variables, in order (later sources win); refs to missing objects throw unless optional. */
export function envFromVars(pod: Pod, c: Container, sources: EnvSources): Data {
  const out: Data = {};
  for (const e of envFrom(c)) {
    const secret = !e.configMapRef && !!e.secretRef;
    const ref = e.configMapRef ?? e.secretRef;
    if (!ref?.name) continue;
    const data = (secret ? sources.secrets : sources.configMaps).get(ref.name);
    if (!data) {
      if (ref.optional === true) continue;
      throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) {
      const name = `${e.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) out[name] = v; // kube skips invalid names (and reports them in an event)
    }
  }
  return out;
}

/** An env[].valueFrom configMapKeyRef / secretKeyRef; undefined when optional and missing. */
export function keyRefValue(pod: Pod, ref: KeyRef, secret: boolean, sources: EnvSources): string | undefined {
  const name = ref.name ?? '';
  const data = (secret ? sources.secrets : sources.configMaps).get(name);
  if (!data) {
    if (ref.optional === true) return undefined;
    throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const key = ref.key ?? '';
  if (!Object.hasOwn(data, key)) {
    if (ref.optional === true) return undefined;
    throw new ContainerConfigError(`couldn't find key ${key} in ${secret ? 'Secret' : 'ConfigMap'} ${pod.metadata.namespace ?? 'default'}/${name}`);
  }
  return data[key];
}
