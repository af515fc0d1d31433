// Makes the gateway route metrics.k8s.io here, as a metrics-server deployment's manifests do:
// the APIService v1beta1.metrics.k8s.io naming the service kube-system/metrics-server, and
// that service's Endpoints (this process's address and port; a selector-less Service's
// endpoints, written by their owner). Re-applied each round so a restart on a new port heals.
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import type { KubeObject } from '@keelson/api';
import { GROUP, VERSION } from './api';

const APISERVICES = { group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices' };
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' };
export const SERVICE_NAME = 'metrics-server';

export async function register(client: KeelsonClient, namespace: string, ip: string, port: number): Promise<void> {
  await upsert(client, APISERVICES, undefined, {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: `${VERSION}.${GROUP}`, labels: { 'k8s-app': SERVICE_NAME } },
    spec: { group: GROUP, version: VERSION, service: { namespace, name: SERVICE_NAME, port }, groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true },
  });
  await upsert(client, ENDPOINTS, namespace, {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: SERVICE_NAME, namespace, labels: { 'k8s-app': SERVICE_NAME } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
}

type Ref = typeof APISERVICES;

/** Creates the object, or replaces its spec/subsets when they differ. */
async function upsert(client: KeelsonClient, r: Ref, namespace: string | undefined, want: KubeObject): Promise<void> {
  const name = want.metadata?.name ?? '';
  for (let attempt = 0; attempt < 3; attempt++) {
    let current: KubeObject | undefined;
    try {
      current = await client.get(r, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      if (!current) {
        await client.create(r, want);
        return;
      }
      const same = JSON.stringify(current.spec ?? current.subsets) === JSON.stringify(want.spec ?? want.subsets);
      if (same) return;
      await client.update(r, { ...current, ...(want.spec ? { spec: want.spec } : { subsets: want.subsets }) });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}
