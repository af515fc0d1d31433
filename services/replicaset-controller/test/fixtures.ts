// Pods and ReplicaSets for unit tests.
import type { Pod, ReplicaSet } from '../src/types';

export interface PodOpts {
  name: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: string;
  restarts?: number;
  created?: string;
  labels?: Record<string, string>;
  deleting?: boolean;
  cost?: number;
  owner?: string;
}

export function pod(o: PodOpts): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: o.name, namespace: 'ns', uid: `uid-${o.name}`, resourceVersion: '1',
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', labels: o.labels ?? { app: 'web' },
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Pending',
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.deleting) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  if (o.cost !== undefined) p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) };
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: o.owner, controller: true, blockOwnerDeletion: true }];
  return p;
}

export function replicaSet(replicas: number, extra: { minReadySeconds?: number; generation?: number } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', resourceVersion: '10', generation: extra.generation ?? 1 },
    spec: {
      replicas, minReadySeconds: extra.minReadySeconds,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}
