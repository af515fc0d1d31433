// The deployment controller's own settings (the Manager reads the common ones).
export interface DeploymentControllerConfig {
  /** Deployments reconciled in parallel (kube-controller-manager's --concurrent-deployment-syncs, default 5). */
  workers: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): DeploymentControllerConfig {
  const workers = Number(env.KEELSON_DEPLOYMENT_WORKERS ?? '5');
  return { workers: Number.isInteger(workers) && workers > 0 ? workers : 5 };
}
