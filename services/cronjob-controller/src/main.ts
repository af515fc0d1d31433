// cronjob-controller: starts batch/v1 Jobs on CronJobs' schedules, as kube-controller-manager's
// cronjob controller (v2) does. Wiring only.
import { getControllerOf } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { cronJobControllerConfig } from './config';
import { CronJobReconciler } from './cronjob-reconciler';
import { ScheduleClock } from './schedule';
import { CRONJOBS, JOBS, type CronJob, type Job } from './types';

void runManager('cronjob-controller', cronJobControllerConfig, (mgr, config) => {
  const cronJobs = mgr.informer<CronJob>(CRONJOBS).cache;
  const jobs = mgr.informer<Job>(JOBS).cache;
  mgr.newControllerManagedBy('cronjob')
    .for(CRONJOBS)
    // A Job's change concerns the CronJob controlling it.
    .watches<Job>(JOBS, (job) => {
      const ref = getControllerOf(job);
      return ref?.kind === 'CronJob' && ref.apiVersion.startsWith('batch/') ? `${job.metadata.namespace}/${ref.name}` : undefined;
    })
    .withOptions({ concurrency: config.workers })
    .complete(new CronJobReconciler({ client: mgr.client, cronJobs, jobs, recorder: mgr.recorder(), clock: new ScheduleClock(config.minuteMs) }));
});
