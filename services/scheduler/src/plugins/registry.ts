// The in-tree plugin registry: every plugin a profile may name, what extension points it
// implements, and how its score plugin is built from its pluginConfig args. The default
// profile is kube-scheduler v1's default multiPoint set restricted to what Keelson implements
// (SelectorSpread stands in for PodTopologySpread's system-default spreading).
import type { FilterPlugin, ScorePlugin } from '../framework';
import { balancedAllocation } from './balanced-allocation';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity';
import { nodeName } from './node-name';
import { nodeResourcesFit } from './node-resources-fit';
import { nodeUnschedulable } from './node-unschedulable';
import { DEFAULT_SCORED_RESOURCES, resourceAllocationScore, type ResourceSpec, type ScoringStrategyType } from './resource-allocation';
import { selectorSpread } from './selector-spread';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration';

/** NodeResourcesFitArgs, decoded and validated (configuration/plugin-args.ts). */
export interface NodeResourcesFitArgs {
  scoringStrategy: { type: ScoringStrategyType; resources: ResourceSpec[] };
}

export const DEFAULT_NODE_RESOURCES_FIT_ARGS: NodeResourcesFitArgs = {
  scoringStrategy: { type: 'LeastAllocated', resources: [...DEFAULT_SCORED_RESOURCES] },
};

/** Plugin args by plugin name (only NodeResourcesFit takes any so far). */
export interface PluginArgs {
  NodeResourcesFit?: NodeResourcesFitArgs;
}

export interface RegisteredPlugin {
  name: string;
  filter?: FilterPlugin;
  /** Builds the score plugin with its weight and the profile's args. */
  score?: (weight: number, args: PluginArgs) => ScorePlugin;
}

const withWeight = (p: ScorePlugin) => (weight: number): ScorePlugin => ({ ...p, weight });

/** In kube-scheduler's order (filters run in this order; the first failure decides). */
export const PLUGIN_REGISTRY: readonly RegisteredPlugin[] = [
  { name: 'NodeUnschedulable', filter: nodeUnschedulable },
  { name: 'NodeName', filter: nodeName },
  { name: 'TaintToleration', filter: taintTolerationFilter, score: withWeight(taintTolerationScore) },
  { name: 'NodeAffinity', filter: nodeAffinityFilter, score: withWeight(nodeAffinityScore) },
  {
    name: 'NodeResourcesFit', filter: nodeResourcesFit,
    score: (weight, args) => {
      const s = (args.NodeResourcesFit ?? DEFAULT_NODE_RESOURCES_FIT_ARGS).scoringStrategy;
      return resourceAllocationScore(s.type, s.resources, weight);
    },
  },
  { name: 'SelectorSpread', score: withWeight(selectorSpread) },
  { name: 'NodeResourcesBalancedAllocation', score: withWeight(balancedAllocation) },
];

export const pluginByName = (name: string): RegisteredPlugin | undefined => PLUGIN_REGISTRY.find((p) => p.name === name);

/** A plugin named in a profile, with its score weight (0 or unset: 1). */
export interface PluginRef {
  name: string;
  weight?: number;
}

/** kube-scheduler v1's default multiPoint plugins (getDefaultPlugins) that Keelson implements, with their weights. */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'SelectorSpread', weight: 2 },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
];
