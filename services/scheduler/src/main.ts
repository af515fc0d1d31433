// services/scheduler: watches unscheduled pods and nodes, places pods with the default
// plugin profile, binds them through the API. Leader-elected through the Manager.
import { BUILTIN_RESOURCES } from '@keelson/api';
import { Manager } from '@keelson/controller-runtime';
import { schedulerConfigFromEnv } from './config';
import { SchedulerMetrics } from './metrics';
import { defaultProfile } from './plugins';
import { Scheduler } from './scheduler';

const resource = (name: string) => BUILTIN_RESOURCES.find((r) => r.resource === name)!;

async function main(): Promise<void> {
  const config = schedulerConfigFromEnv();
  const mgr = await Manager.create('scheduler');
  const pods = mgr.informer(resource('pods'));
  const nodes = mgr.informer(resource('nodes'));
  const scheduler = new Scheduler({
    client: mgr.client, pods: pods.cache, recorder: mgr.recorder(config.schedulerName), profile: defaultProfile(),
    config, log: mgr.log, metrics: new SchedulerMetrics(mgr.metrics.registry),
  });
  // One scheduling cycle at a time (cycles are synchronous; binds run alongside).
  const controller = mgr.controller('scheduler', scheduler, { concurrency: 1 });
  scheduler.useQueue({ enqueue: (k, meta) => controller.enqueue(k, meta), addAfter: (k, ms) => controller.queue.addAfter(k, ms) });
  nodes.addEventHandler(scheduler.nodeHandler());
  pods.addEventHandler(scheduler.podHandler());
  mgr.log.info('scheduler starting', { schedulerName: config.schedulerName, bindConcurrency: config.bindConcurrency });
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`scheduler failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
