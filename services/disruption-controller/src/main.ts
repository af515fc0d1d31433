// disruption-controller: PodDisruptionBudget status (expected, healthy and desired pods, the
// disruptions allowed, the DisruptionAllowed condition, expired disruptedPods entries) that
// the gateway's pods/eviction spends. Wiring only.
import { budgetSelects, type KubeObject } from '@keelson/api';
import { keyOf, runManager, type ReadOnlyCache } from '@keelson/controller-runtime';
import type { ControllerLookup } from './budget-status';
import { disruptionControllerConfig } from './config';
import { DisruptionReconciler } from './disruption-reconciler';
import { DEPLOYMENTS, PDBS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS, type PodDisruptionBudget, type ScaledController } from './types';

void runManager('disruption-controller', disruptionControllerConfig, (mgr, config) => {
  const pdbs = mgr.informer<PodDisruptionBudget>(PDBS).cache;
  const pods = mgr.informer<KubeObject>(PODS).cache;
  const controllers: Record<string, ReadOnlyCache<ScaledController>> = {
    ReplicaSet: mgr.informer<ScaledController>(REPLICASETS).cache,
    Deployment: mgr.informer<ScaledController>(DEPLOYMENTS).cache,
    StatefulSet: mgr.informer<ScaledController>(STATEFULSETS).cache,
    ReplicationController: mgr.informer<ScaledController>(REPLICATIONCONTROLLERS).cache,
  };
  const lookup: ControllerLookup = (kind, namespace, name) => controllers[kind]?.getByName(namespace, name);
  /** getPdbForPod: the budgets in the pod's namespace that select it. */
  const budgetsOf = (pod: KubeObject): string[] => pdbs.byNamespace(pod.metadata.namespace ?? '').filter((b) => budgetSelects(b, pod)).map(keyOf);
  /** A scale change may change any budget of the namespace's pods. */
  const budgetsIn = (o: KubeObject): string[] => pdbs.byNamespace(o.metadata.namespace ?? '').map(keyOf);
  let builder = mgr.newControllerManagedBy('disruption')
    .for(PDBS, { kind: 'PodDisruptionBudget' })
    .watches<KubeObject>(PODS, budgetsOf);
  for (const r of [REPLICASETS, DEPLOYMENTS, STATEFULSETS, REPLICATIONCONTROLLERS]) builder = builder.watches<KubeObject>(r, budgetsIn);
  builder
    .withOptions({ concurrency: config.workers })
    .complete(new DisruptionReconciler({ client: mgr.client, pdbs, pods, lookup, recorder: mgr.recorder() }));
});
