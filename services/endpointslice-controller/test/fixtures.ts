// Services and pods for unit tests.
import type { Pod, Service, ServicePort } from '../src/types';

export function service(ports: ServicePort[] = [{ port: 80, targetPort: 'http', protocol: 'TCP' }], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports, clusterIP: '10.96.0.10', ...extra },
  };
}

export interface PodOpts { ip?: string; ready?: boolean; terminating?: boolean; port?: number; phase?: string; node?: string }

export function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' } },
    spec: { nodeName: o.node ?? 'node-a', containers: [{ name: 'main', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? `10.0.0.${name.replace(/\D/g, '') || '1'}` }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
  if (o.terminating) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  return p;
}
