// @keelson/operator-sdk: everything an operator needs, from one dependency.
//   Operator / for().owns().reconcile()   the controller builder (operator.ts)
//   DynamicClient, RestMapper              any resource, built-in or custom (dynamic-client.ts)
//   WatchInformer                          a cache over list+watch (watch-informer.ts)
//   loadClientConfig                       kubeconfig or KEELSON_* variables (kubeconfig.ts)
//   CONFIGMAPS, DEPLOYMENTS, …             built-in resources with their kinds (resources.ts)
//   parseManifests, createManifests        YAML → objects in the cluster, CRDs waited on (manifests.ts)
//   runOperator, ConfigReader              an operator as a service: settings, health, leader election (service.ts)
// Test helpers are in '@keelson/operator-sdk/envtest', CRD → TypeScript in '@keelson/operator-sdk/codegen',
// the scheduler's filters for capacity planning in '@keelson/operator-sdk/scheduling'.
export * from './kubeconfig';
export * from './dynamic-client';
export * from './watch-informer';
export * from './operator';
export * from './resources';
export * from './manifests';
export * from './service';
export type { KubeObject, KubeList, ObjectMeta, OwnerReference, Status, Taint, Toleration } from '@keelson/api';
export type { Logger } from '@keelson/telemetry';
export { KeelsonClient, isNotFound, isConflict, isAlreadyExists, isInvalid, isForbidden, messageOf, type ClientConfig, type ResourceRef } from '@keelson/client';
export {
  Controller, EventRecorder, keyOf as objectKey, splitKey, runManager, Manager, ObjectCache,
  EnvReader, ConfigError, readConfig, HealthServer,
  type ReadOnlyCache, type ReconcileResult, type ReconcileContext, type ResourceEventHandler, type EventInfo, type MapFunc,
  type ConfigReader, type ConfigProblem, type Runnable, type HealthOptions, type EventType, type RunningService, type RunServiceOptions,
} from '@keelson/controller-runtime';
