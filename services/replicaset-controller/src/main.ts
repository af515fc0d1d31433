// replicaset-controller: keeps spec.replicas pods for every ReplicaSet, and for every
// ReplicationController through the same logic (replication-controller.ts). Wiring only.
import type { KubeObject } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { replicaSetControllerConfig } from './config';
import { podHandler, replicaSetHandler } from './event-handlers';
import { Expectations } from './expectations';
import { PodControl } from './pod-control';
import { ReplicaSetReconciler } from './replicaset-reconciler';
import { REPLICATIONCONTROLLER_KIND, REPLICATIONCONTROLLERS, replicaSetView } from './replication-controller';
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

  // ReplicationControllers: the same reconciler over the RC cache seen as ReplicaSets.
  const rcs = replicaSetView(mgr.informer<KubeObject>(REPLICATIONCONTROLLERS).cache);
  const rcExpectations = new Expectations(config.expectationsTimeoutMs);
  const kind = REPLICATIONCONTROLLER_KIND.gvk;
  mgr.newControllerManagedBy('replicationcontroller')
    .watchesWith<ReplicaSet>(REPLICATIONCONTROLLERS, (queue) => replicaSetHandler({ queue, replicaSets: rcs, expectations: rcExpectations, kind }))
    .watchesWith(PODS, (queue) => podHandler({ queue, replicaSets: rcs, expectations: rcExpectations, kind }))
    .withOptions({ concurrency: config.workers })
    .complete(new ReplicaSetReconciler({
      client: mgr.client, replicaSets: rcs, pods, expectations: rcExpectations, kind: REPLICATIONCONTROLLER_KIND,
      podControl: new PodControl(mgr.client, mgr.recorder('replication-controller'), kind), burstReplicas: config.burstReplicas,
    }));
});
