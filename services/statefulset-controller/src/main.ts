// statefulset-controller: pods with stable names, storage and order for every StatefulSet. Wiring only.
import { runManager, type ControllerRevision } from '@keelson/controller-runtime';
import { statefulSetControllerConfig } from './config';
import { podToStatefulSets } from './event-handlers';
import { StatefulPodControl } from './stateful-pod-control';
import { StatefulSetControl } from './stateful-set-control';
import { StatefulSetReconciler } from './statefulset-reconciler';
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS, type PersistentVolumeClaim, type Pod, type StatefulSet } from './types';

void runManager('statefulset-controller', statefulSetControllerConfig, (mgr, config) => {
  const sets = mgr.informer<StatefulSet>(STATEFULSETS).cache;
  const pods = mgr.informer<Pod>(PODS).cache;
  const revisions = mgr.informer<ControllerRevision>(CONTROLLERREVISIONS).cache;
  const claims = mgr.informer<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS).cache;
  const control = new StatefulSetControl(new StatefulPodControl(mgr.client, claims, mgr.recorder()));
  mgr.newControllerManagedBy('statefulset')
    .for(STATEFULSETS)
    .watches(PODS, podToStatefulSets(sets))
    .owns(CONTROLLERREVISIONS)
    .withOptions({ concurrency: config.workers })
    .complete(new StatefulSetReconciler({ client: mgr.client, sets, pods, revisions, control }));
});
