// services/scheduler: watches unscheduled pods and nodes, places pods with the default
// plugin profile, binds them through the API. Leader-elected through the Manager.
import { BUILTIN_RESOURCES } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { schedulerConfig } from './config';
import { SchedulerMetrics } from './metrics';
import { defaultProfile } from './plugins';
import { Scheduler } from './scheduler';

const resource = (name: string) => BUILTIN_RESOURCES.find((r) => r.resource === name)!;

void runManager('scheduler', schedulerConfig, (mgr, config) => {
  const pods = mgr.informer(resource('pods')).cache;
  // One scheduling cycle at a time (cycles are synchronous; binds run alongside).
  const b = mgr.newControllerManagedBy('scheduler').withOptions({ concurrency: 1 });
  const scheduler = new Scheduler({
    client: mgr.client, pods, recorder: mgr.recorder(config.schedulerName), profile: defaultProfile(),
    config, log: mgr.log, metrics: new SchedulerMetrics(mgr.metrics.registry), queue: b.queue,
  });
  b.watchesWith(resource('nodes'), () => scheduler.nodeHandler()).watchesWith(resource('pods'), () => scheduler.podHandler()).complete(scheduler);
  mgr.add(scheduler);
  mgr.log.info('scheduler starting', { schedulerName: config.schedulerName, bindConcurrency: config.bindConcurrency });
});
