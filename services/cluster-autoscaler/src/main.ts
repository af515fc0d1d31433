// cluster-autoscaler: adds nodes to a NodePool when pods cannot be scheduled for lack of
// room, removes nodes that stayed empty, within each pool's min/max (upstream's
// cluster-autoscaler, with NodePool custom resources as its node groups). Built on the operator
// SDK alone, as an operator outside this repository would be: runOperator (settings, health,
// leader election), its watch informers for NodePools, Nodes and Pods, its Event recorder and
// dynamic client, the scheduler's filters from '@keelson/operator-sdk/scheduling', and NodePool
// types generated from the CRD.
import { NODES, PODS, runOperator, type Node, type Pod } from '@keelson/operator-sdk';
import { ClusterAutoscaler, isUnschedulable } from './autoscaler';
import { autoscalerConfig } from './config';
import { installNodePoolCrd } from './crd';
import { ContainerProvider } from './container-provider';
import { ProcessProvider } from './process-provider';
import { SimulatedProvider, type NodeProvider } from './provider';
import { NODEPOOLS, type NodePool } from './types';

void runOperator('cluster-autoscaler', autoscalerConfig, async (op, config) => {
  // The NodePool kind must be served before its informer lists it.
  await installNodePoolCrd(op.dynamic);
  const relist = { relistPeriodMs: config.relistPeriodMs };
  const pools = op.informer<NodePool>(NODEPOOLS, undefined, relist);
  const nodes = op.informer<Node>(NODES, undefined, relist);
  const pods = op.informer<Pod>(PODS, undefined, relist);
  const providers: Record<string, NodeProvider> = { simulated: new SimulatedProvider(op.dynamic) };
  if (config.process) providers.process = new ProcessProvider(op.dynamic, config.process, op.log);
  if (config.container) providers.container = new ContainerProvider(op.dynamic, config.container, op.log);
  const autoscaler = new ClusterAutoscaler({
    client: op.dynamic, pools: pools.cache, nodes: nodes.cache, pods: pods.cache,
    // Events about pods go through a recorder of their own: a thousand of them must not delay the pools'.
    recorder: op.recorder(), podRecorder: op.recorder('cluster-autoscaler', 'pods'),
    providers,
    config, log: op.log, isLeader: () => op.isLeader(),
  });
  // A pod the scheduler just gave up on, or a pool changed: look soon, not at the next scan.
  pods.addEventHandler({
    onAdd: (p) => isUnschedulable(p) && autoscaler.kick(),
    onUpdate: (old, p, info) => !info.resync && isUnschedulable(p) && !isUnschedulable(old) && autoscaler.kick(),
  });
  pools.addEventHandler({ onAdd: () => autoscaler.kick(), onUpdate: (_, __, info) => !info.resync && autoscaler.kick() });
  let timer: NodeJS.Timeout | undefined;
  op.add({
    start: () => {
      timer = setInterval(() => void autoscaler.tick(), config.scanIntervalMs);
      autoscaler.kick();
    },
    // Machines are not stopped with the autoscaler (process-provider.ts): they outlive it.
    stop: () => {
      clearInterval(timer);
      autoscaler.stop();
    },
  });
});
