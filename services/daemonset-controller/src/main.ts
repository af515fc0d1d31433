// daemonset-controller: one pod on every eligible node for each DaemonSet. Wiring only.
import { ControllerExpectations, runManager, type ControllerRevision } from '@keelson/controller-runtime';
import { daemonSetControllerConfig } from './config';
import { DaemonPodControl } from './daemon-pod-control';
import { DaemonSetReconciler } from './daemonset-reconciler';
import { daemonSetHandler, nodeHandler, podHandler } from './event-handlers';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS, type DaemonSet, type Node, type Pod } from './types';

void runManager('daemonset-controller', daemonSetControllerConfig, (mgr, config) => {
  const daemonSets = mgr.informer<DaemonSet>(DAEMONSETS).cache;
  const pods = mgr.informer<Pod>(PODS).cache;
  const nodes = mgr.informer<Node>(NODES).cache;
  const revisions = mgr.informer<ControllerRevision>(CONTROLLERREVISIONS).cache;
  const expectations = new ControllerExpectations(config.expectationsTimeoutMs);
  const podControl = new DaemonPodControl(mgr.client, mgr.recorder(), expectations, config.burstReplicas);
  mgr.newControllerManagedBy('daemonset')
    .watchesWith(DAEMONSETS, (queue) => daemonSetHandler({ queue, daemonSets, expectations }))
    .watchesWith(PODS, (queue) => podHandler({ queue, daemonSets, expectations }))
    .watchesWith(NODES, (queue) => nodeHandler({ queue, daemonSets, expectations }))
    .withOptions({ concurrency: config.workers })
    .complete(new DaemonSetReconciler({ client: mgr.client, daemonSets, pods, nodes, revisions, expectations, podControl }));
});
