// replicaset-controller: keeps spec.replicas pods for every ReplicaSet. Wiring only.
import { Manager } from '@keelson/controller-runtime';
import { configFromEnv } from './config';
import { podHandler, replicaSetHandler } from './event-handlers';
import { Expectations } from './expectations';
import { PodControl } from './pod-control';
import { ReplicaSetReconciler } from './replicaset-reconciler';
import { PODS, REPLICASETS, type Pod, type ReplicaSet } from './types';

async function main(): Promise<void> {
  const config = configFromEnv();
  const mgr = await Manager.create('replicaset-controller');
  const replicaSets = mgr.informer<ReplicaSet>(REPLICASETS);
  const pods = mgr.informer<Pod>(PODS);
  const expectations = new Expectations(config.expectationsTimeoutMs);
  const reconciler = new ReplicaSetReconciler({
    client: mgr.client, replicaSets: replicaSets.cache, pods: pods.cache, expectations,
    podControl: new PodControl(mgr.client, mgr.recorder()), burstReplicas: config.burstReplicas,
  });
  const controller = mgr.controller('replicaset', reconciler, { concurrency: config.workers });
  const deps = {
    queue: { enqueue: controller.enqueue.bind(controller), enqueueAfter: controller.queue.addAfter.bind(controller.queue) },
    replicaSets: replicaSets.cache, expectations,
  };
  replicaSets.addEventHandler(replicaSetHandler(deps));
  pods.addEventHandler(podHandler(deps));
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'replicaset-controller', msg: 'fatal', err: String(err) })}\n`);
  process.exit(1);
});
