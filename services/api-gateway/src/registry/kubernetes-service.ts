// The `kubernetes` Service in `default`, which kube-apiserver keeps pointing at itself: the
// first address of the service CIDR, port 443 (`https`) to the port the gateway serves on.
import { randomUUID } from 'node:crypto';
import { ApiError, type KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from './request-context';
import type { ResourceStore } from './resource-store';

export async function ensureKubernetesService(services: ResourceStore, clusterIP: string, targetPort: number, log: Logger): Promise<void> {
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort }], sessionAffinity: 'None' },
  };
  const ctx: RequestContext = {
    user: { name: 'system:apiserver', uid: randomUUID(), groups: ['system:masters'] },
    dryRun: false,
    fieldValidation: 'Strict',
    warnings: [],
  };
  try {
    await services.create('default', svc, ctx);
    log.info('created the kubernetes Service', { clusterIP, targetPort });
  } catch (e) {
    // Already there (an earlier start, or another replica first): nothing to do.
    if (e instanceof ApiError && e.code === 409) return;
    log.warn('could not create the kubernetes Service', { err: e instanceof Error ? e.message : String(e) });
  }
}
