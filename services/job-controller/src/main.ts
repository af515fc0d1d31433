// job-controller: runs batch/v1 Jobs to completion (the `job` controller) and deletes finished
// Jobs whose ttlSecondsAfterFinished has passed (the `ttl-after-finished` controller), as
// kube-controller-manager's job and ttl-after-finished controllers do. Wiring only.
import { runManager } from '@keelson/controller-runtime';
import { BackoffStore } from './backoff';
import { jobControllerConfig } from './config';
import { jobHandler, podHandler } from './event-handlers';
import { JobExpectations } from './expectations';
import { JobReconciler } from './job-reconciler';
import { OrphanPods } from './orphan-pods';
import { PodControl } from './pod-control';
import { TtlAfterFinishedReconciler, ttlJobHandler } from './ttl-reconciler';
import { JOBS, PODS, type Job, type Pod } from './types';

void runManager('job-controller', jobControllerConfig, (mgr, config) => {
  const jobs = mgr.informer<Job>(JOBS).cache;
  const podInformer = mgr.informer<Pod>(PODS);
  const pods = podInformer.cache;
  // The pods a Job may adopt, so a sync does not match its selector against every pod.
  const orphans = new OrphanPods();
  podInformer.addEventHandler(orphans.handler());
  const expectations = new JobExpectations();
  const recorder = mgr.recorder();
  mgr.newControllerManagedBy('job')
    .watchesWith(JOBS, (queue) => jobHandler({ queue, jobs, pods, expectations, batchMs: config.syncBatchMs }))
    .watchesWith(PODS, (queue) => podHandler({ queue, jobs, pods, expectations, batchMs: config.syncBatchMs }))
    .withOptions({ concurrency: config.workers })
    .complete(new JobReconciler({
      client: mgr.client, jobs, pods, expectations, recorder,
      backoff: new BackoffStore(config.backoffBaseMs, config.backoffMaxMs),
      podControl: new PodControl(mgr.client, recorder), burst: config.burst, orphans,
    }));
  mgr.newControllerManagedBy('ttl-after-finished')
    .watchesWith(JOBS, ttlJobHandler)
    .withOptions({ concurrency: config.ttlWorkers })
    .complete(new TtlAfterFinishedReconciler(mgr.client, jobs));
});
