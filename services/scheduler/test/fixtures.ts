// Builders for Pods and Nodes in plugin and scheduler tests.
import type { KubeObject } from '@keelson/api';
import type { NodeInfo } from '../src/framework';
import { podInfo, type PodInfo } from '../src/pod-info';
import { SchedulerCache } from '../src/scheduler-cache';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
}

export function node(name: string, o: NodeOpts = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function pod(name: string, spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  const { cpu, memory, ...rest } = spec as { cpu?: string; memory?: string };
  const requests = { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c', image: 'x', resources: { requests } }], ...rest },
    status: { phase: 'Pending' },
  };
}

/** A NodeInfo for `n` holding `pods` (bound). */
export function nodeInfo(n: KubeObject, pods: KubeObject[] = []): NodeInfo {
  const cache = new SchedulerCache();
  cache.setNode(n);
  for (const p of pods) cache.setBoundPod({ ...p, spec: { ...p.spec, nodeName: n.metadata.name } });
  return cache.nodeInfo(String(n.metadata.name))!;
}

export const info = (p: KubeObject): PodInfo => podInfo(p);
