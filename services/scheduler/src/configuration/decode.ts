// Strict decoding of a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) into typed
// values, as kube-scheduler's strict decoder does: an unknown field, a value of the wrong type
// or a bad value is a field error naming its path (`profiles[0].plugins.score.enabled[1].weight`).
// Field names are upstream's (staging/src/k8s.io/kube-scheduler/config/v1/types.go).
import { causes, isRecord, type StatusCause } from '@keelson/api';
import type { PluginRef } from '../plugins/registry';

export const API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const KIND = 'KubeSchedulerConfiguration';

/** v1.PluginSet. */
export interface PluginSetV1 {
  enabled: PluginRef[];
  disabled: string[];
}

/** v1.Plugins: every extension point; Keelson runs filter and score (multiPoint expands to them). */
export const EXTENSION_POINTS = [
  'preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind', 'multiPoint',
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];
export const RUN_POINTS: readonly ExtensionPoint[] = ['multiPoint', 'filter', 'score'];
export type PluginsV1 = Partial<Record<ExtensionPoint, PluginSetV1>>;

/** v1.PluginConfig: args stay raw until the plugin's own decoder reads them. */
export interface PluginConfigV1 {
  name: string;
  args: Record<string, unknown>;
}

/** v1.KubeSchedulerProfile. */
export interface ProfileV1 {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins: PluginsV1;
  pluginConfig: PluginConfigV1[];
}

/** v1.KubeSchedulerConfiguration: the fields Keelson honours, and the set ones it does not. */
export interface ConfigurationV1 {
  profiles: ProfileV1[];
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  percentageOfNodesToScore?: number;
  /** Fields upstream defines that this scheduler takes from elsewhere (leader election, client, ports). */
  ignored: string[];
}

/** Top-level fields kube-scheduler knows that Keelson's scheduler configures another way. */
const IGNORED_TOP_LEVEL = [
  'parallelism', 'leaderElection', 'clientConnection', 'healthzBindAddress', 'metricsBindAddress', 'enableProfiling',
  'enableContentionProfiling', 'delayCacheUntilActive',
];

export type FieldErrors = StatusCause[];

/** `path: message`, as field.Error prints. */
export const formatFieldError = (c: StatusCause): string => (c.field ? `${c.field}: ${c.message}` : c.message ?? '');

/** Reports fields of `obj` outside `known` as kube's strict decoder does. */
function unknownFields(obj: Record<string, unknown>, path: string, known: readonly string[], errs: FieldErrors): void {
  for (const k of Object.keys(obj)) if (!known.includes(k)) errs.push({ reason: 'FieldValueInvalid', message: `unknown field "${path ? `${path}.${k}` : k}"`, field: '' });
}

function object(v: unknown, path: string, errs: FieldErrors): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (isRecord(v)) return v;
  errs.push(causes.typeInvalid(path, v, 'must be an object'));
  return undefined;
}

function list(v: unknown, path: string, errs: FieldErrors): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  errs.push(causes.typeInvalid(path, v, 'must be a list'));
  return [];
}

function string(v: unknown, path: string, errs: FieldErrors): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  errs.push(causes.typeInvalid(path, v, 'must be a string'));
  return undefined;
}

function integer(v: unknown, path: string, errs: FieldErrors): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  errs.push(causes.typeInvalid(path, v, 'must be an integer'));
  return undefined;
}

/** percentageOfNodesToScore, validated as kube's validatePercentageOfNodesToScore. */
function percentage(v: unknown, path: string, errs: FieldErrors): number | undefined {
  const n = integer(v, path, errs);
  if (n !== undefined && (n < 0 || n > 100)) errs.push(causes.invalid(path, n, 'not in valid range [0-100]'));
  return n;
}

function pluginSet(v: unknown, path: string, errs: FieldErrors): PluginSetV1 | undefined {
  const o = object(v, path, errs);
  if (!o) return undefined;
  unknownFields(o, path, ['enabled', 'disabled'], errs);
  const plugin = (p: unknown, at: string): PluginRef | undefined => {
    const po = object(p, at, errs);
    if (!po) return undefined;
    unknownFields(po, at, ['name', 'weight'], errs);
    const name = string(po.name, `${at}.name`, errs);
    if (!name) {
      if (po.name === undefined || po.name === '') errs.push(causes.required(`${at}.name`));
      return undefined;
    }
    const weight = integer(po.weight, `${at}.weight`, errs);
    if (weight !== undefined && weight < 0) errs.push(causes.invalid(`${at}.weight`, weight, 'must be greater than or equal to 0'));
    return weight === undefined ? { name } : { name, weight };
  };
  const enabled = list(o.enabled, `${path}.enabled`, errs).map((p, i) => plugin(p, `${path}.enabled[${i}]`)).filter((p): p is PluginRef => !!p);
  const disabled = list(o.disabled, `${path}.disabled`, errs).map((p, i) => plugin(p, `${path}.disabled[${i}]`)?.name).filter((n): n is string => !!n);
  return { enabled, disabled };
}

function profile(v: unknown, path: string, errs: FieldErrors): ProfileV1 | undefined {
  const o = object(v, path, errs);
  if (!o) return undefined;
  unknownFields(o, path, ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig'], errs);
  const plugins: PluginsV1 = {};
  const po = object(o.plugins, `${path}.plugins`, errs);
  if (po) {
    unknownFields(po, `${path}.plugins`, EXTENSION_POINTS, errs);
    for (const point of EXTENSION_POINTS) {
      const set = pluginSet(po[point], `${path}.plugins.${point}`, errs);
      if (set) plugins[point] = set;
    }
  }
  const pluginConfig: PluginConfigV1[] = [];
  list(o.pluginConfig, `${path}.pluginConfig`, errs).forEach((c, i) => {
    const at = `${path}.pluginConfig[${i}]`;
    const co = object(c, at, errs);
    if (!co) return;
    unknownFields(co, at, ['name', 'args'], errs);
    const name = string(co.name, `${at}.name`, errs);
    if (!name) {
      if (co.name === undefined || co.name === '') errs.push(causes.required(`${at}.name`));
      return;
    }
    pluginConfig.push({ name, args: object(co.args, `${at}.args`, errs) ?? {} });
  });
  const pct = percentage(o.percentageOfNodesToScore, `${path}.percentageOfNodesToScore`, errs);
  return { schedulerName: string(o.schedulerName, `${path}.schedulerName`, errs), ...(pct !== undefined ? { percentageOfNodesToScore: pct } : {}), plugins, pluginConfig };
}

/** Decodes a parsed document; `errs` collects every problem (decoding goes on past the first). */
export function decodeConfiguration(doc: unknown, errs: FieldErrors): ConfigurationV1 {
  const o = object(doc, '', errs);
  if (!o) return { profiles: [], ignored: [] };
  if (o.apiVersion !== API_VERSION) errs.push(causes.notSupported('apiVersion', o.apiVersion ?? '', [API_VERSION]));
  if (o.kind !== KIND) errs.push(causes.notSupported('kind', o.kind ?? '', [KIND]));
  unknownFields(o, '', ['apiVersion', 'kind', 'profiles', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds', 'percentageOfNodesToScore', 'extenders', ...IGNORED_TOP_LEVEL], errs);
  // Extenders call out to webhooks Keelson's scheduler does not make: refusing beats ignoring them.
  if (list(o.extenders, 'extenders', errs).length) errs.push(causes.forbidden('extenders', "scheduler extenders are not supported by Keelson's scheduler"));
  const profiles = list(o.profiles, 'profiles', errs).map((p, i) => profile(p, `profiles[${i}]`, errs)).filter((p): p is ProfileV1 => !!p);
  return {
    profiles,
    podInitialBackoffSeconds: integer(o.podInitialBackoffSeconds, 'podInitialBackoffSeconds', errs),
    podMaxBackoffSeconds: integer(o.podMaxBackoffSeconds, 'podMaxBackoffSeconds', errs),
    percentageOfNodesToScore: percentage(o.percentageOfNodesToScore, 'percentageOfNodesToScore', errs),
    ignored: IGNORED_TOP_LEVEL.filter((k) => o[k] !== undefined),
  };
}
