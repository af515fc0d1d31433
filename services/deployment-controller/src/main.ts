// deployment-controller: Deployments → ReplicaSets (rollouts, scaling, status).
import { runManager } from '@keelson/controller-runtime';
import { ApiDeploymentWriter } from './api-writer';
import { deploymentControllerConfig } from './config';
import { DeploymentReconciler } from './deployment-reconciler';
import { replicaSetHandler } from './replica-set-handler';
import { DEPLOYMENTS, REPLICASETS, type Deployment, type ReplicaSet } from './types';

void runManager('deployment-controller', deploymentControllerConfig, (mgr, config) => {
  const deployments = mgr.informer<Deployment>(DEPLOYMENTS).cache;
  const replicaSets = mgr.informer<ReplicaSet>(REPLICASETS).cache;
  const writer = new ApiDeploymentWriter(mgr.client, mgr.recorder());
  mgr.newControllerManagedBy('deployment')
    .for(DEPLOYMENTS)
    // Its controlled ReplicaSets, and orphans a Deployment may adopt.
    .watchesWith(REPLICASETS, (q) => replicaSetHandler(q, deployments))
    .withOptions({ concurrency: config.workers })
    .complete(new DeploymentReconciler({ client: mgr.client, deployments, replicaSets, writer }));
});
