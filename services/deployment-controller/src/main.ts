// deployment-controller: Deployments → ReplicaSets (rollouts, scaling, status).
import { enqueueObject, Manager } from '@keelson/controller-runtime';
import { ApiDeploymentWriter } from './api-writer';
import { configFromEnv } from './config';
import { DeploymentReconciler } from './deployment-reconciler';
import { replicaSetHandler } from './replica-set-handler';
import { DEPLOYMENTS, REPLICASETS, type Deployment, type ReplicaSet } from './types';

async function main(): Promise<void> {
  const config = configFromEnv();
  const mgr = await Manager.create('deployment-controller');
  const deployments = mgr.informer<Deployment>(DEPLOYMENTS);
  const replicaSets = mgr.informer<ReplicaSet>(REPLICASETS);
  const writer = new ApiDeploymentWriter(mgr.client, mgr.recorder());
  const reconciler = new DeploymentReconciler({ client: mgr.client, deployments: deployments.cache, replicaSets: replicaSets.cache, writer });
  const c = mgr.controller('deployment', reconciler, { concurrency: config.workers });
  deployments.addEventHandler(enqueueObject(c));
  replicaSets.addEventHandler(replicaSetHandler(c, deployments.cache));
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'deployment-controller', msg: 'fatal', err: String(err) })}\n`);
  process.exit(1);
});
