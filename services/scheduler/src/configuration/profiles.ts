// A decoded profile → the filter and score plugins the framework runs, with kube-scheduler's
// rules: the user's plugin sets are merged over the defaults (mergePluginSet: a disabled
// default is dropped, `*` drops every default, a re-enabled default keeps its place with the
// new weight, others are appended), then multiPoint is expanded onto filter and score
// (expandMultiPointPlugins: a plugin listed at the point itself overrides its multiPoint entry
// and comes first; then the multiPoint plugins; then the point's other plugins).
import { causes } from '@keelson/api';
import type { FilterPlugin, Profile, ScorePlugin } from '../framework';
import { DEFAULT_MULTI_POINT, DEFAULT_NODE_RESOURCES_FIT_ARGS, pluginByName, PLUGIN_REGISTRY, type NodeResourcesFitArgs, type PluginArgs, type PluginRef } from '../plugins/registry';
import { SCORING_STRATEGY_TYPES, type ResourceSpec, type ScoringStrategyType } from '../plugins/resource-allocation';
import { RUN_POINTS, EXTENSION_POINTS, type FieldErrors, type PluginSetV1, type ProfileV1 } from './decode';

/** A profile ready to run: the pods naming `schedulerName` are scheduled with `profile`. */
export interface SchedulingProfile {
  schedulerName: string;
  profile: Profile;
}

/** mergePluginSet (kube-scheduler v1 defaults). */
export function mergePluginSet(defaults: PluginSetV1, custom: PluginSetV1 | undefined): PluginSetV1 {
  if (!custom) return defaults;
  const disabled = new Set([...custom.disabled, ...defaults.disabled]);
  const customByName = new Map(custom.enabled.map((p, i) => [p.name, i]));
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const p of defaults.enabled) {
      if (disabled.has(p.name)) continue;
      const i = customByName.get(p.name);
      if (i === undefined) enabled.push(p);
      else {
        enabled.push(custom.enabled[i]); // re-configured in place, keeping the default's order
        replaced.add(i);
      }
    }
  }
  custom.enabled.forEach((p, i) => replaced.has(i) || enabled.push(p));
  return { enabled, disabled: [...disabled] };
}

type RunPoint = 'filter' | 'score';
const implementsPoint = (name: string, point: RunPoint): boolean => !!pluginByName(name)?.[point];
const POINT_TYPE: Record<RunPoint, string> = { filter: 'FilterPlugin', score: 'ScorePlugin' };

/** The plugins (with weights) of one extension point after multiPoint expansion; errors as the framework reports them. */
function expand(point: RunPoint, own: PluginSetV1, multiPoint: PluginSetV1, path: string, errs: FieldErrors): PluginRef[] {
  const explicit: PluginRef[] = [];
  own.enabled.forEach((p, i) => {
    const at = `${path}.plugins.${point}.enabled[${i}].name`;
    if (!pluginByName(p.name)) errs.push(causes.invalid(at, p.name, `${POINT_TYPE[point]} "${p.name}" does not exist`));
    else if (!implementsPoint(p.name, point)) errs.push(causes.invalid(at, p.name, `plugin "${p.name}" does not extend ${POINT_TYPE[point]} plugin`));
    else if (explicit.some((e) => e.name === p.name)) errs.push(causes.invalid(at, p.name, `plugin "${p.name}" already registered as "${POINT_TYPE[point]}"`));
    else explicit.push(p);
  });
  const disabled = new Set(own.disabled);
  if (disabled.has('*')) return explicit;
  const overrides = new Set<string>();
  const fromMultiPoint: PluginRef[] = [];
  for (const p of multiPoint.enabled) {
    if (!implementsPoint(p.name, point) || disabled.has(p.name)) continue;
    if (explicit.some((e) => e.name === p.name)) overrides.add(p.name);
    else if (!fromMultiPoint.some((e) => e.name === p.name)) fromMultiPoint.push(p);
  }
  // An explicit entry without a weight keeps the multiPoint weight (getScoreWeights).
  const weightOf = (p: PluginRef): PluginRef => (p.weight ? p : { ...p, weight: multiPoint.enabled.find((m) => m.name === p.name)?.weight });
  return [...explicit.filter((p) => overrides.has(p.name)).map(weightOf), ...fromMultiPoint, ...explicit.filter((p) => !overrides.has(p.name))];
}

/** NodeResourcesFitArgs: defaults (SetDefaults_NodeResourcesFitArgs), then ValidateNodeResourcesFitArgs. */
export function nodeResourcesFitArgs(args: Record<string, unknown>, path: string, errs: FieldErrors): NodeResourcesFitArgs {
  for (const k of Object.keys(args)) if (!['apiVersion', 'kind', 'ignoredResources', 'ignoredResourceGroups', 'scoringStrategy'].includes(k)) errs.push({ reason: 'FieldValueInvalid', message: `unknown field "${path}.${k}"`, field: '' });
  for (const k of ['ignoredResources', 'ignoredResourceGroups']) {
    if (Array.isArray(args[k]) && (args[k] as unknown[]).length) errs.push(causes.forbidden(`${path}.${k}`, "not supported by Keelson's scheduler"));
  }
  const raw = args.scoringStrategy;
  if (raw === undefined || raw === null) return DEFAULT_NODE_RESOURCES_FIT_ARGS;
  const at = `${path}.scoringStrategy`;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errs.push(causes.typeInvalid(at, raw, 'must be an object'));
    return DEFAULT_NODE_RESOURCES_FIT_ARGS;
  }
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!['type', 'resources', 'requestedToCapacityRatio'].includes(k)) errs.push({ reason: 'FieldValueInvalid', message: `unknown field "${at}.${k}"`, field: '' });
  const type = s.type;
  if (typeof type !== 'string' || !SCORING_STRATEGY_TYPES.includes(type)) errs.push(causes.notSupported(`${at}.type`, type ?? '', [...SCORING_STRATEGY_TYPES]));
  else if (type === 'RequestedToCapacityRatio') errs.push(causes.forbidden(`${at}.type`, "RequestedToCapacityRatio is not supported by Keelson's scheduler (LeastAllocated, MostAllocated)"));
  if (s.requestedToCapacityRatio !== undefined && type !== 'RequestedToCapacityRatio') errs.push(causes.forbidden(`${at}.requestedToCapacityRatio`, 'must be nil when type is not RequestedToCapacityRatio'));
  const resources: ResourceSpec[] = [];
  if (s.resources !== undefined && !Array.isArray(s.resources)) errs.push(causes.typeInvalid(`${at}.resources`, s.resources, 'must be a list'));
  (Array.isArray(s.resources) ? s.resources : []).forEach((r: unknown, i: number) => {
    const rp = `${at}.resources[${i}]`;
    const ro = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    if (typeof ro.name !== 'string' || !ro.name) {
      errs.push(causes.required(`${rp}.name`));
      return;
    }
    const weight = ro.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight <= 0 || weight > 100) {
      errs.push(causes.invalid(`${rp}.weight`, weight, `resource weight of ${ro.name} not in valid range (0, 100]`));
      return;
    }
    if (resources.some((x) => x.name === ro.name)) errs.push(causes.duplicate(`${rp}.name`, ro.name));
    resources.push({ name: ro.name, weight });
  });
  return {
    scoringStrategy: {
      type: (type === 'MostAllocated' ? 'MostAllocated' : 'LeastAllocated') as ScoringStrategyType,
      resources: resources.length ? resources : DEFAULT_NODE_RESOURCES_FIT_ARGS.scoringStrategy.resources,
    },
  };
}

/** Builds one profile's plugins; `errs` gets every problem, paths under `path` (`profiles[i]`). */
export function buildProfile(p: ProfileV1, path: string, errs: FieldErrors): Profile {
  // Extension points Keelson does not run may only disable (e.g. `preScore: disabled: ['*']`).
  for (const point of EXTENSION_POINTS) {
    if (RUN_POINTS.includes(point)) continue;
    if (p.plugins[point]?.enabled.length) {
      errs.push(causes.forbidden(`${path}.plugins.${point}.enabled`, `Keelson's scheduler runs filter and score plugins only (enable them under ${RUN_POINTS.join(', ')})`));
    }
  }
  const multiPoint = mergePluginSet({ enabled: [...DEFAULT_MULTI_POINT], disabled: [] }, p.plugins.multiPoint);
  (p.plugins.multiPoint?.enabled ?? []).forEach((m, i) => {
    if (!pluginByName(m.name)) errs.push(causes.invalid(`${path}.plugins.multiPoint.enabled[${i}].name`, m.name, `plugin "${m.name}" does not exist; known plugins: ${PLUGIN_REGISTRY.map((r) => r.name).join(', ')}`));
  });
  const args: PluginArgs = {};
  const seen = new Set<string>();
  p.pluginConfig.forEach((c, i) => {
    const at = `${path}.pluginConfig[${i}]`;
    if (seen.has(c.name)) errs.push(causes.duplicate(at, c.name));
    seen.add(c.name);
    if (c.name === 'NodeResourcesFit') args.NodeResourcesFit = nodeResourcesFitArgs(c.args, `${at}.args`, errs);
    else if (!pluginByName(c.name)) errs.push(causes.invalid(`${at}.name`, c.name, `plugin "${c.name}" does not exist; known plugins: ${PLUGIN_REGISTRY.map((r) => r.name).join(', ')}`));
    else if (Object.keys(c.args).length) errs.push(causes.invalid(`${at}.args`, c.args, `plugin "${c.name}" takes no args`));
  });
  const filterRefs = expand('filter', mergePluginSet({ enabled: [], disabled: [] }, p.plugins.filter), multiPoint, path, errs);
  const scoreRefs = expand('score', mergePluginSet({ enabled: [], disabled: [] }, p.plugins.score), multiPoint, path, errs);
  const filters: FilterPlugin[] = filterRefs.flatMap((r) => pluginByName(r.name)?.filter ?? []);
  const scores: ScorePlugin[] = scoreRefs.flatMap((r) => pluginByName(r.name)?.score?.(r.weight || 1, args) ?? []);
  return { filters, scores };
}
