// A scheduler service: every profile of its configuration served by one process, one
// scheduling queue and one cache, leader-elected through the Manager (Lease kube-system/<service>
// unless KEELSON_LEADER_ELECTION_ID says otherwise). Each profile's Events name its schedulerName
// as the reporting component, as kube-scheduler's do. services/scheduler and
// services/bin-packing-scheduler are both this, with different profiles.
import { BUILTIN_RESOURCES } from '@keelson/api';
import { runManager, type RunningService } from '@keelson/controller-runtime';
import { schedulerConfigReader, type SchedulerConfigOptions } from './config';
import { SchedulerMetrics } from './metrics';
import { Scheduler } from './scheduler';

const resource = (name: string) => BUILTIN_RESOURCES.find((r) => r.resource === name)!;

export function runScheduler(service: string, opts: SchedulerConfigOptions = {}): Promise<RunningService | undefined> {
  return runManager(service, schedulerConfigReader(opts), (mgr, config) => {
    const pods = mgr.informer(resource('pods')).cache;
    // One scheduling cycle at a time (cycles are synchronous; binds run alongside).
    const b = mgr.newControllerManagedBy('scheduler').withOptions({ concurrency: 1 });
    const profiles = config.configuration.profiles.map((p) => ({ ...p, recorder: mgr.recorder(p.schedulerName) }));
    const scheduler = new Scheduler({
      client: mgr.client, pods, profiles, config, log: mgr.log, metrics: new SchedulerMetrics(mgr.metrics.registry, profiles.map((p) => p.schedulerName)), queue: b.queue,
    });
    b.watchesWith(resource('nodes'), () => scheduler.nodeHandler()).watchesWith(resource('pods'), () => scheduler.podHandler()).complete(scheduler);
    mgr.add(scheduler);
    if (config.configuration.ignored.length) mgr.log.warn('profile file fields ignored (set through the environment instead)', { fields: config.configuration.ignored });
    mgr.log.info('scheduler starting', {
      profiles: profiles.map((p) => ({
        schedulerName: p.schedulerName, filters: p.profile.filters.map((f) => f.name), scores: p.profile.scores.map((s) => `${s.name}:${s.weight}`),
      })),
      configFile: config.configFile ?? null, bindConcurrency: config.bindConcurrency,
    });
  });
}
