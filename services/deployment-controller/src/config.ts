// The deployment controller's own settings (the Manager reads the common ones), from the
// environment here only; runManager validates them at start.
import type { ConfigReader } from '@keelson/controller-runtime';

export interface DeploymentControllerConfig {
  /** KEELSON_DEPLOYMENT_WORKERS [5]: Deployments reconciled in parallel (kube-controller-manager's --concurrent-deployment-syncs). */
  workers: number;
}

export const deploymentControllerConfig: ConfigReader<DeploymentControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_DEPLOYMENT_WORKERS', 5, { min: 1 }),
});
