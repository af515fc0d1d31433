// cluster-autoscaler: adds nodes to a NodePool when pods cannot be scheduled for lack of
// room, removes nodes that stayed empty, within each pool's min/max (upstream's
// cluster-autoscaler, with NodePool custom resources as its node groups). Leader-elected.
import { NODES, PODS, type KubeObject } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { ClusterAutoscaler, isUnschedulable } from './autoscaler';
import { autoscalerConfig } from './config';
import { installNodePoolCrd } from './crd';
import { SimulatedProvider } from './provider';
import { NODEPOOLS, type NodePool } from './types';

void runManager('cluster-autoscaler', autoscalerConfig, async (mgr, config) => {
  // The NodePool kind must be served before its informer lists it.
  await installNodePoolCrd(mgr.client);
  const pools = mgr.informer<NodePool>(NODEPOOLS);
  const nodes = mgr.informer<KubeObject>(NODES);
  const pods = mgr.informer<KubeObject>(PODS);
  const autoscaler = new ClusterAutoscaler({
    client: mgr.client, pools: pools.cache, nodes: nodes.cache, pods: pods.cache,
    recorder: mgr.recorder(), podRecorder: mgr.recorder(),
    providers: { simulated: new SimulatedProvider(mgr.client) },
    config, log: mgr.log, isLeader: () => mgr.isLeader(),
  });
  // A pod the scheduler just gave up on, or a pool changed: look soon, not at the next scan.
  pods.addEventHandler({
    onAdd: (p) => isUnschedulable(p) && autoscaler.kick(),
    onUpdate: (old, p, info) => !info.resync && isUnschedulable(p) && !isUnschedulable(old) && autoscaler.kick(),
  });
  pools.addEventHandler({ onAdd: () => autoscaler.kick(), onUpdate: (_, __, info) => !info.resync && autoscaler.kick() });
  let timer: NodeJS.Timeout | undefined;
  mgr.add({
    start: () => {
      timer = setInterval(() => void autoscaler.tick(), config.scanIntervalMs);
      autoscaler.kick();
    },
    stop: () => {
      clearInterval(timer);
      autoscaler.stop();
    },
  });
});
