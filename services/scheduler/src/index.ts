// @keelson/scheduler as a library: the framework (filter/score plugins and schedulePod), the
// in-tree plugins, profile files (KubeSchedulerConfiguration), and runScheduler for a service
// of one's own (services/bin-packing-scheduler). Importing it starts nothing; dist/main.js does.
export * from './framework';
export { podInfo, type PodInfo, type NodeView, type ResourceList } from './pod-info';
export { SchedulerCache } from './scheduler-cache';
export { defaultProfile } from './plugins';
export { PLUGIN_REGISTRY, DEFAULT_MULTI_POINT, pluginByName, type RegisteredPlugin, type PluginRef, type NodeResourcesFitArgs } from './plugins/registry';
export { resourceAllocationScore, type ResourceSpec, type ScoringStrategyType } from './plugins/resource-allocation';
export { parseSchedulerConfiguration, loadSchedulerConfiguration, defaultSchedulerConfiguration, SchedulerConfigurationError, type SchedulerConfiguration, type SchedulingProfile } from './configuration/load';
export { schedulerConfigReader, type SchedulerConfig, type SchedulerConfigOptions } from './config';
export { runScheduler } from './run';
