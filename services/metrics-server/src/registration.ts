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

/** Where the gateway reaches a server on loopback (Endpoints may not hold 127.0.0.0/8, as in kube): `npm start` runs everything on one host. */
export const LOOPBACK_ENDPOINT_ANNOTATION = 'keelson.dev/loopback-endpoint';

export async function register(client: KeelsonClient, namespace: string, ip: string, port: number): Promise<void> {
  const loopback = /^127\./.test(ip) || ip === '::1' || ip === 'localhost';
  await upsert(client, APISERVICES, undefined, {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: `${VERSION}.${GROUP}`, labels: { 'k8s-app': SERVICE_NAME }, annotations: loopback ? { [LOOPBACK_ENDPOINT_ANNOTATION]: `${ip}:${port}` } : {} },
    spec: { group: GROUP, version: VERSION, service: { namespace, name: SERVICE_NAME, port }, groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true },
  });
  if (loopback) return;
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
      const annotations = { ...(current.metadata?.annotations ?? {}), ...(want.metadata?.annotations ?? {}) };
      const same = JSON.stringify(current.spec ?? current.subsets) === JSON.stringify(want.spec ?? want.subsets)
        && JSON.stringify(annotations) === JSON.stringify(current.metadata?.annotations ?? {});
      if (same) return;
      await client.update(r, { ...current, metadata: { ...current.metadata, annotations }, ...(want.spec ? { spec: want.spec } : { subsets: want.subsets }) });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}
