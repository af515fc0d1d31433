// hpa-controller: HorizontalPodAutoscalers (autoscaling/v2) scale their targets through /scale
// on resource metrics from metrics.k8s.io, as kube-controller-manager's HPA controller. Wiring only.
import type { KubeObject } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { hpaControllerConfig } from './config';
import { HpaReconciler } from './hpa-reconciler';
import { metricsApiFetcher } from './metrics-source';
import { HPAS, PODS, type HorizontalPodAutoscaler } from './types';

void runManager('hpa-controller', hpaControllerConfig, (mgr, config) => {
  const hpas = mgr.informer<HorizontalPodAutoscaler>(HPAS).cache;
  const pods = mgr.informer<KubeObject>(PODS).cache;
  mgr.newControllerManagedBy('horizontalpodautoscaler')
    .for(HPAS, { kind: 'HorizontalPodAutoscaler' })
    .withOptions({ concurrency: config.workers })
    .complete(new HpaReconciler({ client: mgr.client, hpas, pods, fetchPodMetrics: metricsApiFetcher(mgr.client), recorder: mgr.recorder(), config }));
});
