// The scale subresource of a custom resource: autoscaling/v1 Scale read from and written to
// the paths the CRD names (`.spec.replicas`, `.status.replicas`, `.status.selector`).
import { isRecord, type KubeObject } from '../types';

export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

const segments = (path: string): string[] => path.split('.').filter(Boolean);

export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const s of segments(path)) cur = isRecord(cur) ? cur[s] : undefined;
  return cur;
}

/** Sets `value` at `path` in place, creating objects on the way. */
export function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  let cur = obj;
  for (const s of parts.slice(0, -1)) {
    if (!isRecord(cur[s])) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function customResourceScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const selector = paths.labelSelectorPath ? readPath(obj, paths.labelSelectorPath) : undefined;
  const replicas = readPath(obj, paths.specReplicasPath);
  const statusReplicas = readPath(obj, paths.statusReplicasPath);
  return scaleOf(obj, typeof replicas === 'number' ? replicas : 0, typeof statusReplicas === 'number' ? statusReplicas : 0, typeof selector === 'string' ? selector : undefined);
}

/** The autoscaling/v1 Scale view of `obj` (built-in workloads and custom resources alike). */
export function scaleOf(obj: KubeObject, replicas: number, statusReplicas: number, selector?: string): KubeObject {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas },
    status: { replicas: statusReplicas, ...(selector !== undefined ? { selector } : {}) },
  };
}
