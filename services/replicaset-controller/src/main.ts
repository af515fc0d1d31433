// replicaset-controller: keeps spec.replicas pods for every ReplicaSet. Wiring only.
import { runManager } from '@keelson/controller-runtime';
import { replicaSetControllerConfig } from './config';
import { podHandler, replicaSetHandler } from './event-handlers';
import { Expectations } from './expectations';
import { PodControl } from './pod-control';
import { ReplicaSetReconciler } from './replicaset-reconciler';
import { PODS, REPLICASETS, type Pod, type ReplicaSet } from './types';

void runManager('replicaset-controller', replicaSetControllerConfig, (mgr, config) => {
  const replicaSets = mgr.informer<ReplicaSet>(REPLICASETS).cache;
  const pods = mgr.informer<Pod>(PODS).cache;
  const expectations = new Expectations(config.expectationsTimeoutMs);
  mgr.newControllerManagedBy('replicaset')
    // Both handlers observe expectations before queueing (event-handlers.ts).
    .watchesWith(REPLICASETS, (queue) => replicaSetHandler({ queue, replicaSets, expectations }))
    .watchesWith(PODS, (queue) => podHandler({ queue, replicaSets, expectations }))
    .withOptions({ concurrency: config.workers })
    .complete(new ReplicaSetReconciler({
      client: mgr.client, replicaSets, pods, expectations,
      podControl: new PodControl(mgr.client, mgr.recorder()), burstReplicas: config.burstReplicas,
    }));
});
